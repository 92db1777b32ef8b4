"""The support team's side over HTTP: queues, tasks, decisions, notes, deadlines, dashboard."""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from pathlib import Path

import pytest
from apoio_atendimento import (
    ANA,
    ANSWER_NEEDED,
    COMMENT_NEEDED,
    MOVED,
    REASON_NEEDED,
    RITA,
    Mailbox,
    Person,
    at,
    body,
    buttons,
    history_rows,
    messages,
    page,
    page_text,
    read_only,
    requester_view,
    snapshot,
    text_of,
    ticket_by_number,
    version_in,
)
from apoio_chamados import (
    CARLOS,
    FROZEN,
    JOAO,
    MARIA,
    field_value,
    open_form,
    png_bytes,
    upload,
)
from apoio_portal import csrf_token
from sqlalchemy import select

from demo.extensions import db
from demo.models import Note
from demo.services import tasks, teams, tickets, workflow
from demo.services.errors import Conflict


class Team:
    """The demo people, each logged in on first use in their own client."""

    def __init__(self, app):
        self.app = app

    @cached_property
    def maria(self) -> Person:
        return Person(self.app, MARIA)

    @cached_property
    def carlos(self) -> Person:
        return Person(self.app, CARLOS)

    @cached_property
    def joao(self) -> Person:
        return Person(self.app, JOAO)

    @cached_property
    def rita(self) -> Person:
        return Person(self.app, RITA)

    @cached_property
    def ana(self) -> Person:
        return Person(self.app, ANA)


@pytest.fixture
def portal(app):
    app.config["FROZEN_TIME"] = FROZEN
    return app


@pytest.fixture
def team(portal) -> Team:
    return Team(portal)


def triage_to_n2(team: Team, subject: str, category: str = "consulta-tecnica") -> str:
    number = team.maria.open_ticket(subject, category)
    assert team.joao.act(number, "escalar", "Para o Nível 2.").status_code == 302
    return number


# --- queues ------------------------------------------------------------------------------


def test_each_group_sees_its_own_tasks_ordered_by_deadline(team):
    slow = team.maria.open_ticket("Sem paralisação", "defeito-sem-paralisacao")  # 24 h
    fast = team.maria.open_ticket("Consulta", "consulta-tecnica")  # 2 h
    n2 = triage_to_n2(team, "Para o nível 2", "defeito-com-paralisacao")  # 4 h
    middle = team.maria.open_ticket("Com paralisação", "defeito-com-paralisacao")  # 4 h

    assert team.joao.queue_numbers() == [fast, middle, slow]
    assert team.rita.queue_numbers() == [n2]
    # The gestor oversees every group.
    assert team.ana.queue_numbers() == [fast, n2, middle, slow]
    rows = {row.number: row for row in team.joao.queue()}
    assert rows[fast].step == "Triagem" and rows[fast].assignee == "Na fila"
    assert rows[fast].deadline.endswith("Faltam 2 h 00 min")
    assert "Suporte Nível 1" in page_text(team.joao.get("/atendimento/"))

    # Another group's task, by URL: readable, but nothing can be done to it.
    for who, number in ((team.rita, fast), (team.joao, n2)):
        before = snapshot(team.app, number)
        assert read_only(who, number)
        token = csrf_token(who.get("/"))
        for path in ("acao", "assumir", "liberar", "nota"):
            data = {"csrf_token": token, "versao": before.version, "decisao": "solucionar"}
            data.update(comentario="x", nota="x")
            response = who.client.post(f"/atendimento/{number}/{path}", data=data)
            assert response.status_code == 404, (path, response.status_code)
        assert snapshot(team.app, number) == before


def test_requesters_never_reach_the_support_screens(team):
    number = team.maria.open_ticket("Chamado")
    before = snapshot(team.app, number)
    for requester in (team.maria, team.carlos):
        for path in ("/atendimento/", f"/atendimento/{number}", "/atendimento/painel"):
            assert requester.get(path).status_code == 404, path
        token = csrf_token(requester.get("/"))
        for path in ("acao", "assumir", "liberar", "nota"):
            response = requester.client.post(
                f"/atendimento/{number}/{path}",
                data={
                    "csrf_token": token,
                    "versao": before.version,
                    "decisao": "resolver",
                    "nota": "x",
                },
            )
            assert response.status_code == 404, path
    # Nor the requester's answer while the task is the team's (Sua ação is not offered): an old
    # tab or a second click is sent back to Status, told the ticket moved, nothing changed.
    view = requester_view(team.maria, number)
    assert view.step == "Triagem" and view.my_action is None
    response = team.maria.client.post(
        f"/chamados/{number}/responder",
        data={"csrf_token": csrf_token(team.maria.get("/")), "versao": before.version},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/chamados/{number}/status"
    assert MOVED in page_text(team.maria.client.get(response.headers["Location"]))
    assert snapshot(team.app, number) == before
    # Another órgão's requester does not even learn the ticket exists.
    response = team.carlos.client.post(
        f"/chamados/{number}/responder",
        data={"csrf_token": csrf_token(team.carlos.get("/")), "versao": before.version},
    )
    assert response.status_code == 404


def test_agents_act_on_the_task_page_not_through_the_requesters_form(team):
    number = team.maria.open_ticket("Formulário do solicitante")
    before = snapshot(team.app, number)
    for agent in (team.joao, team.ana):
        view = requester_view(agent, number)
        assert view.step == "Triagem" and view.my_action is None and view.choices == []
        assert agent.get(f"/chamados/{number}").status_code == 200  # no detour to "Sua ação"
        data = {
            "csrf_token": csrf_token(agent.get("/")),
            "versao": before.version,
            "decisao": "resolver",
        }
        response = agent.client.post(f"/chamados/{number}/responder", data=data)
        assert response.status_code == 404
    assert snapshot(team.app, number) == before


def taken(person: Person) -> list[str]:
    """Minha Área › Minhas tarefas: the números of the tasks the agent has taken."""
    tree = page(person.get("/minha-area/"))
    table = '//table[caption="Tarefas assumidas por mim"]/tbody/tr/td[1]'
    return [text_of(td) for td in tree.xpath(table)]


def test_assumir_and_liberar(team):
    number = team.maria.open_ticket("Assumir")
    response = team.joao.claim(number)
    assert response.headers["Location"] == f"/atendimento/{number}"
    task = team.joao.get(response.headers["Location"])
    assert "Tarefa assumida." in messages(task)
    assert [r.assignee for r in team.joao.queue()] == ["João Lima"]
    assert page(task).xpath(f'//form[@action="/atendimento/{number}/liberar"]')
    assert taken(team.joao) == [number]

    # Only whoever took it may give it back: the gestor (in every group) may not.
    before = snapshot(team.app, number)
    response = team.ana.release(number, versao=before.version)
    assert response.status_code == 302
    assert "Só quem assumiu a tarefa pode liberá-la." in page_text(
        team.ana.get(response.headers["Location"])
    )
    assert snapshot(team.app, number) == before

    # A stale page: refused, nothing changed.
    response = team.joao.release(number, versao=before.version - 1)
    assert MOVED in page_text(team.joao.get(response.headers["Location"]))
    assert snapshot(team.app, number) == before

    assert team.joao.release(number).status_code == 302
    assert [r.assignee for r in team.joao.queue()] == ["Na fila"]
    assert taken(team.joao) == []

    # Whoever acts without taking it first becomes the step's responsible in the history.
    assert team.ana.act(number, "resolver").status_code == 302
    triage = history_rows(team.maria.get(f"/chamados/{number}/status"))[1]
    assert triage[:3] == ("Triagem", "Ana Costa", "Resolver")


def test_time_left_and_highlighting_follow_the_clock(team):
    number = team.maria.open_ticket("Prazo", "consulta-tecnica")  # due FROZEN + 2 h
    expectations = [
        (timedelta(0), "no-prazo", "Faltam 2 h 00 min"),
        (timedelta(hours=1, minutes=29), "no-prazo", "Faltam 31 min"),
        (timedelta(hours=1, minutes=30), "perto", "Faltam 30 min"),
        (timedelta(hours=2), "perto", "Faltam 0 min"),
        (timedelta(hours=3, minutes=5), "vencido", "Vencido há 1 h 05 min"),
        (timedelta(days=1, hours=3), "vencido", "Vencido há 1 dia 1 h 00 min"),
    ]
    for delta, state, text in expectations:
        at(team.app, delta)
        (row,) = team.joao.queue()
        assert (row.state, row.deadline) == (state, f"29/11/2026 11:00 {text}"), delta
        task = page(team.joao.get(f"/atendimento/{number}"))
        tag = task.xpath('//dl//span[contains(@class, "portal-prazo-")]')[0]
        assert text_of(tag) == text and f"portal-prazo-{state}" in tag.get("class")
        status = page(team.maria.get(f"/chamados/{number}/status"))
        assert text in text_of(status.xpath("//dl")[0])


def test_a_breach_is_recorded_once_and_shown_on_status(team):
    late = team.maria.open_ticket("Atrasado", "consulta-tecnica")  # due 11:00 local
    on_time = team.maria.open_ticket("Folgado", "defeito-sem-paralisacao")
    closed = team.maria.open_ticket("Resolvido a tempo", "consulta-tecnica")
    close(team, closed, timedelta(minutes=30))
    at(team.app, timedelta(hours=2, minutes=1))
    team.joao.queue()
    team.joao.queue()
    team.ana.queue()
    with team.app.app_context():
        assert tasks.record_breaches() == 0
        notes = db.session.scalars(select(Note)).all()
        assert [(n.ticket.number, n.kind, n.author_id) for n in notes] == [
            (late, Note.SYSTEM, None)
        ]
    expected = "Prazo de solução vencido em 29/11/2026 11:00."
    view = requester_view(team.maria, late)
    assert len(view.notes) == 1 and "Aviso do portal Portal" in view.notes[0]
    assert view.notes[0].endswith(expected)
    assert requester_view(team.maria, on_time).notes == []
    # The team sees it too, on the task page and on Status.
    assert expected in page_text(team.joao.get(f"/atendimento/{late}"))
    # Later passes never repeat it, and a closed ticket is not reported.
    at(team.app, timedelta(days=3))
    team.joao.queue()
    with team.app.app_context():
        counts = {n: len(ticket_by_number(n).notes) for n in (late, on_time, closed)}
    assert counts == {late: 1, on_time: 1, closed: 0}


# --- acting on a task --------------------------------------------------------------------


def test_decisions_are_the_bpmn_flows(team):
    number = team.maria.open_ticket("Decisões")
    action = f"/atendimento/{number}/acao"
    with team.app.app_context():
        proc = workflow.current_process()

        def expected(step: str) -> list[tuple[str, str]]:
            return [(value, proc.decision_label(step, value)) for value in proc.decisions(step)]

        triage, resolution, n2, validation = (
            expected(s) for s in ("triagem", "resolucao", "resolucao_n2", "validacao")
        )
    assert triage == [
        ("resolver", "Resolver"),
        ("escalar", "Escalar ao Nível 2"),
        ("informacao", "Solicitar informações"),
    ]
    assert buttons(team.joao.get(f"/atendimento/{number}"), action) == triage
    team.joao.act(number, "resolver")
    assert buttons(team.joao.get(f"/atendimento/{number}"), action) == resolution
    assert ("escalar", "Escalar ao Nível 2") in resolution
    team.joao.act(number, "escalar", "N2, por favor.")
    assert buttons(team.rita.get(f"/atendimento/{number}"), action) == n2
    assert ("devolver", "Devolver ao Nível 1") in n2
    team.rita.act(number, "informacao", "Qual é a versão?")
    status = team.maria.get(f"/chamados/{number}/status")
    assert buttons(status, f"/chamados/{number}/responder") == [("responder", "Enviar resposta")]
    team.maria.respond(number, "responder", "A versão 3.")
    team.rita.act(number, "solucionar", "Atualize.")
    status = team.maria.get(f"/chamados/{number}/status")
    assert buttons(status, f"/chamados/{number}/responder") == validation
    assert validation == [("aceitar", "Aceitar solução"), ("recusar", "Recusar solução")]


def test_comment_required_decisions_are_refused_without_one(team):
    with team.app.app_context():
        required = {
            d
            for d in ("informacao", "escalar", "devolver", "solucionar", "recusar", "resolver")
            if teams.comment_required(d)
        }
    assert required == {"informacao", "escalar", "devolver", "solucionar", "recusar"}
    number = team.maria.open_ticket("Comentários")
    mailbox = Mailbox(team.app)

    def refused(person, decision, comment, requester=False, why=COMMENT_NEEDED):
        mailbox.new()
        before = snapshot(team.app, number)
        if requester:
            response = person.respond(number, decision, comment)
        else:
            response = person.act(number, decision, comment)
        assert response.status_code == 400, (decision, response.status_code)
        assert any(why in m for m in messages(response)), messages(response)
        # Each refusal in the words of who is acting: never the agents' text to a requester.
        if requester:
            assert not any(COMMENT_NEEDED in m for m in messages(response))
        assert snapshot(team.app, number) == before
        assert mailbox.new() == []

    for decision in ("informacao", "escalar"):
        refused(team.joao, decision, "")
        refused(team.joao, decision, "  \n\t ")
    assert team.joao.act(number, "resolver", "").status_code == 302  # no comment needed
    refused(team.joao, "solucionar", "")
    assert team.joao.act(number, "escalar", "Nível 2.").status_code == 302
    refused(team.rita, "devolver", "")
    refused(team.rita, "solucionar", "")
    refused(team.rita, "informacao", " ")
    assert team.rita.act(number, "informacao", "Qual navegador?").status_code == 302
    refused(team.maria, "responder", "", requester=True, why=ANSWER_NEEDED)
    assert team.maria.respond(number, "responder", "Firefox").status_code == 302
    assert team.rita.act(number, "solucionar", "Feito.").status_code == 302
    refused(team.maria, "recusar", "", requester=True, why=REASON_NEEDED)
    assert team.maria.respond(number, "aceitar").status_code == 302  # no reason needed


def test_a_forged_decision_is_refused_and_changes_nothing(team):
    number = team.maria.open_ticket("Forjado")
    for decision in ("solucionar", "aceitar", "devolver", "responder", "aprovar", "", "x" * 80):
        before = snapshot(team.app, number)
        response = team.joao.act(number, decision, "Comentário.")
        assert response.status_code == 400, decision
        assert "Ação inválida para a etapa atual." in messages(response)
        assert field_value(response, "comentario") == "Comentário."  # kept for a retry
        assert snapshot(team.app, number) == before
    team.joao.act(number, "informacao", "Detalhe, por favor.")
    for decision in ("aceitar", "recusar", "resolver", ""):
        before = snapshot(team.app, number)
        response = team.maria.respond(number, decision, "Texto.")
        assert response.status_code == 400, decision
        assert "Ação inválida para a etapa atual." in messages(response)
        assert snapshot(team.app, number) == before


def test_a_stale_page_is_told_the_task_moved(team):
    number = team.maria.open_ticket("Concorrência")
    action = f"/atendimento/{number}/acao"
    old = version_in(team.joao.get(f"/atendimento/{number}"), action)
    assert team.ana.act(number, "resolver").status_code == 302
    before = snapshot(team.app, number)
    assert before.step == "resolucao"
    response = team.joao.act(number, "escalar", "Nível 2.", versao=old)
    assert response.status_code == 409
    assert any(MOVED in m for m in messages(response)), messages(response)
    assert snapshot(team.app, number) == before
    # The page now shows the current step, built from the current version: acting again works.
    assert version_in(response, action) == str(before.version)
    assert "Resolução · Chamado" in page_text(response)
    assert team.joao.act(number, "escalar", "Nível 2.").status_code == 302

    # The requester's page, stale in the same way.
    team.rita.act(number, "solucionar", "Pronto.")
    old = version_in(team.maria.get(f"/chamados/{number}/status"), f"/chamados/{number}/responder")
    assert team.maria.respond(number, "recusar", "Não funcionou.").status_code == 302
    assert team.rita.act(number, "solucionar", "Agora sim.").status_code == 302
    before = snapshot(team.app, number)
    response = team.maria.respond(number, "aceitar", versao=old)
    assert response.status_code == 409
    assert any(MOVED in m for m in messages(response))
    assert snapshot(team.app, number) == before


def test_a_task_not_ready_or_not_ones_own_cannot_be_acted_on(team):
    number = team.maria.open_ticket("Não pronta")
    team.joao.act(number, "informacao", "Mais detalhes?")  # now the requester's task
    before = snapshot(team.app, number)
    for agent in (team.joao, team.rita, team.ana):
        assert read_only(agent, number)  # staff read every ticket they may see
        token = csrf_token(agent.get("/"))
        for decision in ("resolver", "responder"):
            response = agent.client.post(
                f"/atendimento/{number}/acao",
                data={
                    "csrf_token": token,
                    "versao": before.version,
                    "decisao": decision,
                    "comentario": "x",
                },
            )
            assert response.status_code == 404
        # Nor through the requester's own form.
        response = agent.client.post(
            f"/chamados/{number}/responder",
            data={
                "csrf_token": token,
                "versao": before.version,
                "decisao": "responder",
                "comentario": "x",
            },
        )
        assert response.status_code == 404
    # Another órgão's requester does not even see the ticket.
    assert team.carlos.get(f"/chamados/{number}/status").status_code == 404
    assert snapshot(team.app, number) == before

    # A closed ticket has no task at all.
    team.maria.respond(number, "responder", "Eis os detalhes.")
    team.joao.act(number, "resolver")
    team.joao.act(number, "solucionar", "Resolvido.")
    team.maria.respond(number, "aceitar")
    closed = snapshot(team.app, number)
    assert closed.status == "encerrado" and closed.step is None
    # A closed ticket opens for the whole team (the gestor too), with no task to do.
    for agent in (team.joao, team.rita, team.ana):
        assert read_only(agent, number)
    token = csrf_token(team.joao.get("/"))
    data = {"csrf_token": token, "versao": closed.version, "decisao": "resolver"}
    assert team.joao.client.post(f"/atendimento/{number}/acao", data=data).status_code == 404
    assert requester_view(team.maria, number).my_action is None
    assert snapshot(team.app, number) == closed
    # Nor has a draft, which only its author sees.
    draft = open_form(team.maria.browser)
    assert team.joao.get(f"/atendimento/{draft}").status_code == 404
    assert team.joao.client.post(f"/atendimento/{draft}/acao", data=data).status_code == 404


def test_internal_notes_stay_inside_the_team(team):
    number = team.maria.open_ticket("Notas")
    secret = "Nota interna: servidor 10.0.0.7 com disco cheio"
    response = team.joao.note(number, secret)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/atendimento/{number}")
    response = team.joao.note(number, "   ")
    assert response.status_code == 400 and "Escreva a nota interna." in messages(response)
    public = "Pode informar o navegador usado?"
    team.joao.act(number, "escalar", public)

    # The team sees the note (rita now has the task; the gestor sees every group).
    for agent in (team.rita, team.ana):
        assert secret in page_text(agent.get(f"/atendimento/{number}"))
    # The requester never does: not on any tab, not in any e-mail. The public comment, yes.
    for tab in ("status", "acessar", "listagem", "fluxo"):
        assert secret not in team.maria.get(f"/chamados/{number}/{tab}").text, tab
    assert secret not in team.maria.get(f"/chamados/{number}/fluxo.json").text
    assert public in requester_view(team.maria, number).text
    mails = Mailbox(team.app).all()
    assert mails and not any(secret in body(m) for m in mails)
    to_maria = [m for m in mails if m["To"] == MARIA]
    assert any(public in body(m) for m in to_maria)
    # Somebody outside the task's group cannot write on it.
    assert team.joao.note(number, "Outra nota").status_code == 404
    with team.app.app_context():
        kinds = [(n.kind, n.author.email) for n in ticket_by_number(number).notes]
    assert kinds == [(Note.INTERNAL, JOAO)]


def test_answer_files_count_against_the_tickets_attachment_limit(team):
    team.app.config["ATTACHMENT_MAX_COUNT"] = 2
    stored = Path(team.app.config["UPLOAD_FOLDER"])
    number = team.maria.open_ticket("Anexos", files=[upload(png_bytes(), "a.png")])
    team.joao.act(number, "informacao", "Mande as telas.")
    before = snapshot(team.app, number)
    files = [upload(png_bytes(), "b.png"), upload(png_bytes(), "c.png")]
    response = team.maria.respond(number, "responder", "Seguem.", files=files)
    assert response.status_code == 400
    limit = "O chamado já tem 1 anexo(s) e o limite é de 2 arquivos por chamado."
    assert limit in messages(response)
    assert snapshot(team.app, number) == before
    assert len([p for p in stored.rglob("*") if p.is_file()]) == 1
    files = [upload(png_bytes(), "b.png")]
    assert team.maria.respond(number, "responder", "Segue.", files=files).status_code == 302
    assert snapshot(team.app, number).attachments == 2
    assert len([p for p in stored.rglob("*") if p.is_file()]) == 2


# --- the gestor's dashboard ----------------------------------------------------------------


def close(team: Team, number: str, delta: timedelta) -> None:
    """Solve a ticket at FROZEN + delta (the team's time) and have it accepted at once."""
    at(team.app, delta)
    team.joao.act(number, "resolver")
    team.joao.act(number, "solucionar", "Solução.")
    assert team.maria.respond(number, "aceitar").status_code == 302
    at(team.app, timedelta(0))


def dashboard(person: Person, period: str | None = None) -> tuple[str, dict[str, list[str]]]:
    """The Painel's first table: {category: [prazo, recebidos, em atendimento, encerrados,
    encerrados no prazo, % no prazo, vencidos em atendimento]}, checked against its chart."""
    path = "/atendimento/painel" + (f"?periodo={period}" if period is not None else "")
    response = person.get(path)
    assert response.status_code == 200, response.status_code
    tree = page(response)
    selected = tree.xpath('//select[@name="periodo"]/option[@selected]/@value')
    lines = {}
    table = '//table[caption[contains(., "chamados por categoria")]]/tbody/tr'
    for tr in tree.xpath(table):
        name = text_of(tr.xpath("th")[0])
        lines[name] = [text_of(td) for td in tr.xpath("td")]
    chart = '//figure[contains(@aria-label, "encerrados no prazo")]//*[@class="portal-barra"]'
    bars = {
        text_of(b.xpath('.//*[@class="portal-barra-rotulo"]')[0]): b.xpath(
            './/*[@class="portal-barra-valor"]/@width'
        )[0]
        for b in tree.xpath(chart)
    }
    total = lines.pop("Todas as categorias")
    for name, cells in lines.items():
        share = cells[5]
        width = 0 if share == "—" else int(share.rstrip("%"))
        assert bars[name] == str(width), name
    # The total line adds the categories up.
    for column in (1, 2, 3, 4, 6):
        assert int(total[column]) == sum(int(cells[column]) for cells in lines.values())
    return selected[0], lines


def test_dashboard_counts_and_share_within_the_deadline(team):
    # 40 days before: one consulta closed in time (outside the 30-day period).
    at(team.app, timedelta(days=-40))
    old = team.maria.open_ticket("Antigo", "consulta-tecnica")
    close(team, old, timedelta(days=-40, hours=1))
    # In the period: consultas (2 h) closed in 1 h, in exactly 2 h, and in 3 h (late).
    in_time = team.maria.open_ticket("No prazo", "consulta-tecnica")
    close(team, in_time, timedelta(hours=1))
    at_limit = team.maria.open_ticket("No limite", "consulta-tecnica")
    close(team, at_limit, timedelta(hours=2))
    late = team.maria.open_ticket("Atrasado", "consulta-tecnica")
    close(team, late, timedelta(hours=3))
    # Still open: a 24 h defect (overdue once the clock passes a day) and a 4 h one, on time.
    team.maria.open_ticket("Aberto", "defeito-sem-paralisacao")
    team.maria.open_ticket("Aberto também", "defeito-com-paralisacao")
    team.carlos.open_ticket("Do MGI", "defeito-com-paralisacao")  # counted: every órgão
    open_form(team.maria.browser)  # a draft is never counted

    at(team.app, timedelta(hours=3))
    selected, lines = dashboard(team.ana)
    assert selected == "30"
    # “Recebidos” counts every ticket opened in the period; “Em atendimento” only the open ones
    # (the closed are never counted as open).
    assert lines == {
        "Consulta Técnica": ["2 h", "3", "0", "3", "2", "67%", "0"],
        "Defeitos com Paralisação do Serviço": ["4 h", "2", "2", "0", "0", "—", "0"],
        "Defeitos sem Paralisação de Serviço": ["24 h", "1", "1", "0", "0", "—", "0"],
    }
    at(team.app, timedelta(hours=30))
    _, lines = dashboard(team.ana, "90")
    assert lines["Consulta Técnica"] == ["2 h", "4", "0", "4", "3", "75%", "0"]
    assert lines["Defeitos sem Paralisação de Serviço"] == ["24 h", "1", "1", "0", "0", "—", "1"]
    assert lines["Defeitos com Paralisação do Serviço"] == ["4 h", "2", "2", "0", "0", "—", "2"]
    assert dashboard(team.ana, "todos")[1] == lines
    selected, lines = dashboard(team.ana, "7")
    assert selected == "7" and lines["Consulta Técnica"][1:4] == ["3", "0", "3"]
    # An unknown period falls back to the default one, without an error.
    for period in ("", "abc", "-1", "9999", "30%00"):
        assert dashboard(team.ana, period)[0] == "30", period
    # Only the gestor has a dashboard.
    for person in (team.joao, team.rita, team.maria):
        assert person.get("/atendimento/painel").status_code == 404
    assert "Painel" not in [text_of(a) for a in page(team.joao.get("/")).xpath("//nav//a")]


def test_a_task_taken_by_a_colleague_cannot_be_taken_over(app):
    """Assumir refuses a task another agent holds: it must be released first."""
    from apoio_chamados import user

    from demo.services import tasks, tickets

    with app.app_context():
        maria, joao = user(MARIA), user(JOAO)
        ticket = tickets.open_draft(maria)
        tickets.save_draft(ticket, tickets.DraftInput("consulta-tecnica", "Assunto", "Texto"))
        tickets.approve(ticket, maria)
        ana = user("ana.costa@suporte.gov.br")
        tasks.claim(ticket, joao, ticket.version)
        with pytest.raises(Conflict, match="já foi assumida por João Lima"):
            tasks.claim(ticket, ana, ticket.version)
        assert tasks.current_record(ticket).assignee_id == joao.id
        tasks.release(ticket, joao, ticket.version)
        tasks.claim(ticket, ana, ticket.version)
        assert tasks.current_record(ticket).assignee_id == ana.id


def test_the_deadline_check_command_records_each_breach_once(app):
    """`flask verificar-prazos` (for cron) writes the breach note; a second run writes none."""
    from apoio_chamados import user

    at(app, timedelta(0))
    with app.app_context():
        maria = user(MARIA)
        ticket = tickets.open_draft(maria)
        tickets.save_draft(ticket, tickets.DraftInput("consulta-tecnica", "Assunto", "Texto"))
        tickets.approve(ticket, maria)
    at(app, timedelta(hours=3))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["verificar-prazos"])
    assert first.exit_code == 0, first.output
    assert "1 chamado(s) com prazo vencido" in first.output
    second = runner.invoke(args=["verificar-prazos"])
    assert "0 chamado(s)" in second.output
    with app.app_context():
        notes = db.session.scalars(select(Note).where(Note.kind == Note.SYSTEM)).all()
        assert [n.text for n in notes] == ["Prazo de solução vencido em 29/11/2026 11:00."]


def test_a_colleague_cannot_decide_a_task_someone_took(team):
    number = team.maria.open_ticket("Tarefa assumida")
    assert team.joao.claim(number).status_code == 302
    before = snapshot(team.joao.client.application, number)
    response = team.ana.act(number, "resolver")
    assert response.status_code == 409
    assert "assumida por João Lima" in page_text(response)
    assert snapshot(team.joao.client.application, number) == before
    task = team.ana.get(f"/atendimento/{number}")
    assert buttons(task, f"/atendimento/{number}/acao") == []  # only the holder decides
    assert team.joao.act(number, "resolver").status_code == 302
    history = history_rows(team.maria.get(f"/chamados/{number}/status"))
    assert any(row[0] == "Triagem" and row[1] == "João Lima" for row in history)


def test_a_plain_text_anexos_field_is_not_a_file(team):
    number = team.maria.open_ticket("Campo anexos forjado")
    task = team.joao.get(f"/atendimento/{number}")
    response = team.joao.client.post(
        f"/atendimento/{number}/acao",
        data={
            "csrf_token": csrf_token(task),
            "versao": version_in(task, f"/atendimento/{number}/acao"),
            "decisao": "resolver",
            "anexos": "abc",
        },
    )
    assert response.status_code == 302


def test_a_mail_server_that_fails_does_not_hide_a_committed_move(team):
    app = team.maria.client.application
    number = team.maria.open_ticket("Servidor de e-mail fora do ar")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens on port 1
    response = team.joao.act(number, "resolver")
    assert response.status_code == 302
    with app.app_context():
        assert ticket_by_number(number).current_step == "resolucao"


def test_a_second_click_on_the_requesters_answer_is_told_it_was_recorded(team):
    number = team.maria.open_ticket("Duplo clique")
    assert team.joao.act(number, "informacao", "Qual navegador?").status_code == 302
    status = team.maria.get(f"/chamados/{number}/status")
    data = {
        "csrf_token": csrf_token(status),
        "versao": version_in(status, f"/chamados/{number}/responder"),
        "decisao": "responder",
        "comentario": "Firefox.",
    }
    first = team.maria.client.post(f"/chamados/{number}/responder", data=data)
    second = team.maria.client.post(f"/chamados/{number}/responder", data=data)
    assert first.status_code == 302 and second.status_code == 302
    shown = team.maria.client.get(second.headers["Location"])
    assert MOVED in page_text(shown)


def test_an_expired_form_keeps_the_comment_and_says_why(team):
    number = team.maria.open_ticket("Token expirado")
    task = team.joao.get(f"/atendimento/{number}")
    response = team.joao.client.post(
        f"/atendimento/{number}/acao",
        data={
            "csrf_token": "vencido",
            "versao": version_in(task, f"/atendimento/{number}/acao"),
            "decisao": "informacao",
            "comentario": "Um texto longo que não pode se perder.",
        },
    )
    assert response.status_code == 400
    assert "O formulário expirou" in page_text(response)
    assert "Um texto longo que não pode se perder." in page_text(response)


def test_a_tampered_version_gets_a_portuguese_message(team):
    number = team.maria.open_ticket("Versão adulterada")
    response = team.joao.act(number, "resolver", versao="abc")
    assert response.status_code == 400
    assert "Not a valid" not in page_text(response)
    assert "inteiro" in page_text(response)
