"""The search of the mapa site's Minha área."""

from wtforms import StringField, SubmitField

from ..forms import Form


class ProtocolSearchForm(Form):
    """Protocolo (a GET form: it changes nothing, so it carries no CSRF token)."""

    class Meta:
        csrf = False

    protocolo = StringField("Protocolo", render_kw={"maxlength": 40})
    buscar = SubmitField("Buscar")
