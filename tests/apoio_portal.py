"""Helpers to drive the portal in tests; import them from here (`from apoio_portal import …`).

`from conftest import …` is ambiguous: tests/passos/ has a conftest.py of its own, and whichever
is imported first takes the module name.
"""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path


def csrf_token(response) -> str:
    """The CSRF token in a rendered form."""
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', response.data)
    assert match, "página sem token CSRF"
    return match.group(1).decode()


class Browser:
    """A test client that logs in through the real form, CSRF token included."""

    def __init__(self, client, prefix: str = ""):
        self.client = client
        self.prefix = prefix

    def post_form(self, path: str, data: dict, form_path: str | None = None, **kwargs):
        token = csrf_token(self.client.get(form_path or path))
        return self.client.post(path, data={"csrf_token": token, **data}, **kwargs)

    def login(self, email: str, password: str, **kwargs):
        return self.post_form(
            f"{self.prefix}/entrar", {"usuario": email, "senha": password}, **kwargs
        )

    def logout(self, **kwargs):
        """Press "Sair" in the header of the site's home page."""
        return self.post_form(f"{self.prefix}/sair", {}, form_path=f"{self.prefix}/", **kwargs)

    def change_password(self, current: str, new: str, confirmation: str | None = None, **kwargs):
        return self.post_form(
            f"{self.prefix}/trocar-senha",
            {
                "senha_atual": current,
                "nova_senha": new,
                "confirmacao": new if confirmation is None else confirmation,
            },
            **kwargs,
        )


class Outbox:
    """The e-mails a portal wrote to its outbox folder.

    Reading it first runs one pass of the real sender (what the background process of
    `make run` does every second), so what the portal queued is there.
    """

    def __init__(self, app):
        self.app = app
        self.folder = Path(app.config["MAIL_OUTBOX"])

    def deliver(self):
        """One pass of the sender; its report."""
        from demo.extensions import db
        from demo.services import delivery

        with self.app.app_context():
            try:
                return delivery.deliver_due()
            finally:
                db.session.remove()

    def messages(self) -> list[EmailMessage]:
        """Every message, oldest first."""
        self.deliver()
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(path.read_bytes()) for path in sorted(self.folder.glob("*.eml"))]

    def last(self, to: str) -> EmailMessage:
        sent = [message for message in self.messages() if message["To"] == to]
        assert sent, f"nenhum e-mail para {to}"
        return sent[-1]

    def temporary_password(self, to: str) -> str:
        """The temporary password of the last e-mail sent to this address."""
        return temporary_password_in(self.last(to))


def temporary_password_in(message: EmailMessage) -> str:
    """Read the temporary password from the plain-text part of a credentials e-mail."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"Senha temporária: (\S+)", text)
    assert match, f"e-mail sem senha temporária:\n{text}"
    return match.group(1)
