"""Every new write path of the helpdesk run AT_ONCE times at once, on SQLite and PostgreSQL:
triage (category, reassignment, taking back), comments, ratings, reopening, discarding drafts.
None may fail (no 500, no 503, no lock error), and the database holds exactly what they wrote;
on one ticket at once, exactly one wins and the others are told it moved."""

from __future__ import annotations

import pytest
from apoio_atendimento import ANA, RITA, Person, page, version_in
from apoio_chamados import FROZEN, JOAO, MARIA, csrf_from, open_form, send_form
from apoio_concorrencia import AT_ONCE, count, run_together, statuses
from sqlalchemy import select

from demo.extensions import db
from demo.models import Note, OutgoingEmail, Ticket, TicketEvent, TicketStatus


@pytest.fixture
def portal(app):
    app.config["FROZEN_TIME"] = FROZEN
    return app


def forms(person: Person, paths: list[str], action) -> list[tuple[str, str]]:
    """(CSRF token, version) of the form posting to action(path) on each page."""
    found = []
    for path in paths:
        response = person.get(path)
        found.append((csrf_from(response), version_in(response, action(path))))
    return found


@pytest.fixture
def open_tickets(portal):
    maria = Person(portal, MARIA)
    return maria, [maria.open_ticket(f"Chamado {i}") for i in range(AT_ONCE)]


def test_categories_changed_on_many_tickets_at_once(portal, open_tickets):
    _maria, numbers = open_tickets
    joao = Person(portal, JOAO)
    found = forms(joao, [f"/atendimento/{n}" for n in numbers], lambda p: p + "/categoria")

    def change(i):
        token, version = found[i]
        return joao.client.post(
            f"/atendimento/{numbers[i]}/categoria",
            data={
                "csrf_token": token,
                "versao": version,
                "categoria": "defeito-sem-paralisacao",
                "motivo": f"Defeito {i}.",
            },
        )

    assert statuses(run_together(AT_ONCE, change)) == [302] * AT_ONCE
    assert count(portal, Ticket, Ticket.category_code == "defeito-sem-paralisacao") == AT_ONCE
    assert count(portal, TicketEvent, TicketEvent.kind == TicketEvent.CATEGORY) == AT_ONCE
    # Each requester's notice was queued with its change.
    assert (
        count(portal, OutgoingEmail, OutgoingEmail.subject.like("%categoria alterada%")) == AT_ONCE
    )


def test_one_ticket_triaged_from_many_tabs_at_once_changes_once(portal, open_tickets):
    _maria, numbers = open_tickets
    joao, ana = Person(portal, JOAO), Person(portal, ANA)
    number = numbers[0]
    people = [joao if i % 2 else ana for i in range(AT_ONCE)]
    found = [forms(p, [f"/atendimento/{number}"], lambda x: x + "/categoria")[0] for p in people]

    def change(i):
        token, version = found[i]
        return people[i].client.post(
            f"/atendimento/{number}/categoria",
            data={
                "csrf_token": token,
                "versao": version,
                "categoria": "defeito-com-paralisacao",
                "motivo": "Fora do ar.",
            },
        )

    codes = statuses(run_together(AT_ONCE, change))
    assert codes.count(302) == 1 and codes.count(409) == AT_ONCE - 1, codes
    assert count(portal, TicketEvent) == 1


def test_tasks_reassigned_at_once(portal, open_tickets):
    _maria, numbers = open_tickets
    ana = Person(portal, ANA)
    found = forms(ana, [f"/atendimento/{n}" for n in numbers], lambda p: p + "/reatribuir")

    def reassign(i):
        token, version = found[i]
        return ana.client.post(
            f"/atendimento/{numbers[i]}/reatribuir",
            data={
                "csrf_token": token,
                "versao": version,
                "grupo": "Suporte Nível 2",
                "atendente": RITA if i % 2 else "",
                "motivo": "Nível 2.",
            },
        )

    assert statuses(run_together(AT_ONCE, reassign)) == [302] * AT_ONCE
    assert count(portal, Ticket, Ticket.current_group == "Suporte Nível 2") == AT_ONCE
    assert len(Person(portal, RITA).queue_numbers()) == AT_ONCE


def test_the_gestor_takes_back_many_tasks_at_once(portal, open_tickets):
    _maria, numbers = open_tickets
    joao, ana = Person(portal, JOAO), Person(portal, ANA)
    for number in numbers:
        assert joao.claim(number).status_code == 302
    found = forms(ana, [f"/atendimento/{n}" for n in numbers], lambda p: p + "/retomar")

    def take(i):
        token, version = found[i]
        return ana.client.post(
            f"/atendimento/{numbers[i]}/retomar",
            data={"csrf_token": token, "versao": version, "motivo": f"Férias {i}."},
        )

    assert statuses(run_together(AT_ONCE, take)) == [302] * AT_ONCE
    assert [r.assignee for r in ana.queue()] == ["Ana Costa"] * AT_ONCE
    assert count(portal, TicketEvent, TicketEvent.kind == TicketEvent.TAKEN_BACK) == AT_ONCE


def test_comments_written_at_once_on_one_ticket_by_both_sides(portal, open_tickets):
    maria, numbers = open_tickets
    joao = Person(portal, JOAO)
    number = numbers[0]
    mine = csrf_from(maria.get(f"/chamados/{number}/status"))
    theirs = csrf_from(joao.get(f"/atendimento/{number}"))

    def comment(i):
        if i % 2:
            return maria.client.post(
                f"/chamados/{number}/comentar",
                data={"csrf_token": mine, "comentario": f"Do solicitante {i}"},
                content_type="multipart/form-data",
            )
        return joao.client.post(
            f"/atendimento/{number}/comentar",
            data={"csrf_token": theirs, "comentario": f"Da equipe {i}"},
            content_type="multipart/form-data",
        )

    assert statuses(run_together(AT_ONCE, comment)) == [302] * AT_ONCE
    assert count(portal, Note, Note.kind == Note.PUBLIC) == AT_ONCE
    texts = [
        li.text_content()
        for li in page(maria.get(f"/chamados/{number}/status")).xpath(
            '//li[contains(@class, "portal-mensagem-comentario")]'
        )
    ]
    assert len(texts) == AT_ONCE


def solved(portal, maria, numbers) -> None:
    joao = Person(portal, JOAO)
    for number in numbers:
        joao.act(number, "resolver")
        joao.act(number, "solucionar", "Resolvido.")


def test_solutions_accepted_with_ratings_at_once(portal, open_tickets):
    maria, numbers = open_tickets
    solved(portal, maria, numbers)
    found = forms(
        maria,
        [f"/chamados/{n}/status" for n in numbers],
        lambda p: p.replace("/status", "/responder"),
    )

    def accept(i):
        token, version = found[i]
        return maria.client.post(
            f"/chamados/{numbers[i]}/responder",
            data={
                "csrf_token": token,
                "versao": version,
                "decisao": "aceitar",
                "comentario": "",
                "avaliacao": str(i % 5 + 1),
            },
            content_type="multipart/form-data",
        )

    assert statuses(run_together(AT_ONCE, accept)) == [302] * AT_ONCE
    assert count(portal, Ticket, Ticket.status == TicketStatus.CLOSED) == AT_ONCE
    with portal.app_context():
        ratings = sorted(db.session.scalars(select(Ticket.rating)))
        db.session.remove()
    assert ratings == sorted(i % 5 + 1 for i in range(AT_ONCE))


def test_closed_tickets_reopened_at_once_and_one_from_many_tabs_once(portal, open_tickets):
    maria, numbers = open_tickets
    solved(portal, maria, numbers)
    for number in numbers:
        assert maria.respond(number, "aceitar").status_code == 302
    found = forms(
        maria,
        [f"/chamados/{n}/status" for n in numbers],
        lambda p: p.replace("/status", "/reabrir"),
    )

    def reopen(i):
        token, version = found[i]
        return maria.client.post(
            f"/chamados/{numbers[i]}/reabrir",
            data={"csrf_token": token, "versao": version, "motivo": f"Voltou {i}."},
        )

    assert statuses(run_together(AT_ONCE, reopen)) == [302] * AT_ONCE
    assert (
        count(portal, Ticket, Ticket.status == TicketStatus.OPEN, Ticket.current_step == "triagem")
        == AT_ONCE
    )

    # One ticket closed again, reopened from many tabs at once: once.
    number = numbers[0]
    solved(portal, maria, [number])
    assert maria.respond(number, "aceitar").status_code == 302
    token, version = forms(
        maria, [f"/chamados/{number}/status"], lambda p: p.replace("/status", "/reabrir")
    )[0]

    def again(_i):
        return maria.client.post(
            f"/chamados/{number}/reabrir",
            data={"csrf_token": token, "versao": version, "motivo": "De novo."},
        )

    codes = statuses(run_together(AT_ONCE, again))
    assert codes.count(302) == 1 and codes.count(409) == AT_ONCE - 1, codes
    assert (
        count(
            portal,
            TicketEvent,
            TicketEvent.ticket_id == _id(portal, number),
            TicketEvent.kind == TicketEvent.REOPENED,
        )
        == 2
    )


def _id(app, number: str) -> int:
    with app.app_context():
        found = db.session.scalar(select(Ticket.id).where(Ticket.number == number))
        db.session.remove()
        return found


def test_drafts_discarded_at_once_and_one_from_many_tabs(portal):
    maria = Person(portal, MARIA)
    numbers = []
    for i in range(AT_ONCE):
        number = open_form(maria.browser)
        send_form(maria.browser, number, assunto=f"Rascunho {i}")
        numbers.append(number)
    tokens = [csrf_from(maria.get(f"/chamados/{n}/descartar")) for n in numbers]

    def discard(i):
        return maria.client.post(
            f"/chamados/{numbers[i]}/descartar", data={"csrf_token": tokens[i], "descartar": "1"}
        )

    assert statuses(run_together(AT_ONCE, discard)) == [302] * AT_ONCE
    assert count(portal, Ticket, Ticket.status == TicketStatus.DISCARDED) == AT_ONCE
    # One more, discarded from many tabs at once: discarded once, every tab answered.
    number = open_form(maria.browser)
    send_form(maria.browser, number, assunto="Muitas abas")
    token = csrf_from(maria.get(f"/chamados/{number}/descartar"))

    def again(_i):
        return maria.client.post(
            f"/chamados/{number}/descartar", data={"csrf_token": token, "descartar": "1"}
        )

    assert set(statuses(run_together(AT_ONCE, again))) == {302}
    assert count(portal, Ticket, Ticket.status == TicketStatus.DISCARDED) == AT_ONCE + 1
    # And numbering stayed gap-free: the next form follows the last número.
    assert open_form(maria.browser) == f"2026-{AT_ONCE + 2:06d}"
