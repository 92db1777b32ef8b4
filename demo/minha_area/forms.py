"""The search form of Selecionados."""

from wtforms import StringField, SubmitField

from ..forms import Form


class SearchForm(Form):
    """Nº do Processo (a GET form: it changes nothing, so it carries no CSRF token)."""

    class Meta:
        csrf = False

    numero = StringField("Nº do Processo", render_kw={"placeholder": "ex.: 2026-000001"})
    buscar = SubmitField("Buscar")
