"""The ticket form (Abertura de Chamado)."""

from wtforms import MultipleFileField, RadioField, StringField, SubmitField, TextAreaField

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
