"""Forms of the support team's screens."""

from wtforms import IntegerField, MultipleFileField, SubmitField, TextAreaField
from wtforms.widgets import HiddenInput

from ..forms import Form


class ActionForm(Form):
    """A decision on the current task (the buttons come from the BPMN) with its comment."""

    versao = IntegerField(widget=HiddenInput())
    comentario = TextAreaField("Comentário", render_kw={"rows": 4})
    anexos = MultipleFileField("Anexos")

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
