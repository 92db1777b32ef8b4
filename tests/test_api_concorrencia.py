"""Every write path of the API, run many times at once, on SQLite and PostgreSQL.

Integrations retry and run in parallel: AT_ONCE calls are released together and none may fail
with a 5xx; the database holds exactly what the winners wrote.
"""

from __future__ import annotations

import io

import pytest
from apoio_api import Api, token_for
from apoio_chamados import FROZEN, JOAO, MARIA, png_bytes, user
from apoio_concorrencia import AT_ONCE, count, errors_in, run_together
from apoio_portal import Browser, csrf_token

from demo.extensions import db
from demo.models import ApiToken, Attachment, StepRecord, Ticket, TicketStatus
from demo.services import api_tokens

DRAFT = {"categoria": "consulta-tecnica", "assunto": "Lentidão", "descricao": "Detalhes."}


@pytest.fixture
def portal(app):
    app.config["FROZEN_TIME"] = FROZEN
    return app


def statuses(responses) -> list[int]:
    assert errors_in(responses) == []
    codes = [response.status_code for response in responses]
    assert all(code < 500 for code in codes), codes
    return codes


def clients(app, token: str, how_many: int = AT_ONCE) -> list[Api]:
    return [Api(app.test_client(), token) for _ in range(how_many)]


def approved_ticket(app, token: str) -> tuple[str, int]:
    api = Api(app.test_client(), token)
    number = api.post("/chamados", json=DRAFT).json["numero"]
    return number, api.post(f"/chamados/{number}/aprovar").json["versao"]


def test_many_drafts_opened_at_once_get_distinct_numbers(portal):
    calls = clients(portal, token_for(portal, MARIA))
    responses = run_together(AT_ONCE, lambda i: calls[i].post("/chamados", json=DRAFT))
    assert statuses(responses) == [201] * AT_ONCE
    numbers = {response.json["numero"] for response in responses}
    assert len(numbers) == AT_ONCE
    assert count(portal, Ticket, Ticket.status == TicketStatus.DRAFT) == AT_ONCE


def test_many_files_attached_to_one_draft_at_once_respect_the_limit(portal):
    token = token_for(portal, MARIA)
    number = Api(portal.test_client(), token).post("/chamados", json=DRAFT).json["numero"]
    calls = clients(portal, token)

    def send(i):
        return calls[i].post(
            f"/chamados/{number}/anexos",
            data={"arquivo": (io.BytesIO(png_bytes()), f"tela-{i}.png")},
            content_type="multipart/form-data",
        )

    codes = statuses(run_together(AT_ONCE, send))
    limit = portal.config["ATTACHMENT_MAX_COUNT"]
    assert codes.count(201) == limit and codes.count(400) == AT_ONCE - limit
    assert count(portal, Attachment) == limit


def test_one_draft_approved_many_times_at_once_is_sent_once(portal):
    token = token_for(portal, MARIA)
    number = Api(portal.test_client(), token).post("/chamados", json=DRAFT).json["numero"]
    calls = clients(portal, token)
    codes = statuses(run_together(AT_ONCE, lambda i: calls[i].post(f"/chamados/{number}/aprovar")))
    assert codes.count(200) == 1 and codes.count(409) == AT_ONCE - 1
    assert count(portal, StepRecord, StepRecord.step == "triagem") == 1


def test_one_task_taken_by_many_calls_at_once_has_one_holder(portal):
    number, version = approved_ticket(portal, token_for(portal, MARIA))
    calls = clients(portal, token_for(portal, JOAO))
    codes = statuses(
        run_together(
            AT_ONCE, lambda i: calls[i].post(f"/tarefas/{number}/assumir", json={"versao": version})
        )
    )
    assert codes.count(200) == 1 and codes.count(409) == AT_ONCE - 1


def test_many_tasks_decided_at_once(portal):
    maria = token_for(portal, MARIA)
    tickets = [approved_ticket(portal, maria) for _ in range(AT_ONCE)]
    calls = clients(portal, token_for(portal, JOAO))

    def decide(i):
        number, version = tickets[i]
        return calls[i].post(
            f"/tarefas/{number}/decisao", json={"decisao": "resolver", "versao": version}
        )

    assert statuses(run_together(AT_ONCE, decide)) == [200] * AT_ONCE
    assert count(portal, Ticket, Ticket.current_step == "resolucao") == AT_ONCE


def test_one_decision_sent_many_times_at_once_moves_the_ticket_once(portal):
    number, version = approved_ticket(portal, token_for(portal, MARIA))
    calls = clients(portal, token_for(portal, JOAO))
    body = {"decisao": "informacao", "comentario": "Qual navegador?", "versao": version}
    codes = statuses(
        run_together(AT_ONCE, lambda i: calls[i].post(f"/tarefas/{number}/decisao", json=body))
    )
    # The losers are told the ticket moved, or (once it waits for the requester) that the task
    # is no longer theirs, as the task page says.
    assert codes.count(200) == 1 and codes.count(409) + codes.count(404) == AT_ONCE - 1
    assert count(portal, StepRecord, StepRecord.step == "complementacao") == 1


def test_one_answer_sent_many_times_at_once_is_recorded_once(portal):
    maria = token_for(portal, MARIA)
    number, version = approved_ticket(portal, maria)
    joao = Api(portal.test_client(), token_for(portal, JOAO))
    asked = joao.post(
        f"/tarefas/{number}/decisao",
        json={"decisao": "informacao", "comentario": "Qual navegador?", "versao": version},
    ).json["versao"]
    calls = clients(portal, maria)
    body = {"decisao": "responder", "comentario": "Firefox.", "versao": asked}
    codes = statuses(
        run_together(AT_ONCE, lambda i: calls[i].post(f"/chamados/{number}/respostas", json=body))
    )
    assert codes.count(200) == 1 and codes.count(409) == AT_ONCE - 1
    assert count(portal, StepRecord, StepRecord.step == "triagem") == 2


def test_many_tokens_created_at_once_by_the_service(portal):
    def create(i):
        with portal.app_context():
            try:
                return api_tokens.create(user(MARIA), f"sistema {i}", "leitura", 30).secret
            finally:
                db.session.remove()

    secrets = run_together(AT_ONCE, create)
    assert errors_in(secrets) == []
    assert len(set(secrets)) == AT_ONCE
    assert count(portal, ApiToken) == AT_ONCE
    responses = run_together(
        AT_ONCE, lambda i: Api(portal.test_client(), secrets[i]).get("/chamados")
    )
    assert statuses(responses) == [200] * AT_ONCE


def test_many_tokens_created_at_once_in_minha_area(portal):
    people = [Browser(portal.test_client()) for _ in range(AT_ONCE)]
    for person in people:
        assert person.login(MARIA, "solicitante-demo").status_code == 302
    forms = [csrf_token(person.client.get("/minha-area/tokens")) for person in people]

    def create(i):
        return people[i].client.post(
            "/minha-area/tokens",
            data={"csrf_token": forms[i], "nome": f"aba {i}", "escopo": "escrita", "validade": "5"},
        )

    assert statuses(run_together(AT_ONCE, create)) == [200] * AT_ONCE
    assert count(portal, ApiToken) == AT_ONCE


def test_many_calls_at_once_are_counted_exactly(app_factory):
    limit = 10
    portal = app_factory(API_CALLS_PER_MINUTE=limit, FROZEN_TIME=FROZEN)
    calls = clients(portal, token_for(portal, MARIA))
    codes = statuses(run_together(AT_ONCE, lambda i: calls[i].get("/categorias")))
    assert codes.count(200) == limit and codes.count(429) == AT_ONCE - limit


def test_a_token_revoked_while_in_use(portal):
    token = token_for(portal, MARIA)
    calls = clients(portal, token)

    def work(i):
        if i == 0:
            with portal.app_context():
                try:
                    return api_tokens.revoke_secret(token).name
                finally:
                    db.session.remove()
        return calls[i].get("/chamados")

    results = run_together(AT_ONCE, work)
    assert errors_in(results) == []
    codes = [r.status_code for r in results[1:]]
    assert set(codes) <= {200, 401}, codes
    assert Api(portal.test_client(), token).get("/chamados").status_code == 401
