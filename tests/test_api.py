"""The integration API (/api/v1): the same rules as the screens, personal tokens, problem
documents for every refusal, and the specification with its reference page."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import yaml
from apoio_api import Api, token_for
from apoio_atendimento import ANA, RITA, Person, at
from apoio_chamados import CARLOS, FROZEN, JOAO, MARIA, pdf_bytes, png_bytes, user
from apoio_portal import Browser, csrf_token
from sqlalchemy import func, select

from demo.extensions import db
from demo.models import ApiToken, Attachment, StepRecord, Ticket, TicketStatus
from demo.security import CONTENT_SECURITY_POLICY
from demo.services import api_tokens

PROBLEM = "application/problem+json"
DRAFT = {"categoria": "consulta-tecnica", "assunto": "Erro ao exportar", "descricao": "Detalhes."}


@pytest.fixture
def portal(app):
    app.config["FROZEN_TIME"] = FROZEN
    return app


def api_as(app, email: str, scope: str = "escrita") -> Api:
    return Api(app.test_client(), token_for(app, email, scope))


def state(app) -> tuple:
    """What a refused call must leave as it was: tickets, their versions, attachments, steps."""
    with app.app_context():
        found = (
            db.session.scalar(select(func.count()).select_from(Ticket)),
            tuple(db.session.scalars(select(Ticket.version).order_by(Ticket.id))),
            tuple(db.session.scalars(select(Ticket.subject).order_by(Ticket.id))),
            db.session.scalar(select(func.count()).select_from(Attachment)),
            db.session.scalar(select(func.count()).select_from(StepRecord)),
        )
        db.session.remove()
        return found


def assert_problem(response, status: int, text: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.data[:500])
    assert response.mimetype == PROBLEM
    document = response.json
    assert document["status"] == status
    assert document["type"].startswith("/api/v1/problemas/")
    assert document["title"] and document["detail"]
    if text:
        assert text in document["detail"], document
    return document


def open_draft(api: Api, **fields) -> str:
    response = api.post("/chamados", json={**DRAFT, **fields})
    assert response.status_code == 201, response.json
    return response.json["numero"]


def attach(api: Api, number: str, content: bytes, name: str):
    response = api.post(
        f"/chamados/{number}/anexos",
        data={"arquivo": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )
    # Werkzeug's client leaves the request body's temporary file open when the portal refused
    # it unread (413).
    response.request.input_stream.close()
    return response


# --- tokens ----------------------------------------------------------------------------


def test_criar_token_prints_a_token_that_opens_the_api(portal):
    runner = portal.test_cli_runner()
    result = runner.invoke(
        args=["criar-token", MARIA, "--nome", "Protocolo", "--escopo", "escrita", "--validade", "7"]
    )
    assert result.exit_code == 0, result.output
    token = result.output.split()[-1]
    assert token.startswith(api_tokens.PREFIX)
    assert "Protocolo" in result.output and "escrita" in result.output
    api = Api(portal.test_client(), token)
    assert api.get("/categorias").status_code == 200
    assert api.post("/chamados", json=DRAFT).status_code == 201

    revoked = runner.invoke(args=["revogar-token", token])
    assert revoked.exit_code == 0, revoked.output
    assert "revogado" in revoked.output
    assert_problem(api.get("/categorias"), 401, "revogado")


def test_the_command_line_refuses_in_portuguese(portal):
    runner = portal.test_cli_runner()
    unknown = runner.invoke(args=["criar-token", "ninguem@orgao.gov.br"])
    assert unknown.exit_code == 1 and "Não há conta" in unknown.output
    wrong = runner.invoke(args=["criar-token", MARIA, "--escopo", "tudo", "--validade", "0"])
    assert wrong.exit_code == 1
    assert "Escolha o escopo" in wrong.output and "validade" in wrong.output
    assert runner.invoke(args=["revogar-token", "pst_forjado"]).exit_code == 1
    with portal.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_only_a_keyed_hash_of_the_token_is_stored(portal):
    token = token_for(portal, MARIA)
    with portal.app_context():
        row = db.session.scalars(select(ApiToken)).one()
        assert token not in (row.token_hash, row.hint, row.name)
        assert row.token_hash == api_tokens.digest(token)
        assert token.startswith(row.hint) and len(row.hint) < len(token) // 3
    # Another secret key: the same token no longer matches (a database copy alone is useless).
    portal.config["SECRET_KEY"] = "outra-chave"
    assert_problem(Api(portal.test_client(), token).get("/categorias"), 401)


def test_minha_area_creates_shows_once_lists_and_revokes(portal):
    client = portal.test_client()
    browser = Browser(client)
    assert browser.login(MARIA, "solicitante-demo").status_code == 302
    page = client.get("/minha-area/tokens")
    assert page.status_code == 200 and "Tokens de acesso" in page.text
    created = client.post(
        "/minha-area/tokens",
        data={
            "csrf_token": csrf_token(page),
            "nome": "Intranet",
            "escopo": "leitura",
            "validade": "30",
        },
    )
    assert created.status_code == 200
    token = created.text.split('id="token-criado" type="text" readonly value="')[1].split('"')[0]
    assert token.startswith(api_tokens.PREFIX)
    # Shown once: the list shows its beginning only.
    again = client.get("/minha-area/tokens")
    assert token not in again.text and token[: api_tokens.HINT_LENGTH] in again.text
    assert "Intranet" in again.text and "Ativo" in again.text

    api = Api(portal.test_client(), token)
    assert api.get("/chamados").status_code == 200
    assert_problem(api.post("/chamados", json=DRAFT), 403, "somente de leitura")

    with portal.app_context():
        token_id = db.session.scalars(select(ApiToken.id)).one()
    revoked = client.post(
        f"/minha-area/tokens/{token_id}/revogar", data={"csrf_token": csrf_token(again)}
    )
    assert revoked.status_code == 302
    assert "Revogado" in client.get("/minha-area/tokens").text
    assert_problem(api.get("/chamados"), 401, "revogado")


def test_minha_area_keeps_what_was_typed_when_refused(portal):
    client = portal.test_client()
    Browser(client).login(MARIA, "solicitante-demo")
    page = client.get("/minha-area/tokens")
    refused = client.post(
        "/minha-area/tokens",
        data={
            "csrf_token": csrf_token(page),
            "nome": "Meu sistema",
            "escopo": "escrita",
            "validade": "9999",
        },
    )
    assert refused.status_code == 400
    assert "A validade deve ser um número de dias de 1 a" in refused.text
    assert 'value="Meu sistema"' in refused.text and 'value="9999"' in refused.text
    assert "token-criado" not in refused.text


def test_another_users_token_cannot_be_revoked_from_minha_area(portal):
    token_for(portal, CARLOS)
    with portal.app_context():
        token_id = db.session.scalars(select(ApiToken.id)).one()
    client = portal.test_client()
    Browser(client).login(MARIA, "solicitante-demo")
    page = client.get("/minha-area/tokens")
    response = client.post(
        f"/minha-area/tokens/{token_id}/revogar", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == 404
    with portal.app_context():
        assert db.session.scalars(select(ApiToken.revoked_at)).one() is None


@pytest.mark.parametrize(
    ("header", "text"),
    [
        (None, "Authorization: Bearer"),
        ("Basic bWFyaWE6c2VuaGE=", "Authorization: Bearer"),
        ("Bearer pst_forjado-000000000000000000000000000000000", "inválido"),
        ("Bearer qualquer-coisa", "inválido"),
    ],
)
def test_a_missing_or_forged_token_is_401_with_www_authenticate(portal, header, text):
    client = portal.test_client()
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/chamados", headers=headers)
    assert_problem(response, 401, text)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Set-Cookie" not in response.headers


def test_an_expired_token_is_401(portal):
    api = Api(portal.test_client(), token_for(portal, MARIA, days=1))
    assert api.get("/categorias").status_code == 200
    at(portal, timedelta(days=1, seconds=1))
    assert_problem(api.get("/categorias"), 401, "venceu")


def test_a_login_session_opens_nothing_in_the_api(portal):
    client = portal.test_client()
    Browser(client).login(MARIA, "solicitante-demo")
    assert_problem(client.get("/api/v1/chamados"), 401)


def test_no_csrf_token_is_asked_of_the_api(app_factory):
    portal = app_factory(WTF_CSRF_ENABLED=True, FROZEN_TIME=FROZEN)
    api = api_as(portal, MARIA)
    assert api.post("/chamados", json=DRAFT).status_code == 201


def test_calls_are_limited_per_token(app_factory):
    portal = app_factory(API_CALLS_PER_MINUTE=3, FROZEN_TIME=FROZEN)
    maria, carlos = api_as(portal, MARIA), api_as(portal, CARLOS)
    assert [maria.get("/categorias").status_code for _ in range(3)] == [200] * 3
    refused = maria.get("/categorias")
    assert_problem(refused, 429, "3 pedidos por minuto")
    assert int(refused.headers["Retry-After"]) == 60
    # Another token has its own count; the next minute starts afresh.
    assert carlos.get("/categorias").status_code == 200
    at(portal, timedelta(minutes=1))
    assert maria.get("/categorias").status_code == 200


# --- the same rules as the screens -------------------------------------------------------


def test_open_attach_approve_and_follow_until_solved(portal):
    maria = api_as(portal, MARIA)
    joao = api_as(portal, JOAO)
    created = maria.post("/chamados", json={"assunto": "Tela em branco"})
    assert created.status_code == 201
    number = created.json["numero"]
    assert created.headers["Location"] == f"/api/v1/chamados/{number}"
    assert created.json["situacao"] == "rascunho" and created.json["etapa"]["id"] == "abertura"

    assert maria.patch(f"/chamados/{number}", json=DRAFT).json["assunto"] == DRAFT["assunto"]
    sent = attach(maria, number, png_bytes(), "tela.png")
    assert sent.status_code == 201 and sent.json["tipo"] == "image/png"
    approved = maria.post(f"/chamados/{number}/aprovar")
    assert approved.status_code == 200
    assert approved.json["situacao"] == "aberto" and approved.json["etapa"]["id"] == "triagem"
    assert approved.json["prazo"]["situacao"] == "no-prazo"

    queue = joao.get("/tarefas").json["itens"]
    task = next(t for t in queue if t["numero"] == number)
    assert {a["decisao"] for a in task["acoes"]} == {"resolver", "escalar", "informacao"}
    taken = joao.post(f"/tarefas/{number}/assumir", json={"versao": task["versao"]})
    assert taken.status_code == 200 and taken.json["responsavel"] == "João Lima"
    version = taken.json["versao"]
    moved = joao.post(f"/tarefas/{number}/decisao", json={"decisao": "resolver", "versao": version})
    assert moved.status_code == 200 and moved.json["etapa"]["id"] == "resolucao"
    solved = joao.post(
        f"/tarefas/{number}/decisao",
        json={
            "decisao": "solucionar",
            "comentario": "Limpe o cache.",
            "versao": moved.json["versao"],
        },
    )
    assert solved.status_code == 200 and solved.json["etapa"]["id"] == "validacao"

    mine = maria.get(f"/chamados/{number}").json
    assert [a["decisao"] for a in mine["acoes"]] == ["aceitar", "recusar"]
    accepted = maria.post(
        f"/chamados/{number}/respostas", json={"decisao": "aceitar", "versao": mine["versao"]}
    )
    assert accepted.status_code == 200
    assert accepted.json["situacao"] == "encerrado" and accepted.json["acoes"] == []
    # A second answer (an old tab, a script that retries): nothing changes.
    again = maria.post(
        f"/chamados/{number}/respostas", json={"decisao": "aceitar", "versao": mine["versao"]}
    )
    assert_problem(again, 409)

    history = maria.get(f"/chamados/{number}/historico").json
    who = [(row["etapa"], row["quem"], row["desfecho"]) for row in history["etapas"]]
    assert who == [
        ("Abertura de Chamado", "Maria Souza", "Aprovar"),
        ("Triagem", "João Lima", "Resolver"),
        ("Resolução", "João Lima", "Solucionar"),
        ("Validação da Solução", "Maria Souza", "Aceitar solução"),
    ]
    flow = maria.get(f"/chamados/{number}/fluxo").json
    assert flow["atual"] is None and "validacao" in flow["concluidas"]
    with maria.get(f"/chamados/{number}/anexos/{sent.json['id']}") as downloaded:
        assert downloaded.status_code == 200 and downloaded.data == png_bytes()
        assert "tela.png" in downloaded.headers["Content-Disposition"]
    with portal.app_context():
        row = db.session.scalars(select(Attachment)).one()
        assert row.uploaded_by.email == MARIA


def test_another_organizations_ticket_is_404_everywhere(portal):
    maria = api_as(portal, MARIA)
    number = open_draft(maria)
    sent = attach(maria, number, png_bytes(), "tela.png").json
    maria.post(f"/chamados/{number}/aprovar")
    carlos = api_as(portal, CARLOS)  # another órgão (MGI)
    for path in (
        f"/chamados/{number}",
        f"/chamados/{number}/historico",
        f"/chamados/{number}/fluxo",
        f"/chamados/{number}/anexos",
        f"/chamados/{number}/anexos/{sent['id']}",
    ):
        assert_problem(carlos.get(path), 404, "não encontrado")
    assert_problem(
        carlos.post(f"/chamados/{number}/respostas", json={"decisao": "aceitar", "versao": 1}),
        404,
    )
    assert number not in [t["numero"] for t in carlos.get("/chamados").json["itens"]]
    # The requester's colleague of the same órgão sees it; the support team too.
    with portal.app_context():
        from demo.services import accounts

        accounts.create_user("paula.ramos@agro.gov.br", "Paula Ramos", "MAPA", "solicitante")
    assert api_as(portal, "paula.ramos@agro.gov.br").get(f"/chamados/{number}").status_code == 200
    assert api_as(portal, RITA).get(f"/chamados/{number}").status_code == 200


def test_drafts_are_their_authors_only(portal):
    maria = api_as(portal, MARIA)
    number = open_draft(maria)
    assert_problem(api_as(portal, JOAO).get(f"/chamados/{number}"), 404)
    assert_problem(api_as(portal, JOAO).post("/chamados", json=DRAFT), 403, "solicitantes")


def test_internal_notes_are_for_the_team_only(portal):
    maria = api_as(portal, MARIA)
    number = open_draft(maria)
    maria.post(f"/chamados/{number}/aprovar")
    joao = api_as(portal, JOAO)
    note = joao.post(f"/tarefas/{number}/notas", json={"texto": "Ver com a infraestrutura."})
    assert note.status_code == 201 and note.json["tipo"] == "interna"
    assert [n["texto"] for n in joao.get(f"/chamados/{number}/historico").json["notas"]] == [
        "Ver com a infraestrutura."
    ]
    assert maria.get(f"/chamados/{number}/historico").json["notas"] == []


def test_a_requester_has_no_queue(portal):
    assert_problem(api_as(portal, MARIA).get("/tarefas"), 403, "equipe de suporte")


def test_the_list_filters_and_pages(portal):
    maria = api_as(portal, MARIA)
    numbers = [open_draft(maria, assunto=f"Chamado {i}") for i in range(3)]
    for number in numbers[:2]:
        maria.post(f"/chamados/{number}/aprovar")
    page = maria.get("/chamados?situacao=aberto&meus=true&por_pagina=1&pagina=2").json
    assert page["total"] == 2 and page["paginas"] == 2 and len(page["itens"]) == 1
    assert maria.get("/chamados?situacao=rascunho").json["total"] == 1
    assert maria.get(f"/chamados?numero={numbers[0]}").json["itens"][0]["numero"] == numbers[0]
    # Consulta Técnica: 2 hours. In its last quarter it is "perto"; past it, "vencido".
    at(portal, timedelta(hours=1, minutes=40))
    near = maria.get("/chamados?situacao=aberto&prazo=perto&meus=true&ordem=prazo").json
    assert [t["numero"] for t in near["itens"]] == numbers[:2]
    assert near["itens"][0]["prazo"]["situacao"] == "perto"
    assert maria.get("/chamados?prazo=no-prazo&meus=true").json["total"] == 0
    at(portal, timedelta(hours=3))
    assert maria.get("/chamados?prazo=vencido&meus=true").json["total"] == 2
    assert maria.get("/chamados?prazo=sem-prazo").json["total"] == 1


def test_categories_come_with_their_deadlines(portal):
    found = api_as(portal, MARIA).get("/categorias").json
    consulta = next(c for c in found if c["codigo"] == "consulta-tecnica")
    with portal.app_context():
        from demo.services import categories

        category = categories.get("consulta-tecnica")
        assert consulta["horas"] == category.hours
        assert consulta["prazo"] == category.deadline_text


# --- bad input: a problem document, never 5xx, nothing changed ---------------------------


def test_bad_requests_get_problems_and_change_nothing(portal):
    maria = api_as(portal, MARIA)
    number = open_draft(maria)
    attach(maria, number, png_bytes(), "tela.png")
    before = state(portal)
    cases = [
        (
            maria.post("/chamados", data="{nao e json", content_type="application/json"),
            400,
            "não é um JSON válido",
        ),
        (
            maria.patch(f"/chamados/{number}", json={"assunto": 42}),
            400,
            "O campo “assunto” deve ser um texto.",
        ),
        (
            maria.patch(f"/chamados/{number}", json={"assunto": "ok", "prioridade": "alta"}),
            400,
            "O campo “prioridade” não existe neste pedido.",
        ),
        (maria.patch(f"/chamados/{number}", json=["assunto"]), 400, "objeto JSON"),
        (
            maria.patch(f"/chamados/{number}", json={"assunto": "x" * 151}),
            400,
            "O assunto deve ter no máximo 150 caracteres.",
        ),
        (
            maria.patch(f"/chamados/{number}", json={"assunto": "novo", "categoria": "outra"}),
            400,
            "Categoria desconhecida",
        ),
        (maria.post("/chamados", json={"descricao": "x" * 10_001}), 400, "A descrição deve ter"),
        (maria.post("/chamados", json={"descricao": "x" * 300_000}), 413, "grande demais"),
        (
            attach(maria, number, b"MZ\x90\x00executavel", "programa.exe"),
            400,
            "tipo de arquivo não aceito",
        ),
        (attach(maria, number, png_bytes(), "planilha.pdf"), 400, "não corresponde ao tipo"),
        (attach(maria, number, b"", "vazio.txt"), 400, "está vazio"),
        (
            maria.post(f"/chamados/{number}/anexos", data={}, content_type="multipart/form-data"),
            400,
            "O campo “arquivo” é obrigatório.",
        ),
        (maria.get("/chamados/2026-00000x"), 400, "Número de chamado inválido"),
        (maria.get("/chamados/0"), 400, "Número de chamado inválido"),
        (maria.get("/chamados/2026-999999"), 404, "Chamado não encontrado."),
        (maria.get("/chamados?numero=abc"), 400, "Número de chamado inválido"),
        (maria.get("/chamados?pagina=0"), 400, "A primeira página é a 1."),
        (maria.get("/chamados?pagina=50"), 400, "A página 50 não existe"),
        (maria.get("/chamados?por_pagina=1000"), 400, "Itens por página"),
        (maria.get("/chamados?por_pagina=dez"), 400, "O campo “por_pagina” deve ser um número"),
        (maria.get("/chamados?situacao=perdido"), 400, "O campo “situacao” deve ser um destes"),
        (maria.get("/chamados?etapa=inexistente"), 400, "Etapa desconhecida"),
        (maria.call("PUT", "/chamados"), 405, "PUT"),
        (maria.post("/chamados", data="assunto=x", content_type="text/plain"), 415, "json"),
        (maria.patch(f"/chamados/{number}", data={"assunto": "x"}), 415, "json"),
        (maria.get("/nao-existe"), 404, None),
        (maria.get(f"/chamados/{number}/anexos/999"), 404, "Anexo não encontrado"),
        (maria.delete(f"/chamados/{number}/anexos/999"), 404, "Anexo não encontrado"),
    ]
    for response, status, text in cases:
        assert_problem(response, status, text)
    assert state(portal) == before


def test_a_file_over_the_size_limit_is_refused_unstored(app_factory):
    portal = app_factory(ATTACHMENT_MAX_MB=1, FROZEN_TIME=FROZEN)
    maria = api_as(portal, MARIA)
    number = open_draft(maria)
    before = state(portal)
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024)
    assert_problem(attach(maria, number, big, "grande.pdf"), 413)
    assert state(portal) == before
    assert attach(maria, number, pdf_bytes(), "pequeno.pdf").status_code == 201


def test_decisions_the_bpmn_does_not_offer_are_refused(portal):
    maria = api_as(portal, MARIA)
    number = open_draft(maria)
    version = maria.post(f"/chamados/{number}/aprovar").json["versao"]
    joao = api_as(portal, JOAO)
    before = state(portal)
    assert_problem(
        joao.post(f"/tarefas/{number}/decisao", json={"decisao": "aceitar", "versao": version}),
        400,
        "Ação inválida para a etapa atual.",
    )
    assert_problem(
        joao.post(f"/tarefas/{number}/decisao", json={"decisao": "escalar", "versao": version}),
        400,
        "Escreva um comentário",
    )
    assert_problem(
        joao.post(f"/tarefas/{number}/decisao", json={"decisao": "resolver", "versao": 99}),
        409,
        "já foi movido",
    )
    assert_problem(
        joao.post(f"/tarefas/{number}/decisao", json={"decisao": "resolver"}),
        400,
        "O campo “versao” é obrigatório.",
    )
    assert_problem(
        joao.post(f"/tarefas/{number}/decisao", json={"decisao": "resolver", "versao": "1"}),
        400,
        "O campo “versao” deve ser um número inteiro.",
    )
    # The requester cannot answer a task that is the team's.
    assert_problem(
        maria.post(f"/chamados/{number}/respostas", json={"decisao": "aceitar", "versao": version}),
        409,
    )
    assert state(portal) == before


def test_a_read_only_token_writes_nothing(portal):
    maria = api_as(portal, MARIA)
    number = open_draft(maria)
    reader = api_as(portal, MARIA, scope="leitura")
    before = state(portal)
    for response in (
        reader.post("/chamados", json=DRAFT),
        reader.patch(f"/chamados/{number}", json={"assunto": "outro"}),
        reader.post(f"/chamados/{number}/aprovar"),
        attach(reader, number, png_bytes(), "a.png"),
    ):
        assert_problem(response, 403, "somente de leitura")
    assert state(portal) == before
    assert reader.get(f"/chamados/{number}").status_code == 200


def test_an_approved_ticket_cannot_be_changed(portal):
    maria = api_as(portal, MARIA)
    number = open_draft(maria)
    maria.post(f"/chamados/{number}/aprovar")
    before = state(portal)
    assert_problem(maria.patch(f"/chamados/{number}", json={"assunto": "x"}), 409, "já foi enviado")
    assert_problem(maria.post(f"/chamados/{number}/aprovar"), 409)
    assert_problem(attach(maria, number, png_bytes(), "a.png"), 409)
    assert state(portal) == before


def test_approving_an_incomplete_draft_lists_what_is_missing(portal):
    maria = api_as(portal, MARIA)
    number = maria.post("/chamados").json["numero"]
    refused = assert_problem(maria.post(f"/chamados/{number}/aprovar"), 400)
    assert {p["campo"] for p in refused["erros"]} == {"categoria", "assunto", "descricao"}
    with portal.app_context():
        assert db.session.scalar(select(Ticket.status)) == TicketStatus.DRAFT
        assert user(MARIA).email == MARIA


# --- the specification and its reference page -------------------------------------------


def test_the_specification_is_openapi_3_1_in_json_and_yaml(portal):
    client = portal.test_client()
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    assert {"/api/v1/chamados", "/api/v1/tarefas/{numero}/decisao"} <= set(document["paths"])
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    as_yaml = client.get("/api/v1/openapi.yaml")
    assert as_yaml.mimetype == "application/yaml"
    assert yaml.safe_load(as_yaml.data) == document


def test_the_reference_page_is_served_by_the_portal_under_its_policy(portal):
    client = portal.test_client()
    page = client.get("/api/v1/referencia")
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "/vendor/swagger-ui-dist/swagger-ui-bundle.js" in page.text
    assert "<script>" not in page.text and "style=" not in page.text
    bundle = client.get("/vendor/swagger-ui-dist/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    bundle.close()
    # Linked from every page's footer.
    assert 'href="/api/v1/referencia"' in client.get("/entrar").text


def test_every_problem_type_leads_to_the_manual(portal):
    client = portal.test_client()
    response = client.get("/api/v1/problemas/nao-encontrado")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/manual/api.html#problemas")
    assert client.get("/api/v1/problemas/inventado").status_code == 404


def test_the_gestor_sees_every_queue(portal):
    maria = api_as(portal, MARIA)
    number = open_draft(maria)
    maria.post(f"/chamados/{number}/aprovar")
    assert number in [t["numero"] for t in api_as(portal, ANA).get("/tarefas").json["itens"]]
    assert number not in [t["numero"] for t in api_as(portal, RITA).get("/tarefas").json["itens"]]
    Person(portal, JOAO)  # the screens and the API share the accounts


def test_a_task_taken_and_released_and_a_colleague_refused(portal):
    maria = api_as(portal, MARIA)
    number = open_draft(maria)
    version = maria.post(f"/chamados/{number}/aprovar").json["versao"]
    joao, ana = api_as(portal, JOAO), api_as(portal, ANA)
    taken = joao.post(f"/tarefas/{number}/assumir", json={"versao": version}).json
    assert taken["responsavel"] == "João Lima"
    # A colleague may neither take nor decide it while it is João's.
    assert_problem(
        ana.post(f"/tarefas/{number}/assumir", json={"versao": taken["versao"]}),
        409,
        "já foi assumida por João Lima",
    )
    assert_problem(
        ana.post(f"/tarefas/{number}/liberar", json={"versao": taken["versao"]}),
        409,
        "Só quem assumiu a tarefa pode liberá-la.",
    )
    assert_problem(
        ana.post(
            f"/tarefas/{number}/decisao", json={"decisao": "resolver", "versao": taken["versao"]}
        ),
        409,
        "assumida por João Lima",
    )
    assert ana.get(f"/tarefas/{number}").json["acoes"] == []
    released = joao.post(f"/tarefas/{number}/liberar", json={"versao": taken["versao"]})
    assert released.status_code == 200 and released.json["responsavel"] is None
    assert {a["decisao"] for a in ana.get(f"/tarefas/{number}").json["acoes"]} == {
        "resolver",
        "escalar",
        "informacao",
    }


def test_an_attachment_removed_from_the_draft(portal):
    maria = api_as(portal, MARIA)
    number = open_draft(maria)
    sent = attach(maria, number, png_bytes(), "tela.png").json
    assert [a["id"] for a in maria.get(f"/chamados/{number}/anexos").json] == [sent["id"]]
    assert maria.delete(f"/chamados/{number}/anexos/{sent['id']}").status_code == 204
    assert maria.get(f"/chamados/{number}/anexos").json == []
    assert_problem(maria.get(f"/chamados/{number}/anexos/{sent['id']}"), 404)
