"""Every write path of the portal, run many times at once, on SQLite and PostgreSQL.

A class presses the same button in the same second: each test releases AT_ONCE requests
(or service calls) together and asserts that none of them failed — no 500, no 503, no lock
error — and that the database holds exactly what they wrote.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from apoio_atendimento import Person, version_in
from apoio_chamados import FROZEN, JOAO, MARIA, csrf_from, open_form, png_bytes, send_form
from apoio_concorrencia import AT_ONCE, count, errors_in, run_together, statuses
from apoio_turma import CLASS_PASSWORD, browsers, make_people
from sqlalchemy import select

from demo.extensions import db
from demo.models import (
    Attachment,
    LoginFailure,
    LoginSession,
    Note,
    OutgoingEmail,
    Ticket,
    TicketStatus,
    User,
)
from demo.services import accounts
from demo.services.errors import Conflict

ROOT = Path(__file__).resolve().parent.parent
NEW_PASSWORD = "um cavalo azul no pasto"


@pytest.fixture
def portal(app):
    app.config["FROZEN_TIME"] = FROZEN
    return app


def login_forms(people, emails, prefix=""):
    """GET every login form first: the race is on the POST."""
    return [
        csrf_from(b.client.get(f"{prefix}/entrar")) for b, _e in zip(people, emails, strict=True)
    ]


# --- accounts --------------------------------------------------------------------------


def test_a_class_logs_in_at_once(portal):
    emails = make_people(portal, AT_ONCE)
    people = browsers(portal, AT_ONCE)
    tokens = login_forms(people, emails)

    def press(i):
        return people[i].client.post(
            "/entrar", data={"csrf_token": tokens[i], "usuario": emails[i], "senha": CLASS_PASSWORD}
        )

    assert statuses(run_together(AT_ONCE, press)) == [302] * AT_ONCE
    assert count(portal, LoginSession) == AT_ONCE
    for person in people:
        assert person.client.get("/").status_code == 200


def test_one_account_logs_in_from_many_tabs_at_once(portal):
    people = browsers(portal, AT_ONCE)
    tokens = [
        csrf_from(b.client.get("/mapa/entrar" if i % 2 else "/entrar"))
        for i, b in enumerate(people)
    ]

    def press(i):
        path = "/mapa/entrar" if i % 2 else "/entrar"
        return people[i].client.post(
            path, data={"csrf_token": tokens[i], "usuario": MARIA, "senha": "solicitante-demo"}
        )

    assert statuses(run_together(AT_ONCE, press)) == [302] * AT_ONCE
    assert count(portal, LoginSession) == AT_ONCE


def test_a_class_logs_out_at_once(portal):
    emails = make_people(portal, AT_ONCE)
    people = browsers(portal, AT_ONCE)
    for person, email in zip(people, emails, strict=True):
        assert person.login(email, CLASS_PASSWORD).status_code == 302
    tokens = [csrf_from(person.client.get("/")) for person in people]

    def leave(i):
        return people[i].client.post("/sair", data={"csrf_token": tokens[i]})

    assert statuses(run_together(AT_ONCE, leave)) == [302] * AT_ONCE
    assert count(portal, LoginSession, LoginSession.ended_at.is_(None)) == 0


def test_a_class_does_its_first_access_at_once(portal):
    emails = make_people(portal, AT_ONCE, first_access=True)
    people = browsers(portal, AT_ONCE)
    tokens = login_forms(people, emails)

    def press(i):
        return people[i].client.post(
            "/entrar", data={"csrf_token": tokens[i], "usuario": emails[i], "senha": CLASS_PASSWORD}
        )

    responses = run_together(AT_ONCE, press)
    assert statuses(responses) == [302] * AT_ONCE
    assert {r.headers["Location"] for r in responses} == {"/trocar-senha"}
    change_tokens = [csrf_from(person.client.get("/trocar-senha")) for person in people]

    def change(i):
        return people[i].client.post(
            "/trocar-senha",
            data={
                "csrf_token": change_tokens[i],
                "senha_atual": CLASS_PASSWORD,
                "nova_senha": NEW_PASSWORD,
                "confirmacao": NEW_PASSWORD,
            },
        )

    assert statuses(run_together(AT_ONCE, change)) == [302] * AT_ONCE
    assert count(portal, User, User.email.in_(emails), User.password_hash.is_(None)) == 0
    for person in people:
        assert person.client.get("/").status_code == 200


def test_one_password_changed_from_many_tabs_at_once(portal):
    """One tab wins; the others are told, in Portuguese, that it changed meanwhile."""
    [email] = make_people(portal, 1)
    people = browsers(portal, AT_ONCE)
    for person in people:
        assert person.login(email, CLASS_PASSWORD).status_code == 302
    tokens = [csrf_from(person.client.get("/trocar-senha")) for person in people]

    def change(i):
        new = f"{NEW_PASSWORD} {i}"
        return people[i].client.post(
            "/trocar-senha",
            data={
                "csrf_token": tokens[i],
                "senha_atual": CLASS_PASSWORD,
                "nova_senha": new,
                "confirmacao": new,
            },
        )

    responses = run_together(AT_ONCE, change)
    codes = statuses(responses)
    assert all(code < 500 for code in codes), codes
    assert codes.count(302) >= 1
    for response in responses:
        if response.status_code != 302:
            # The change happened meanwhile: either while this one was checked, or before
            # (then the typed current password is simply no longer the current one).
            assert response.status_code == 200
            assert (
                "foi alterada em outra janela" in response.text
                or "A senha atual não confere." in response.text
            )


def test_password_changes_race_logouts(portal):
    emails = make_people(portal, AT_ONCE)
    people = browsers(portal, AT_ONCE)
    for person, email in zip(people, emails, strict=True):
        assert person.login(email, CLASS_PASSWORD).status_code == 302
    tokens = [csrf_from(person.client.get("/trocar-senha")) for person in people]

    def act(i):
        if i % 2:
            return people[i].client.post("/sair", data={"csrf_token": tokens[i]})
        return people[i].client.post(
            "/trocar-senha",
            data={
                "csrf_token": tokens[i],
                "senha_atual": CLASS_PASSWORD,
                "nova_senha": NEW_PASSWORD,
                "confirmacao": NEW_PASSWORD,
            },
        )

    assert statuses(run_together(AT_ONCE, act)) == [302] * AT_ONCE


def test_accounts_created_at_once(portal):
    def create(i):
        with portal.app_context():
            try:
                return accounts.create_user(
                    f"nova{i}@agro.gov.br", f"Nova {i}", "MAPA", "solicitante"
                ).id
            finally:
                db.session.remove()

    results = run_together(AT_ONCE, create)
    assert errors_in(results) == []
    assert count(portal, User, User.email.like("nova%")) == AT_ONCE
    assert count(portal, OutgoingEmail) == AT_ONCE


def test_the_same_account_created_at_once_exists_once(portal):
    def create(_i):
        with portal.app_context():
            try:
                return accounts.create_user(
                    "mesma@agro.gov.br", "Mesma Pessoa", "MAPA", "solicitante"
                ).id
            finally:
                db.session.remove()

    results = run_together(AT_ONCE, create)
    refusals = errors_in(results)
    assert len(refusals) == AT_ONCE - 1
    assert all(isinstance(r, Conflict) and "Já existe" in r.message for r in refusals)
    assert count(portal, User, User.email == "mesma@agro.gov.br") == 1
    assert count(portal, OutgoingEmail) == 1


def test_criar_usuario_run_at_once_in_separate_processes(portal, database_url, tmp_path):
    """The CLI as people run it: separate processes, each its own connection."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PORTAL_MAIL_SERVER": "",
        "PORTAL_MAIL_OUTBOX": str(tmp_path / "caixa"),
        "PORTAL_SECRET_KEY": "teste",
    }
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "demo",
                "criar-usuario",
                f"cli{i}@agro.gov.br",
                "--nome",
                f"Pessoa {i}",
                "--orgao",
                "MAPA",
            ],
            env=environment,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(AT_ONCE)
    ]
    outcomes = [(p.wait(timeout=180), *p.communicate()) for p in processes]
    for code, out, err in outcomes:
        assert code == 0, err
        assert "Traceback" not in out + err
        assert "Conta criada" in out
    assert count(portal, User, User.email.like("cli%")) == AT_ONCE


def test_wrong_passwords_at_once_are_all_counted(portal):
    people = browsers(portal, AT_ONCE)
    tokens = [csrf_from(b.client.get("/entrar")) for b in people]

    def guess(i):
        return people[i].client.post(
            "/entrar", data={"csrf_token": tokens[i], "usuario": MARIA, "senha": f"errada {i}"}
        )

    codes = statuses(run_together(AT_ONCE, guess))
    assert set(codes) <= {200, 429}
    # Every wrong password was counted for the account (a few may have been refused unread,
    # once the lock had engaged).
    with portal.app_context():
        failures = db.session.scalars(select(LoginFailure.failures)).all()
    assert max(failures) + codes.count(429) >= AT_ONCE
    assert Person(portal, JOAO)  # a colleague on the same address still gets in


# --- tickets ---------------------------------------------------------------------------


@pytest.fixture
def requesters(portal):
    """AT_ONCE requesters, logged in, each in their own browser."""
    emails = make_people(portal, AT_ONCE)
    people = browsers(portal, AT_ONCE)
    for person, email in zip(people, emails, strict=True):
        assert person.login(email, CLASS_PASSWORD).status_code == 302
    return people


def test_drafts_saved_at_once(portal, requesters):
    numbers = [open_form(person) for person in requesters]
    tokens = [
        csrf_from(p.client.get(f"/chamados/{n}/formulario"))
        for p, n in zip(requesters, numbers, strict=True)
    ]

    def save(i):
        return requesters[i].client.post(
            f"/chamados/{numbers[i]}/formulario",
            data={
                "csrf_token": tokens[i],
                "categoria": "consulta-tecnica",
                "assunto": f"Assunto {i}",
                "descricao": f"Descrição {i}",
                "salvar": "1",
            },
        )

    assert statuses(run_together(AT_ONCE, save)) == [302] * AT_ONCE
    assert count(portal, Ticket, Ticket.subject.like("Assunto %")) == AT_ONCE


def test_one_draft_saved_from_many_tabs_at_once(portal, requesters):
    person = requesters[0]
    number = open_form(person)
    token = csrf_from(person.client.get(f"/chamados/{number}/formulario"))

    def save(i):
        return person.client.post(
            f"/chamados/{number}/formulario",
            data={
                "csrf_token": token,
                "categoria": "",
                "assunto": f"Versão {i}",
                "descricao": "",
                "salvar": "1",
            },
        )

    assert statuses(run_together(AT_ONCE, save)) == [302] * AT_ONCE


def test_attachments_added_at_once(portal, requesters):
    numbers = [open_form(person) for person in requesters]
    for person in requesters:
        person.client.get("/")  # warm
    tokens = [
        csrf_from(p.client.get(f"/chamados/{n}/formulario"))
        for p, n in zip(requesters, numbers, strict=True)
    ]

    def attach(i):
        import io

        return requesters[i].client.post(
            f"/chamados/{numbers[i]}/formulario",
            data={
                "csrf_token": tokens[i],
                "categoria": "",
                "assunto": "",
                "descricao": "",
                "anexos": [(io.BytesIO(png_bytes()), f"tela-{i}.png")],
                "salvar": "1",
            },
            content_type="multipart/form-data",
        )

    assert statuses(run_together(AT_ONCE, attach)) == [302] * AT_ONCE
    assert count(portal, Attachment) == AT_ONCE
    stored = [p for p in Path(portal.config["UPLOAD_FOLDER"]).iterdir() if p.is_file()]
    assert len(stored) == AT_ONCE


def test_approvals_at_once(portal, requesters):
    numbers = []
    for i, person in enumerate(requesters):
        number = open_form(person)
        response = send_form(
            person,
            number,
            "salvar",
            categoria="consulta-tecnica",
            assunto=f"Chamado {i}",
            descricao="Texto.",
        )
        assert response.status_code == 302
        numbers.append(number)
    tokens = [
        csrf_from(p.client.get(f"/chamados/{n}/formulario"))
        for p, n in zip(requesters, numbers, strict=True)
    ]

    def approve(i):
        return requesters[i].client.post(
            f"/chamados/{numbers[i]}/formulario",
            data={
                "csrf_token": tokens[i],
                "categoria": "consulta-tecnica",
                "assunto": f"Chamado {i}",
                "descricao": "Texto.",
                "aprovar": "1",
            },
        )

    assert statuses(run_together(AT_ONCE, approve)) == [302] * AT_ONCE
    assert count(portal, Ticket, Ticket.status == TicketStatus.OPEN) == AT_ONCE
    # Each approval queued its receipt (and the group's notice) in its own transaction.
    assert count(portal, OutgoingEmail) >= 2 * AT_ONCE


# --- the support team and the requester's answers --------------------------------------


@pytest.fixture
def open_tickets(portal):
    maria = Person(portal, MARIA)
    return maria, [maria.open_ticket(f"Chamado {i}") for i in range(AT_ONCE)]


def task_forms(person, numbers, action):
    pages = [person.get(f"/atendimento/{n}") for n in numbers]
    return [
        (csrf_from(page), version_in(page, f"/atendimento/{n}/{action}"))
        for page, n in zip(pages, numbers, strict=True)
    ]


def test_an_agent_takes_many_tasks_at_once(portal, open_tickets):
    _maria, numbers = open_tickets
    joao = Person(portal, JOAO)
    forms = task_forms(joao, numbers, "assumir")

    def take(i):
        token, version = forms[i]
        return joao.client.post(
            f"/atendimento/{numbers[i]}/assumir", data={"csrf_token": token, "versao": version}
        )

    assert statuses(run_together(AT_ONCE, take)) == [302] * AT_ONCE
    assert len(joao.get("/minha-area/").text.split("Chamado ")) > AT_ONCE


def test_agents_act_on_many_tasks_at_once(portal, open_tickets):
    maria, numbers = open_tickets
    joao = Person(portal, JOAO)
    forms = task_forms(joao, numbers, "acao")

    def act(i):
        token, version = forms[i]
        return joao.client.post(
            f"/atendimento/{numbers[i]}/acao",
            data={
                "csrf_token": token,
                "versao": version,
                "decisao": "informacao",
                "comentario": f"Qual versão? {i}",
            },
            content_type="multipart/form-data",
        )

    assert statuses(run_together(AT_ONCE, act)) == [302] * AT_ONCE

    # Now every ticket waits on the requester: she answers them all at once.
    pages = [maria.get(f"/chamados/{n}/status") for n in numbers]
    answers = [
        (csrf_from(page), version_in(page, f"/chamados/{n}/responder"))
        for page, n in zip(pages, numbers, strict=True)
    ]

    def answer(i):
        token, version = answers[i]
        return maria.client.post(
            f"/chamados/{numbers[i]}/responder",
            data={
                "csrf_token": token,
                "versao": version,
                "decisao": "responder",
                "comentario": f"Versão 1.{i}",
            },
            content_type="multipart/form-data",
        )

    assert statuses(run_together(AT_ONCE, answer)) == [302] * AT_ONCE
    with portal.app_context():
        steps = db.session.scalars(
            select(Ticket.current_step).where(Ticket.number.in_(numbers))
        ).all()
    assert set(steps) == {"triagem"}


def test_internal_notes_written_at_once_on_one_ticket(portal, open_tickets):
    _maria, numbers = open_tickets
    joao = Person(portal, JOAO)
    token = csrf_from(joao.get(f"/atendimento/{numbers[0]}"))

    def note(i):
        return joao.client.post(
            f"/atendimento/{numbers[0]}/nota",
            data={"csrf_token": token, "nota": f"Nota {i}", "salvar_nota": "1"},
        )

    assert statuses(run_together(AT_ONCE, note)) == [302] * AT_ONCE
    assert count(portal, Note, Note.kind == Note.INTERNAL) == AT_ONCE


def test_queues_opened_at_once_while_deadlines_pass(portal, open_tickets):
    """Opening the queue records breaches (a write in a GET): many at once, once each."""
    _maria, numbers = open_tickets
    portal.config["FROZEN_TIME"] = "2026-12-10T12:00:00Z"  # every deadline is past
    people = [Person(portal, JOAO) for _ in range(4)] + [Person(portal, "ana.costa@suporte.gov.br")]
    clients = [people[i % len(people)].client for i in range(AT_ONCE)]
    assert (
        statuses(run_together(AT_ONCE, lambda i: clients[i].get("/atendimento/")))
        == [200] * AT_ONCE
    )
    assert count(portal, Note, Note.kind == Note.SYSTEM) == AT_ONCE


def test_two_hundred_logins_at_once(portal):
    """A whole auditorium: nothing answers 500, nobody is throttled, everyone gets in."""
    emails = make_people(portal, 200)
    people = browsers(portal, 200)
    tokens = login_forms(people, emails)

    def press(i):
        return people[i].client.post(
            "/entrar", data={"csrf_token": tokens[i], "usuario": emails[i], "senha": CLASS_PASSWORD}
        )

    assert statuses(run_together(200, press)) == [302] * 200
    assert count(portal, LoginSession) == 200
