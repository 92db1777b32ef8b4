"""Forms of the support team's screens."""

from wtforms import (
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.widgets import HiddenInput

from ..forms import Form


class ActionForm(Form):
    """A decision on the current task (the buttons come from the BPMN) with its comment.

    `avaliacao` is the satisfaction rating, offered with a decision that closes the ticket.
    """

    versao = IntegerField(widget=HiddenInput())
    comentario = TextAreaField("Comentário", render_kw={"rows": 4})
    anexos = MultipleFileField("Anexos")
    # The service checks the rating (one message for every wrong value).
    avaliacao = RadioField("Avaliação do atendimento", choices=[], validate_choice=False)

    def show_version(self, version: int) -> None:
        """Render `version` in the hidden field (the posted value would otherwise be shown)."""
        self.versao.data = version
        self.versao.raw_data = None


class VersionForm(Form):
    """Assumir / Liberar: only the version the page was built from."""

    versao = IntegerField(widget=HiddenInput())


class NoteForm(Form):
    """An internal note (never shown to the requester)."""

    nota = TextAreaField("Nota interna", render_kw={"rows": 3})
    salvar_nota = SubmitField("Salvar nota interna")


class CommentForm(Form):
    """A public comment, with its own files (the requester's and the team's)."""

    comentario = TextAreaField("Comentário", render_kw={"rows": 3})
    anexos = MultipleFileField("Anexos")


class CategoryForm(Form):
    """Triage: the ticket's category changed, with the reason."""

    versao = IntegerField(widget=HiddenInput())
    categoria = SelectField("Nova categoria", choices=[], validate_choice=False)
    motivo = TextAreaField("Motivo da mudança de categoria", render_kw={"rows": 2})


class ReassignForm(Form):
    """The current task given to another group, or to one of its agents."""

    versao = IntegerField(widget=HiddenInput())
    grupo = SelectField("Grupo", choices=[], validate_choice=False)
    atendente = SelectField("Atendente", choices=[], validate_choice=False)
    motivo = TextAreaField("Motivo da reatribuição", render_kw={"rows": 2})


class TakeBackForm(Form):
    """The gestor takes over a task a colleague holds."""

    versao = IntegerField(widget=HiddenInput())
    motivo = StringField("Motivo da retomada")
