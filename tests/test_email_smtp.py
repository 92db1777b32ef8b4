"""E-mail over SMTP, against a real aiosmtpd server on loopback."""

from __future__ import annotations

import re
import socket
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from demo.extensions import db
from demo.models import User
from demo.services import accounts

NEW = "paula.ramos@agro.gov.br"
MARIA = "maria.souza@agro.gov.br"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector:
    """An aiosmtpd handler that keeps every envelope it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def test_criar_usuario_delivers_over_smtp(app_factory, smtp_server):
    controller, handler = smtp_server
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    result = app.test_cli_runner().invoke(
        args=["criar-usuario", NEW, "--nome", "Paula Ramos", "--orgao", "MAPA"]
    )
    assert result.exit_code == 0, result.output

    [envelope] = handler.envelopes
    assert envelope.rcpt_tos == [NEW]
    message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
    assert message["To"] == NEW
    assert message["Subject"] == f"Seu acesso ao {app.config['SUPPORT_SITE_NAME']}"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    temporary = re.search(r"Senha temporária: (\S+)", text).group(1)
    assert temporary in html
    assert "Olá, Paula Ramos." in text

    # Nothing went to the outbox folder, and the delivered password is the real one.
    assert list(Path(app.config["MAIL_OUTBOX"]).glob("*.eml")) == []
    with app.app_context():
        assert accounts.authenticate(NEW, temporary).user is not None


def test_unreachable_smtp_server_creates_nothing(app_factory):
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    runner = app.test_cli_runner()
    result = runner.invoke(args=["criar-usuario", NEW, "--nome", "Paula Ramos", "--orgao", "MAPA"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Erro: Não foi possível enviar o e-mail")
    assert "nada foi alterado" in result.stderr
    assert "Traceback" not in result.output
    with app.app_context():
        assert accounts.find_user(NEW) is None
        assert db.session.scalar(select(func.count()).select_from(User)) >= 1

    # A resend that cannot leave keeps the old password.
    with app.app_context():
        before = accounts.find_user(MARIA).password_hash
    result = runner.invoke(args=["reenviar-senha", MARIA])
    assert result.exit_code == 1
    assert result.stderr.startswith("Erro: Não foi possível enviar o e-mail")
    with app.app_context():
        user = accounts.find_user(MARIA)
        assert user.password_hash == before
        assert user.temp_password_hash is None
