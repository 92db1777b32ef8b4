"""The forms of Minha Área: the search of Selecionados, and the API's access tokens."""

from wtforms import RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice

from ..forms import Form
from ..models import TokenScope
from ..services.api_tokens import NAME_MAX


class SearchForm(Form):
    """Nº do Processo (a GET form: it changes nothing, so it carries no CSRF token)."""

    class Meta:
        csrf = False

    numero = StringField("Nº do Processo", render_kw={"placeholder": "ex.: 2026-000001"})
    buscar = SubmitField("Buscar")


class TokenForm(Form):
    """Create a personal access token of the API (the service checks what was typed)."""

    nome = StringField("Nome do token", render_kw={"maxlength": NAME_MAX})
    escopo = RadioField(
        "Escopo",
        choices=[SelectChoice(s.value, s.label) for s in TokenScope],
        default=TokenScope.READ.value,
        validate_choice=False,
    )
    validade = StringField("Validade (dias)", render_kw={"inputmode": "numeric"})
    criar = SubmitField("Criar token")


class RevokeForm(Form):
    """The CSRF token of a "Revogar" button."""
