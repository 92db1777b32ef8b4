"""Forms of the Turmas screens."""

from flask_wtf.file import FileField
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import Optional

from ..forms import Form


class CreateForm(Form):
    """A new class: a name and either a number of trainees or a CSV of people."""

    nome = StringField("Nome da turma")
    alunos = IntegerField("Número de alunos", validators=[Optional()])
    pessoas = FileField("Lista de pessoas (CSV)")
    termino = StringField("Último dia da turma")


class RoleForm(Form):
    """The role a trainee plays."""

    usuario = HiddenField()
    papel = SelectField("Papel", choices=[])


class ConfirmForm(Form):
    """Reset or remove: the class's name typed again."""

    confirmacao = StringField("Digite o nome da turma para confirmar")
