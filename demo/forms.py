"""The base form: CSRF-protected (Flask-WTF) with messages in Portuguese."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import current_app, g
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError

from .extensions import csrf

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
        if self.meta.csrf and (self.csrf_token.errors or g.get("csrf_refused")):
            self.csrf_token.errors = [CSRF_MESSAGE]
            valid = False
        return valid

    @property
    def first_errors(self) -> list[str]:
        """One message per field in error, in field order, for the summary at the top."""
        return [field.errors[0] for field in self if field.errors]


def csrf_checked_by_form(view):
    """Run CSRFProtect's full check for this view, but let its form report a failure.

    Globally, a missing or stale token answers the generic 400 page before the view runs; a
    login form left open past the token's lifetime deserves its form back, with a message and
    what was typed (never the passwords).
    """

    @wraps(view)
    def checked(*args, **kwargs):
        if current_app.config["WTF_CSRF_ENABLED"]:
            try:
                csrf.protect()
            except CSRFError:
                g.csrf_refused = True
        return view(*args, **kwargs)

    return csrf.exempt(checked)


def safe_next(target: str | None) -> str | None:
    """Only follow a ?next= that stays on this portal."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read a backslash as a slash ("/\evil" becomes "//evil") and drop tabs and
    # newlines (so "/\t/evil" does too): refuse them outright.
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return None
    return target
