"""Two people acting on the same task at once: one wins, the other is told the task moved."""

from __future__ import annotations

import threading

import pytest
from apoio_atendimento import ANA, MOVED, Mailbox, Person, messages, ticket_by_number, version_in
from apoio_chamados import FROZEN, JOAO, MARIA
from apoio_portal import csrf_token
from sqlalchemy import select

from demo.extensions import db
from demo.models import Note, StepRecord, User
from demo.services import attachments, clock, tasks


@pytest.fixture
def portal(app):
    app.config["FROZEN_TIME"] = FROZEN
    return app


def gate(monkeypatch, module, name: str, parties: int) -> threading.local:
    """Make `parties` threads meet before their first call of module.name (then let them race).

    A thread takes part only once it sets `local.waiting = True`.
    """
    barrier = threading.Barrier(parties, timeout=30)
    local = threading.local()
    real = getattr(module, name)

    def gated(*args, **kwargs):
        if getattr(local, "waiting", False):
            local.waiting = False
            barrier.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, gated)
    return local


def run_together(*functions) -> list:
    """Run each function in its own thread; return their results (or exceptions), in order."""
    results: list = [None] * len(functions)

    def run(index, function):
        try:
            results[index] = function()
        except BaseException as error:  # noqa: BLE001 - reported to the test
            results[index] = error

    threads = [threading.Thread(target=run, args=item) for item in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "uma das threads não terminou"
    return results


def records(app, number: str) -> list[tuple[str, str | None, str | None, bool]]:
    """(step, decision, assignee, closed) of every history record, oldest first."""
    with app.app_context():
        ticket = ticket_by_number(number)
        found = db.session.scalars(
            select(StepRecord).where(StepRecord.ticket_id == ticket.id).order_by(StepRecord.id)
        )
        result = [
            (
                r.step,
                r.decision,
                r.assignee.email if r.assignee else None,
                r.finished_at is not None,
            )
            for r in found
        ]
        db.session.remove()
        return result


@pytest.mark.parametrize(
    ("contenders", "step"),
    [
        ([(JOAO, "resolver", ""), (ANA, "escalar", "Para o Nível 2.")], "triagem"),
        ([(JOAO, "informacao", "Qual versão?"), (ANA, "informacao", "Qual versão?")], "triagem"),
    ],
    ids=["decisoes-diferentes", "mesma-decisao"],
)
def test_two_agents_act_at_once_one_wins(portal, monkeypatch, contenders, step):
    number = Person(portal, MARIA).open_ticket("Corrida")
    mailbox = Mailbox(portal)
    with portal.app_context():
        version = ticket_by_number(number).version
        db.session.remove()
    # Both have read the ticket and computed the move; they meet right before taking the lock.
    local = gate(monkeypatch, attachments, "writing", len(contenders))

    def contender(email, decision, comment):
        def act():
            with portal.app_context():
                try:
                    user = db.session.scalar(select(User).where(User.email == email))
                    ticket = ticket_by_number(number)
                    local.waiting = True
                    tasks.act(ticket, user, decision, comment, version)
                    return email, decision
                finally:
                    db.session.remove()

        return act

    results = run_together(*(contender(*c) for c in contenders))
    winners = [r for r in results if isinstance(r, tuple)]
    losers = [r for r in results if not isinstance(r, tuple)]
    assert len(winners) == 1, results
    assert len(losers) == 1 and isinstance(losers[0], tasks.TaskMoved), results
    assert MOVED in losers[0].message
    winner, decision = winners[0]

    history = records(portal, number)
    passes = [r for r in history if r[0] == step]
    assert passes == [(step, decision, winner, True)], history
    assert [r for r in history if not r[3]] == history[-1:]  # one open record: the next step
    assert len(history) == 3
    with portal.app_context():
        ticket = ticket_by_number(number)
        assert ticket.version == version + 1
        assert ticket.current_step == history[-1][0]
        db.session.remove()
    # Only the winner's move was announced (and not to the winner: they made it).
    recipients = sorted(str(m["To"]) for m in mailbox.new())
    expected = {"resolver": [JOAO, MARIA], "escalar": [MARIA, "rita.alves@suporte.gov.br"]}
    announced = [e for e in expected.get(decision, [MARIA]) if e != winner]
    assert recipients == sorted(announced), recipients


def test_two_clicks_at_once_over_http(portal, monkeypatch):
    number = Person(portal, MARIA).open_ticket("Corrida pelo navegador")
    joao, ana = Person(portal, JOAO), Person(portal, ANA)
    action = f"/atendimento/{number}/acao"
    pages = {who: who.get(f"/atendimento/{number}") for who in (joao, ana)}
    assert version_in(pages[joao], action) == version_in(pages[ana], action)
    local = gate(monkeypatch, attachments, "writing", 2)

    def click(who, decision, comment):
        def post():
            local.waiting = True
            return who.client.post(
                action,
                data={
                    "csrf_token": csrf_token(pages[who]),
                    "versao": version_in(pages[who], action),
                    "decisao": decision,
                    "comentario": comment,
                },
            )

        return post

    responses = run_together(
        click(joao, "resolver", ""), click(ana, "informacao", "Qual é o navegador?")
    )
    assert sorted(r.status_code for r in responses) == [302, 409], responses
    lost = next(r for r in responses if r.status_code == 409)
    assert any(MOVED in m for m in messages(lost))
    steps = [r[0] for r in records(portal, number)]
    assert steps.count("triagem") == 1 and len(steps) == 3


def test_breaches_noted_once_when_queues_load_at_once(portal, monkeypatch):
    maria = Person(portal, MARIA)
    numbers = [maria.open_ticket(f"Atrasado {i}") for i in range(2)]
    portal.config["FROZEN_TIME"] = "2026-11-29T15:00:00Z"  # 3 h later: both 2 h deadlines passed
    local = gate(monkeypatch, clock, "now", 3)

    def load_queue():
        with portal.app_context():
            try:
                local.waiting = True
                return tasks.record_breaches()
            finally:
                db.session.remove()

    results = run_together(load_queue, load_queue, load_queue)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 2, results
    with portal.app_context():
        notes = db.session.scalars(select(Note)).all()
        assert sorted(n.ticket.number for n in notes) == numbers
        assert {n.kind for n in notes} == {Note.SYSTEM}
        db.session.remove()


def test_a_move_between_reading_the_ticket_and_its_state_is_told_as_moved(portal):
    """The process state is its own row, read after the ticket's: a move in between is a 409.

    On PostgreSQL each statement sees the latest commit, so the state read second was already
    past the step the ticket read first said; the workflow refused it with an internal error.
    """
    number = Person(portal, MARIA).open_ticket("Estado lido depois")
    with portal.app_context():
        joao = db.session.scalar(select(User).where(User.email == JOAO))
        stale = ticket_by_number(number)  # the ticket's row only: the state is not read yet
        version = stale.version

        def colleague():
            with portal.app_context():
                try:
                    ana = db.session.scalar(select(User).where(User.email == ANA))
                    tasks.act(ticket_by_number(number), ana, "resolver", "", version)
                    return True
                finally:
                    db.session.remove()

        assert run_together(colleague) == [True]
        with pytest.raises(tasks.TaskMoved):
            tasks.act(stale, joao, "informacao", "Qual versão?", version)
        db.session.remove()
    history = records(portal, number)
    assert [r[:2] for r in history if r[0] == "triagem"] == [("triagem", "resolver")], history
