"""The base form: CSRF-protected (Flask-WTF) with messages in Portuguese."""

from __future__ import annotations

from flask_wtf import FlaskForm

CSRF_MESSAGE = (
    "O formulário expirou ou foi enviado sem o código de segurança. Confira os dados e "
    "envie novamente."
)


class Form(FlaskForm):
    """Every form of the portal derives from this one."""

    class Meta:
        # WTForms ships Portuguese messages for its built-in validators.
        locales = ("pt_BR", "pt")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.meta.csrf and self.csrf_token.errors:
            self.csrf_token.errors = [CSRF_MESSAGE]
        return valid

    @property
    def first_errors(self) -> list[str]:
        """One message per field in error, in field order, for the summary at the top."""
        return [field.errors[0] for field in self if field.errors]
