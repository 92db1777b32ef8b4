"""Triage and ownership: a category changed (the deadline with it, the requester told), a task
reassigned to another group or agent, a task taken back by the gestor — each with who, when and
why; wrong requests refused in Portuguese, nothing changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from apoio_atendimento import (
    ANA,
    MOVED,
    RITA,
    Mailbox,
    Person,
    at,
    body,
    messages,
    page,
    page_text,
    requester_view,
    snapshot,
    text_of,
)
from apoio_chamados import FROZEN, JOAO, MARIA


@pytest.fixture
def portal(app):
    app.config["FROZEN_TIME"] = FROZEN
    return app


def triage(person: Person, number: str, path: str, **data):
    return person.form_post(f"/atendimento/{number}", f"/atendimento/{number}/{path}", data)


def deadline_fact(person: Person, number: str) -> str:
    view = page(person.get(f"/chamados/{number}/status"))
    facts = view.xpath('//dl[contains(@class, "portal-facts")]')[0]
    pairs = dict(
        zip(
            [text_of(d) for d in facts.xpath("dt")],
            [text_of(d) for d in facts.xpath("dd")],
            strict=True,
        )
    )
    return pairs["Categoria"] + " | " + pairs["Prazo"]


def test_triage_changes_the_category_and_the_requester_sees_the_new_deadline(portal):
    maria, joao = Person(portal, MARIA), Person(portal, JOAO)
    number = maria.open_ticket("Sistema lento", "consulta-tecnica")  # 2 h: 11:00
    assert deadline_fact(maria, number) == "Consulta Técnica | 29/11/2026 11:00 Faltam 2 h 00 min"
    mailbox = Mailbox(portal)
    at(portal, timedelta(minutes=30))
    response = triage(
        joao,
        number,
        "categoria",
        categoria="defeito-sem-paralisacao",
        motivo="Não é dúvida: a tela trava.",
    )
    assert response.status_code == 302
    assert "Categoria alterada" in page_text(joao.get(response.headers["Location"]))
    # 24 h from the opening (09:00), not from the change.
    assert deadline_fact(maria, number) == (
        "Defeitos sem Paralisação de Serviço | 30/11/2026 09:00 Faltam 23 h 30 min"
    )
    # In the conversation, for both sides: who, when, from what to what, and why.
    view = requester_view(maria, number)
    assert "Categoria alterada: Consulta Técnica → Defeitos sem Paralisação de Serviço" in view.text
    assert "Não é dúvida: a tela trava." in view.text and "João Lima" in view.text
    assert "29/11/2026 09:30" in view.text
    # The requester is told by e-mail, with the new deadline and a link to the ticket.
    [mail] = [m for m in mailbox.new() if m["To"] == MARIA]
    # (A long subject comes back folded: its words, not its spaces, are what the reader sees.)
    assert " ".join(str(mail["Subject"]).split()) == (
        f"Chamado {number}: categoria alterada para Defeitos sem Paralisação de Serviço"
    )
    text = body(mail)
    assert "Não é dúvida: a tela trava." in text
    assert "Prazo de solução: 30/11/2026 09:00, horário de Brasília" in text
    assert f"http://suporte.servicos.gov.br/chamados/{number}/status" in text
    # The queue orders it by its new deadline.
    quick = maria.open_ticket("Outra dúvida", "consulta-tecnica")
    assert joao.queue_numbers() == [quick, number]


def test_a_breach_under_the_old_category_no_longer_holds_under_a_longer_one(portal):
    maria, joao = Person(portal, MARIA), Person(portal, JOAO)
    number = maria.open_ticket("Atraso", "consulta-tecnica")
    at(portal, timedelta(hours=3))
    assert [r.state for r in joao.queue()] == ["vencido"]
    triage(joao, number, "categoria", categoria="defeito-sem-paralisacao", motivo="Defeito.")
    assert [r.state for r in joao.queue()] == ["no-prazo"]


def test_reassign_to_another_group_or_to_one_agent(portal):
    maria, joao, rita, ana = (Person(portal, e) for e in (MARIA, JOAO, RITA, ANA))
    number = maria.open_ticket("Servidor", "defeito-com-paralisacao")
    mailbox = Mailbox(portal)
    response = triage(
        joao,
        number,
        "reatribuir",
        grupo="Suporte Nível 2",
        atendente="",
        motivo="Precisa do servidor.",
    )
    assert response.status_code == 302
    assert number not in joao.queue_numbers() and number in rita.queue_numbers()
    [notice] = [m for m in mailbox.new() if m["To"] == RITA]
    assert (
        "João Lima reatribuiu a tarefa “Triagem” de Suporte Nível 1 para Suporte Nível 2"
        in body(notice)
    )
    assert f"http://suporte.servicos.gov.br/atendimento/{number}" in body(notice)
    # To one agent of a group: the task is theirs at once.
    response = triage(
        ana, number, "reatribuir", grupo="Suporte Nível 1", atendente=JOAO, motivo="João já viu."
    )
    assert response.status_code == 302
    rows = {r.number: r for r in joao.queue()}
    assert rows[number].assignee == "João Lima"
    # The team reads every change in the conversation; the requester does not (whose task it
    # is, is the team's business).
    text = page_text(ana.get(f"/atendimento/{number}"))
    assert "Tarefa reatribuída: Suporte Nível 1 → Suporte Nível 2" in text
    assert "Tarefa reatribuída: Suporte Nível 2 → Suporte Nível 1 (João Lima)" in text
    assert "João já viu." in text
    assert "Tarefa reatribuída" not in requester_view(maria, number).text


def test_the_gestor_takes_back_a_task_a_colleague_holds(portal):
    maria, joao, ana = Person(portal, MARIA), Person(portal, JOAO), Person(portal, ANA)
    number = maria.open_ticket("Parado com o João")
    assert joao.claim(number).status_code == 302
    mailbox = Mailbox(portal)
    # Only the gestor has the button.
    assert not page(joao.get(f"/atendimento/{number}")).xpath(
        f'//form[@action="/atendimento/{number}/retomar"]'
    )
    response = triage(ana, number, "retomar", motivo="João está de férias.")
    assert response.status_code == 302
    assert [r.assignee for r in ana.queue() if r.number == number] == ["Ana Costa"]
    [notice] = [m for m in mailbox.new() if m["To"] == JOAO]
    assert notice["Subject"] == f"Chamado {number}: tarefa retomada pelo gestor"
    assert "João está de férias." in body(notice)
    # Now the gestor decides.
    assert ana.act(number, "resolver").status_code == 302
    text = page_text(ana.get(f"/atendimento/{number}"))
    assert "Tarefa retomada pelo gestor: João Lima → Ana Costa" in text


def test_wrong_triage_requests_are_refused_and_change_nothing(portal):
    maria, joao, rita, ana = (Person(portal, e) for e in (MARIA, JOAO, RITA, ANA))
    number = maria.open_ticket("Recusas")
    before = snapshot(portal, number)
    cases = [
        (
            joao,
            "categoria",
            {"categoria": "nao-existe", "motivo": "x"},
            400,
            "Categoria desconhecida: escolha uma das opções.",
        ),
        (
            joao,
            "categoria",
            {"categoria": "consulta-tecnica", "motivo": "x"},
            400,
            "O chamado já está na categoria “Consulta Técnica”.",
        ),
        (
            joao,
            "categoria",
            {"categoria": "defeito-sem-paralisacao", "motivo": "  "},
            400,
            "Escreva o motivo: ele fica no histórico do chamado.",
        ),
        (
            joao,
            "categoria",
            {"categoria": "defeito-sem-paralisacao", "motivo": "x" * 10_001},
            400,
            "O motivo deve ter no máximo 10000 caracteres.",
        ),
        (
            joao,
            "reatribuir",
            {"grupo": "Suporte Nível 9", "motivo": "x"},
            400,
            "Grupo desconhecido: escolha um dos grupos de suporte.",
        ),
        (
            joao,
            "reatribuir",
            {"grupo": "Suporte Nível 2", "atendente": JOAO, "motivo": "x"},
            400,
            "João Lima não é atendente do grupo Suporte Nível 2",
        ),
        (
            joao,
            "reatribuir",
            {"grupo": "Suporte Nível 1", "atendente": "ana.costa@suporte.gov.br", "motivo": "x"},
            400,
            "Ana Costa não é atendente do grupo Suporte Nível 1",
        ),
        (
            joao,
            "reatribuir",
            {"grupo": "Suporte Nível 1", "atendente": "", "motivo": "x"},
            400,
            "O chamado já está com esse grupo e esse responsável.",
        ),
        (
            joao,
            "retomar",
            {"motivo": "x"},
            403,
            "Só o gestor retoma uma tarefa assumida por outra pessoa.",
        ),
        (ana, "retomar", {"motivo": "x"}, 409, "Esta tarefa não está assumida por outra pessoa"),
    ]
    for person, path, data, status, message in cases:
        response = triage(person, number, path, **data)
        assert response.status_code == status, (path, data, response.status_code)
        assert any(message in m for m in messages(response)), (message, messages(response))
        assert snapshot(portal, number) == before
    # Another group's agent may not triage it; a requester never reaches the screen.
    for person, status in ((rita, 404), (maria, 404)):
        token_page = person.get("/")
        from apoio_portal import csrf_token

        response = person.client.post(
            f"/atendimento/{number}/categoria",
            data={
                "csrf_token": csrf_token(token_page),
                "versao": before.version,
                "categoria": "defeito-sem-paralisacao",
                "motivo": "x",
            },
        )
        assert response.status_code == status
    # A stale page: the ticket moved meanwhile.
    assert joao.claim(number).status_code == 302
    stale = triage(
        ana,
        number,
        "categoria",
        categoria="defeito-sem-paralisacao",
        motivo="x",
        versao=before.version,
    )
    assert stale.status_code == 409 and any(MOVED in m for m in messages(stale))
    assert snapshot(portal, number).version == before.version + 1
    # A closed ticket has nothing to triage.
    joao.act(number, "resolver")
    joao.act(number, "solucionar", "Feito.")
    maria.respond(number, "aceitar")
    closed = snapshot(portal, number)
    response = ana.client.post(
        f"/atendimento/{number}/categoria",
        data={
            "csrf_token": csrf_token(ana.get("/")),
            "versao": closed.version,
            "categoria": "defeito-sem-paralisacao",
            "motivo": "x",
        },
    )
    assert response.status_code == 409
    assert "Este chamado não está em atendimento" in page_text(response)
    assert snapshot(portal, number) == closed
