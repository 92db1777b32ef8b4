"""E-mail over SMTP, against a real aiosmtpd server on loopback: durable, in order, once.

Every message is written to the outbox table with the event that causes it; the sender
(what the background process of `make run` runs every second) hands it to the server.
"""

from __future__ import annotations

import re
import socket
import threading
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from apoio_concorrencia import AT_ONCE, errors_in, run_together
from sqlalchemy import select

from demo.extensions import db
from demo.models import EmailStatus, OutgoingEmail
from demo.services import accounts, clock, delivery
from demo.services.errors import Invalid

NEW = "paula.ramos@agro.gov.br"
MARIA = "maria.souza@agro.gov.br"
FROZEN = "2026-11-29T12:00:00Z"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector:
    """An aiosmtpd handler that keeps every envelope; it may refuse some recipients."""

    def __init__(self):
        self.envelopes = []
        self.refuse: dict[str, str] = {}  # address -> SMTP reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def received(self) -> list:
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(e.original_content) for e in self.envelopes]


class SmtpServer:
    """A real SMTP server on a fixed loopback port that can be stopped and started again."""

    def __init__(self):
        self.port = free_port()
        self.handler = Collector()
        self.controller = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    server.stop()


def smtp_app(app_factory, server: SmtpServer, **overrides):
    settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": server.port, "FROZEN_TIME": FROZEN}
    return app_factory(**{**settings, **overrides})


def deliver(app) -> delivery.Report:
    with app.app_context():
        try:
            return delivery.deliver_due()
        finally:
            db.session.remove()


def rows(app) -> list[tuple[str, EmailStatus, int]]:
    with app.app_context():
        found = db.session.execute(
            select(OutgoingEmail.recipient, OutgoingEmail.status, OutgoingEmail.attempts).order_by(
                OutgoingEmail.id
            )
        ).all()
        db.session.remove()
        return [tuple(row) for row in found]


def later(app, **delta) -> None:
    """Move the portal's frozen clock forward."""
    moment = clock.parse_utc(app.config["FROZEN_TIME"]) + timedelta(**delta)
    app.config["FROZEN_TIME"] = moment.isoformat()


def test_criar_usuario_delivers_over_smtp(app_factory, smtp):
    smtp.start()
    app = smtp_app(app_factory, smtp)
    result = app.test_cli_runner().invoke(
        args=["criar-usuario", NEW, "--nome", "Paula Ramos", "--orgao", "MAPA"]
    )
    assert result.exit_code == 0, result.output
    assert "A senha temporária foi enviada por e-mail." in result.output

    [envelope] = smtp.handler.envelopes
    assert envelope.rcpt_tos == [NEW]
    [message] = smtp.handler.received()
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
    assert rows(app) == [(NEW, EmailStatus.SENT, 1)]


def test_with_smtp_down_nothing_is_lost_and_all_arrives_once_in_order(app_factory, smtp):
    app = smtp_app(app_factory, smtp)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["criar-usuario", NEW, "--nome", "Paula Ramos", "--orgao", "MAPA"])
    # The account exists: its e-mail waits in the queue, and the command says so.
    assert result.exit_code == 0, result.output
    assert "ficou na fila" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(args=["reenviar-senha", MARIA])
    assert result.exit_code == 0, result.output
    assert [row[:2] for row in rows(app)] == [
        (NEW, EmailStatus.PENDING),
        (MARIA, EmailStatus.PENDING),
    ]

    # `flask enviar-emails` while the server is still down: a clear message, nothing lost.
    result = runner.invoke(args=["enviar-emails"])
    assert result.exit_code == 1
    assert "Servidor de e-mail indisponível" in result.stderr
    assert "2 e-mail(s) continuam na fila" in result.stderr
    # The sender pauses while the server is away (no need to hammer it).
    report = deliver(app)
    assert report.server_away and report.sent == 0

    smtp.start()
    assert deliver(app).sent == 2
    assert deliver(app).sent == 0  # once
    received = smtp.handler.received()
    assert [m["To"] for m in received] == [NEW, MARIA]  # in order
    assert [status for _to, status, _n in rows(app)] == [EmailStatus.SENT] * 2
    # The password in the resend is the one that works now.
    text = received[1].get_body(preferencelist=("plain",)).get_content()
    temporary = re.search(r"Senha temporária: (\S+)", text).group(1)
    with app.app_context():
        assert accounts.authenticate(MARIA, temporary).user is not None


def test_a_permanent_refusal_is_kept_for_the_gestor(app_factory, smtp):
    smtp.handler.refuse[NEW] = "550 5.1.1 Caixa postal inexistente"
    smtp.start()
    app = smtp_app(app_factory, smtp, DEMO_MODE=False)
    with app.app_context():
        accounts.create_user(NEW, "Paula Ramos", "MAPA", "solicitante")
        accounts.resend_password(MARIA)
    report = deliver(app)
    assert (report.sent, report.refused) == (1, 1)
    assert rows(app) == [(NEW, EmailStatus.REFUSED, 1), (MARIA, EmailStatus.SENT, 1)]
    assert deliver(app).refused == 0  # never retried
    # The gestor sees it, with the server's reason.
    from apoio_portal import Browser

    ana = Browser(app.test_client())
    ana.login("ana.costa@suporte.gov.br", "gestor-demo")
    page = ana.client.get("/caixa-de-saida/").text
    assert NEW in page and "Recusado" in page and "Caixa postal inexistente" in page
    assert MARIA not in page


def test_a_temporary_refusal_waits_and_is_retried(app_factory, smtp):
    smtp.handler.refuse[NEW] = "451 4.7.1 Tente mais tarde"
    smtp.start()
    app = smtp_app(app_factory, smtp, MAIL_RETRY_SECONDS=30)
    with app.app_context():
        accounts.create_user(NEW, "Paula Ramos", "MAPA", "solicitante")
    assert deliver(app).deferred == 1
    assert deliver(app).deferred == 0  # waiting its backoff
    later(app, seconds=31)
    del smtp.handler.refuse[NEW]
    assert deliver(app).sent == 1
    assert rows(app) == [(NEW, EmailStatus.SENT, 2)]


def test_the_backoff_doubles_up_to_its_maximum(app):
    app.config.update(MAIL_RETRY_SECONDS=15, MAIL_RETRY_MAX_MINUTES=10)
    with app.app_context():
        waits = [delivery.backoff(n).total_seconds() for n in range(1, 8)]
    assert waits == [15, 30, 60, 120, 240, 480, 600]


class SilentServer:
    """A TCP server that accepts and then says nothing (hangs), or hangs up at once (drops)."""

    def __init__(self, drop: bool):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.drop = drop
        self.held = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            if self.drop:
                connection.close()
            else:
                self.held.append(connection)

    def close(self):
        self.sock.close()
        for connection in self.held:
            connection.close()


@pytest.mark.parametrize("drop", [False, True], ids=["servidor-mudo", "conexao-derrubada"])
def test_a_server_that_hangs_or_drops_loses_nothing(app_factory, drop):
    server = SilentServer(drop)
    try:
        app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT_SECONDS=1)
        with app.app_context():
            accounts.create_user(NEW, "Paula Ramos", "MAPA", "solicitante")
        report = deliver(app)
        assert report.server_away and report.sent == 0
        assert rows(app) == [(NEW, EmailStatus.PENDING, 1)]
    finally:
        server.close()


def test_senders_at_once_deliver_each_message_once(app_factory, smtp):
    smtp.start()
    app = smtp_app(app_factory, smtp)
    with app.app_context():
        for index in range(AT_ONCE):
            accounts.create_user(
                f"pessoa{index}@agro.gov.br", f"Pessoa {index}", "MAPA", "solicitante"
            )

    results = run_together(AT_ONCE, lambda _i: deliver(app))
    assert errors_in(results) == []
    assert sum(report.sent for report in results) == AT_ONCE
    addresses = [m["To"] for m in smtp.handler.received()]
    assert sorted(addresses) == sorted(f"pessoa{i}@agro.gov.br" for i in range(AT_ONCE))
    assert len(set(addresses)) == AT_ONCE


def test_an_event_rolled_back_sends_nothing(app):
    """The e-mail is part of the event's transaction: no account, no e-mail."""
    with app.app_context():
        with pytest.raises(Invalid):
            accounts.create_user(NEW, "Paula Ramos", "ORGAO-QUE-NAO-EXISTE", "solicitante")
        assert db.session.scalar(select(db.func.count()).select_from(OutgoingEmail)) == 0
