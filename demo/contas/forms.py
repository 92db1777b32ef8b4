"""Forms of the accounts screens."""

from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from ..forms import Form
from ..services.passwords import MAX_LENGTH


class LoginForm(Form):
    """Usuário (the e-mail address) and Senha."""

    usuario = StringField(
        "Usuário",
        validators=[
            InputRequired("Informe o usuário (seu e-mail)."),
            Length(max=254, message="O usuário deve ter no máximo 254 caracteres."),
        ],
        render_kw={"autocomplete": "username", "placeholder": "nome@orgao.gov.br"},
    )
    senha = PasswordField(
        "Senha",
        validators=[
            InputRequired("Informe a senha."),
            Length(max=MAX_LENGTH, message=f"A senha tem no máximo {MAX_LENGTH} caracteres."),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    entrar = SubmitField("Entrar")


class ChangePasswordForm(Form):
    """Senha atual, Nova senha and its confirmation."""

    senha_atual = PasswordField(
        "Senha atual",
        validators=[InputRequired("Informe a senha atual.")],
        render_kw={"autocomplete": "current-password"},
    )
    nova_senha = PasswordField(
        "Nova senha",
        validators=[InputRequired("Informe a nova senha.")],
        render_kw={"autocomplete": "new-password"},
    )
    confirmacao = PasswordField(
        "Confirme a nova senha",
        validators=[InputRequired("Repita a nova senha.")],
        render_kw={"autocomplete": "new-password"},
    )
    salvar = SubmitField("Salvar nova senha")


class LogoutForm(Form):
    """An empty form: logging out is a POST protected against CSRF."""

    sair = SubmitField("Sair")
