"""The high-contrast switch."""

from wtforms import HiddenField, SubmitField

from ..forms import Form


class ContrastForm(Form):
    """One button; `voltar` is the page to come back to."""

    voltar = HiddenField()
    alternar = SubmitField("Alto contraste")
