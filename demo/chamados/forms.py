"""The ticket form (Abertura de Chamado) and the requester's forms on a sent ticket."""

from wtforms import (
    IntegerField,
    MultipleFileField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.widgets import HiddenInput

from ..forms import Form


class TicketForm(Form):
    """Categoria, Assunto, Descrição and Anexos; the rules are checked by the service."""

    # The service validates the category (one message for empty and unknown values).
    categoria = RadioField("Categoria", choices=[], validate_choice=False)
    assunto = StringField("Assunto", render_kw={"maxlength": 150})
    descricao = TextAreaField("Descrição", render_kw={"rows": 6})
    anexos = MultipleFileField("Anexos")
    salvar = SubmitField("Salvar rascunho")
    aprovar = SubmitField("Aprovar")


class DiscardForm(Form):
    """Descartar rascunho: only the confirmation."""

    descartar = SubmitField("Descartar rascunho")


class ReopenForm(Form):
    """Reabrir a closed ticket, with the reason."""

    versao = IntegerField(widget=HiddenInput())
    motivo = TextAreaField("Motivo da reabertura", render_kw={"rows": 3})
