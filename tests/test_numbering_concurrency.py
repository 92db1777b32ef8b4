"""Ticket numbers under concurrent use: distinct, consecutive, and given back on rollback."""

from __future__ import annotations

import pytest
from apoio_chamados import CARLOS, MARIA, csrf_from, open_form, user
from apoio_concorrencia import run_together
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from demo.database import writing
from demo.extensions import db
from demo.models import Ticket, TicketCounter, User
from demo.services import numbering, tickets

OPENINGS = 50


def test_concurrent_openings_get_distinct_consecutive_numbers(app):
    """50 forms opened at once (SQLite file database and PostgreSQL)."""
    with app.app_context():
        requesters = [user(MARIA).id, user(CARLOS).id]

    def open_one(index: int) -> str:
        with app.app_context():
            try:
                requester = db.session.get(User, requesters[index % 2])
                return tickets.open_draft(requester).number
            finally:
                db.session.remove()

    numbers = run_together(OPENINGS, open_one)
    errors = [n for n in numbers if not isinstance(n, str)]
    assert errors == []
    assert sorted(numbers) == [f"2026-{n:06d}" for n in range(1, OPENINGS + 1)]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == OPENINGS
        assert db.session.get(TicketCounter, 2026).last == OPENINGS
        sequences = db.session.scalars(select(Ticket.sequence).order_by(Ticket.sequence)).all()
        assert sequences == list(range(1, OPENINGS + 1))


def test_concurrent_openings_through_http(app, browser):
    """The same through the portal: separate clients pressing “Abertura de Chamado” at once."""
    app.config["FROZEN_TIME"] = "2026-11-29T12:00:00Z"
    browser.login(MARIA, "solicitante-demo")
    # One person, many tabs: the same session (and CSRF token) in separate clients.
    token = csrf_from(browser.client.get("/processos/abrir"))
    cookie = browser.client.get_cookie("sessao_suporte")
    clients = []
    for _ in range(12):
        client = app.test_client()
        client.set_cookie(cookie.key, cookie.value)
        clients.append(client)

    def press(index: int) -> str:
        response = clients[index].post(
            "/processos/abrir/abertura_chamado", data={"csrf_token": token}
        )
        assert response.status_code == 302, response.status_code
        return response.headers["Location"].split("/")[2]

    numbers = run_together(len(clients), press)
    assert [n for n in numbers if not isinstance(n, str)] == []
    assert sorted(numbers) == [f"2026-{n:06d}" for n in range(1, len(clients) + 1)]
    # And the next one follows on.
    assert open_form(browser) == f"2026-{len(clients) + 1:06d}"


class GivenUp(Exception):
    """Ends a write transaction with a rollback."""


def test_rolled_back_transaction_gives_its_number_back(app):
    app.config["FROZEN_TIME"] = "2026-11-29T12:00:00Z"
    with app.app_context():
        maria = user(MARIA)
        assert tickets.open_draft(maria).number == "2026-000001"
        with pytest.raises(GivenUp), writing():
            assert numbering.next_sequence(2026) == 2
            raise GivenUp
        assert tickets.open_draft(maria).number == "2026-000002"


def test_failed_opening_gives_its_number_back(app, monkeypatch):
    """An insert that fails (the UNIQUE backstop) rolls the counter back with it."""
    app.config["FROZEN_TIME"] = "2026-11-29T12:00:00Z"
    with app.app_context():
        maria = user(MARIA)
        tickets.open_draft(maria)
        monkeypatch.setattr(numbering, "format_number", lambda year, sequence: "2026-000001")
        with pytest.raises(IntegrityError):
            tickets.open_draft(maria)
        db.session.rollback()
        monkeypatch.undo()
        assert tickets.open_draft(maria).number == "2026-000002"
        assert db.session.get(TicketCounter, 2026).last == 2
