"""Ticket numbers under concurrent use: distinct, consecutive, and given back on rollback."""

from __future__ import annotations

import pytest
from apoio_chamados import CARLOS, MARIA, csrf_from, open_form, send_form, user
from apoio_concorrencia import AT_ONCE, run_together
from apoio_turma import make_people
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from demo.database import writing
from demo.extensions import db
from demo.models import Ticket, TicketCounter, User
from demo.services import numbering, tickets

OPENINGS = 50


def test_concurrent_openings_get_distinct_consecutive_numbers(app):
    """50 people open the form at once (SQLite file database and PostgreSQL)."""
    emails = make_people(app, OPENINGS)
    with app.app_context():
        requesters = [user(email).id for email in emails]

    def open_one(index: int) -> str:
        with app.app_context():
            try:
                requester = db.session.get(User, requesters[index])
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


def test_one_person_opening_the_form_from_many_tabs_at_once_gets_one_draft(app, browser):
    """One person, many tabs, “Abertura de Chamado” pressed at once, nothing typed: one draft,
    one número (the untouched draft is reused), and the counter spent once."""
    app.config["FROZEN_TIME"] = "2026-11-29T12:00:00Z"
    browser.login(MARIA, "solicitante-demo")
    token = csrf_from(browser.client.get("/processos/abrir"))
    cookie = browser.client.get_cookie("sessao_suporte")
    clients = []
    for _ in range(AT_ONCE):
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
    assert set(numbers) == {"2026-000001"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == 1
        assert db.session.get(TicketCounter, 2026).last == 1
    # Once something is typed, the next opening is a new form with the next número.
    response = send_form(browser, "2026-000001", assunto="Algo escrito")
    assert response.status_code == 302
    assert open_form(browser) == "2026-000002"


class GivenUp(Exception):
    """Ends a write transaction with a rollback."""


def test_rolled_back_transaction_gives_its_number_back(app):
    app.config["FROZEN_TIME"] = "2026-11-29T12:00:00Z"
    with app.app_context():
        assert tickets.open_draft(user(MARIA)).number == "2026-000001"
        with pytest.raises(GivenUp), writing():
            assert numbering.next_sequence(2026) == 2
            raise GivenUp
        assert tickets.open_draft(user(CARLOS)).number == "2026-000002"


def test_failed_opening_gives_its_number_back(app, monkeypatch):
    """An insert that fails (the UNIQUE backstop) rolls the counter back with it."""
    app.config["FROZEN_TIME"] = "2026-11-29T12:00:00Z"
    with app.app_context():
        tickets.open_draft(user(MARIA))
        monkeypatch.setattr(numbering, "format_number", lambda year, sequence: "2026-000001")
        with pytest.raises(IntegrityError):
            tickets.open_draft(user(CARLOS))
        db.session.rollback()
        monkeypatch.undo()
        assert tickets.open_draft(user(CARLOS)).number == "2026-000002"
        assert db.session.get(TicketCounter, 2026).last == 2
