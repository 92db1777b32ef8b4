"""Chamados: every ticket the team may see, filtered, searched (accents and case ignored),
sorted, paged, exported as CSV for a pt-BR spreadsheet; bad filters refused in Portuguese."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from apoio_atendimento import ANA, RITA, Person, at, page, page_text, text_of
from apoio_chamados import CARLOS, FROZEN, JOAO, MARIA, open_form, user
from apoio_helpdesk import world
from sqlalchemy import func, select

from demo.config import read_toml
from demo.extensions import db
from demo.models import OutgoingEmail, Ticket, User
from demo.services import demo_data, ticket_list


@pytest.fixture
def portal(app):
    app.config["FROZEN_TIME"] = FROZEN
    return app


@pytest.fixture
def demo_tickets(portal):
    """The demo tickets of conf/demo.toml, loaded as `make run` loads them (with their history)."""
    with portal.app_context():
        users = {u.email: u for u in db.session.scalars(select(User))}
        for item in read_toml("demo.toml")["chamados"]:
            demo_data._ticket(item, users)
        numbers = list(db.session.scalars(select(Ticket.number).order_by(Ticket.id)))
        db.session.remove()
    return numbers


def listed(person: Person, **filters) -> list[str]:
    """The números the Chamados list shows for these filters (first page)."""
    response = person.client.get("/atendimento/chamados", query_string=filters)
    assert response.status_code == 200, (filters, response.status_code, page_text(response))
    return [
        text_of(td)
        for td in page(response).xpath('//table[caption="Chamados encontrados"]/tbody/tr/td[1]')
    ]


def total(person: Person, **filters) -> str:
    response = person.client.get("/atendimento/chamados", query_string=filters)
    return text_of(page(response).xpath('//div[@class="portal-resultado"]/p')[0])


def test_the_gestor_finds_the_demo_ticket_by_words_of_its_subject(portal, demo_tickets):
    ana = Person(portal, ANA)
    report, integration, _token, _slowness = demo_tickets
    # Any case, without the accents, a word begun: as a person types into a search box.
    for typed in (
        "relatorio",
        "RELATÓRIO",
        "Relat",
        "planilha relatório",
        "atendimentos exporta",
        "exportar",  # in the description ("ao clicar em Exportar")
        "  relatório  de   planilha ",  # stop words and spaces do not matter
    ):
        assert listed(ana, busca=typed) == [report], typed
    assert listed(ana, busca="integrar protocolo") == [integration]
    assert listed(ana, busca="relatorio integrar") == []  # every word must be there
    # By número: whole, without the year, or its digits.
    assert listed(ana, busca=report) == [report]
    assert listed(ana, busca="1") == [report]
    assert listed(ana, busca="000002") == [integration]
    # Agents list every órgão's tickets too; requesters have no such screen.
    assert sorted(listed(Person(portal, JOAO))) == sorted(demo_tickets)
    # The words of the conversation are not the ticket's: only número, subject, description.
    assert listed(ana, busca="Firefox") == []
    assert Person(portal, MARIA).get("/atendimento/chamados").status_code == 404


def test_the_export_opens_in_a_brazilian_spreadsheet(portal, demo_tickets):
    ana = Person(portal, ANA)
    response = ana.client.get("/atendimento/chamados.csv", query_string={"busca": "relatorio"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        'attachment; filename="chamados-2026-11-29.csv"' == response.headers["Content-Disposition"]
    )
    raw = response.data
    assert raw.startswith("\ufeff".encode())  # the BOM tells Excel it is UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Nº do Processo", "Assunto", "Situação", "Etapa"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Nº do Processo"] == demo_tickets[0]
    assert row["Assunto"] == "Relatório de atendimentos não exporta para planilha"
    assert row["Situação"] == "Em atendimento" and row["Etapa"] == "Validação da Solução"
    assert row["Aberto em"] == "29/11/2026 06:00"  # Brasília time, dd/mm/aaaa
    # Waiting on Maria's validation, in a category whose clock stops meanwhile.
    assert row["Prazo"] == "" and row["Situação do prazo"] == "Parado (aguardando o solicitante)"
    assert row["Órgão"] == "MAPA" and row["E-mail do solicitante"] == MARIA
    assert b"\r\n" in raw  # spreadsheet line ends
    # The whole list, unfiltered: every demo ticket, the closed with their ratings.
    everything = ana.client.get("/atendimento/chamados.csv").data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(everything), delimiter=";"))
    assert len(lines) == 1 + len(demo_tickets)
    ratings = {line[0]: line[-1] for line in lines[1:]}
    assert ratings == {
        demo_tickets[0]: "",
        demo_tickets[1]: "",
        demo_tickets[2]: "5",
        demo_tickets[3]: "3",
    }


def test_a_cell_that_would_be_a_formula_is_text(portal):
    maria = Person(portal, MARIA)
    maria.open_ticket('=HYPERLINK("http://x";"clique")')
    response = Person(portal, ANA).client.get("/atendimento/chamados.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][1].startswith("'=HYPERLINK")


def test_filters_narrow_the_list(portal):
    numbers = world(portal)
    ana = Person(portal, ANA)
    every = {numbers[k] for k in ("aguardando", "validacao", "encerrado", "nivel2", "triagem")}
    assert set(listed(ana)) == every  # drafts and discarded drafts are their authors' own
    assert listed(ana, situacao="encerrado") == [numbers["encerrado"]]
    assert set(listed(ana, situacao="aberto")) == every - {numbers["encerrado"]}
    assert listed(ana, etapa="validacao") == [numbers["validacao"]]
    assert listed(ana, etapa="resolucao_n2") == [numbers["nivel2"]]
    assert set(listed(ana, categoria="defeito-sem-paralisacao")) == {
        numbers["aguardando"],  # changed in triage
        numbers["validacao"],
        numbers["triagem"],
    }
    assert listed(ana, orgao="MGI") == [numbers["nivel2"]]
    assert listed(ana, orgao="mgi") == [numbers["nivel2"]]
    assert listed(ana, solicitante=CARLOS) == [numbers["nivel2"]]
    assert listed(ana, grupo="Suporte Nível 2") == [numbers["nivel2"]]
    assert set(listed(ana, grupo="Solicitante")) == {numbers["aguardando"], numbers["validacao"]}
    assert listed(ana, responsavel=RITA) == [numbers["nivel2"]]
    assert listed(ana, responsavel="ninguem") == [numbers["triagem"]]
    # Both wait on Maria, in a category whose clock stops meanwhile.
    assert set(listed(ana, prazo="parado")) == {numbers["aguardando"], numbers["validacao"]}
    assert listed(ana, prazo="cumprido") == [numbers["encerrado"]]
    assert listed(ana, prazo="descumprido") == []
    assert listed(ana, avaliacao="4") == [numbers["encerrado"]]
    assert listed(ana, avaliacao="todas") == [numbers["encerrado"]]
    assert listed(ana, avaliacao="5") == []
    assert set(listed(ana, de="2026-11-29", ate="29/11/2026")) == every
    assert listed(ana, de="30/11/2026") == []
    assert listed(ana, ate="28/11/2026") == []
    assert set(listed(ana, periodo="7")) == every
    # Filters combine; the search with them.
    assert listed(ana, situacao="aberto", orgao="MAPA", busca="anexar pdf") == [numbers["triagem"]]
    assert listed(ana, busca="Sistema", orgao="MAPA") == []
    # The clock moves: the defects near their end, then past it.
    at(portal, timedelta(hours=20))
    assert set(listed(ana, prazo="perto")) == {numbers["triagem"]}
    assert listed(ana, prazo="vencido") == [numbers["nivel2"]]  # 4 h, running
    at(portal, timedelta(days=3))
    assert set(listed(ana, prazo="vencido")) == {numbers["triagem"], numbers["nivel2"]}
    assert listed(ana, prazo="no-prazo") == []


def test_sorting_and_pages(app_factory):
    portal = app_factory(FROZEN_TIME=FROZEN, LIST_PAGE_SIZE=2)
    maria = Person(portal, MARIA)
    numbers = []
    for index, category in enumerate(
        [
            "defeito-sem-paralisacao",
            "consulta-tecnica",
            "defeito-com-paralisacao",
            "consulta-tecnica",
            "defeito-sem-paralisacao",
        ]
    ):
        at(portal, timedelta(minutes=index))
        numbers.append(maria.open_ticket(f"Chamado {index}", category))
    ana = Person(portal, ANA)
    assert listed(ana) == [numbers[4], numbers[3]]  # newest first
    assert listed(ana, pagina="2") == [numbers[2], numbers[1]]
    assert listed(ana, pagina="3") == [numbers[0]]
    assert listed(ana, ordem="antigos") == numbers[:2]
    assert listed(ana, ordem="numero", pagina="3") == [numbers[4]]
    assert listed(ana, ordem="prazo") == [numbers[1], numbers[3]]  # the 2 h ones first
    assert "5 chamados: mostrando 3 a 4." in total(ana, pagina="2")
    response = ana.get("/atendimento/chamados?pagina=2&ordem=antigos")
    links = page(response).xpath('//nav[@aria-label="Páginas dos chamados"]//a/@href')
    assert links == [
        "/atendimento/chamados?ordem=antigos",
        "/atendimento/chamados?ordem=antigos&pagina=3",
    ]


def snapshot(app) -> tuple[int, int, int]:
    with app.app_context():
        counts = (
            db.session.scalar(select(func.count()).select_from(Ticket)),
            db.session.scalar(select(func.sum(Ticket.version))),
            db.session.scalar(select(func.count()).select_from(OutgoingEmail)),
        )
        db.session.remove()
        return counts


BAD_FILTERS = [
    ({"de": "31/02/2026"}, "Data inválida: “31/02/2026”"),
    ({"ate": "2026-13-01"}, "Data inválida: “2026-13-01”"),
    ({"de": "ontem"}, "Data inválida: “ontem”"),
    ({"de": "01/01/0999"}, "Data inválida"),
    ({"de": "10/12/2026", "ate": "01/12/2026"}, "A data inicial é depois da data final."),
    ({"situacao": "rascunho"}, "Situação desconhecida: “rascunho”."),
    ({"etapa": "fim"}, "Etapa desconhecida: “fim”."),
    ({"categoria": "urgente"}, "Categoria desconhecida: “urgente”."),
    ({"orgao": "XYZ"}, "Órgão desconhecido: “XYZ”."),
    ({"solicitante": "ninguem@x.gov.br"}, "Nenhuma conta com o e-mail “ninguem@x.gov.br”."),
    ({"grupo": "Suporte Nível 9"}, "Grupo desconhecido: “Suporte Nível 9”."),
    ({"responsavel": MARIA}, f"“{MARIA}” não é da equipe de suporte."),
    ({"prazo": "amanha"}, "Situação de prazo desconhecida: “amanha”."),
    ({"periodo": "365"}, "Período desconhecido: “365”."),
    ({"avaliacao": "0"}, "Avaliação desconhecida: “0”. Escolha uma nota de 1 a 5."),
    ({"avaliacao": "6"}, "Avaliação desconhecida: “6”."),
    ({"ordem": "aleatoria"}, "Ordem desconhecida: “aleatoria”."),
    ({"pagina": "-1"}, "A página deve ser um número inteiro a partir de 1."),
    ({"pagina": "0"}, "A página deve ser um número inteiro a partir de 1."),
    ({"pagina": "dois"}, "A página deve ser um número inteiro a partir de 1."),
    ({"pagina": "99"}, "A página 99 não existe: a lista tem 1 página."),
    ({"busca": "x" * 10_000}, "A busca aceita até 200 caracteres; esta tem 10.000."),
    ({"busca": "´`~^¨"}, "A busca precisa de ao menos uma letra ou algarismo"),
    ({"busca": "!!! ??? ---"}, "A busca precisa de ao menos uma letra ou algarismo"),
]


def test_bad_filters_are_refused_in_portuguese_and_change_nothing(portal):
    Person(portal, MARIA).open_ticket("Um chamado")
    ana = Person(portal, ANA)
    before = snapshot(portal)
    for filters, message in BAD_FILTERS:
        # The export is the whole filtered list: a page past the end concerns only the screen.
        paths = ["/atendimento/chamados"]
        if filters != {"pagina": "99"}:
            paths.append("/atendimento/chamados.csv")
        for path in paths:
            response = ana.client.get(path, query_string=filters)
            assert response.status_code == 400, (filters, path, response.status_code)
            text = page_text(response)
            assert message in text, (filters, text[:600])
            # The form keeps what was typed (cut to the search's size), to be fixed.
            for name, value in filters.items():
                if name == "pagina":  # a link's, not a field's
                    continue
                kept = page(response).xpath(f'//*[@name="{name}"]')
                assert kept, name
                if kept[0].tag == "input":
                    assert kept[0].get("value") == value[:200], name
            assert not page(response).xpath('//table[caption="Chamados encontrados"]')
    # Several wrong at once: each told at its field.
    response = ana.client.get(
        "/atendimento/chamados", query_string={"de": "31/02/2026", "categoria": "x"}
    )
    assert len(page(response).xpath('//*[contains(@class, "feedback danger")]')) == 2
    assert snapshot(portal) == before


def test_an_export_beyond_the_limit_asks_for_narrower_filters(app_factory):
    portal = app_factory(FROZEN_TIME=FROZEN, EXPORT_MAX_ROWS=2)
    maria = Person(portal, MARIA)
    for index in range(3):
        maria.open_ticket(f"Exportação {index}")
    ana = Person(portal, ANA)
    before = snapshot(portal)
    response = ana.client.get("/atendimento/chamados.csv")
    assert response.status_code == 400
    assert "A exportação está limitada a 2 chamados e esta lista tem mais." in page_text(response)
    assert snapshot(portal) == before
    narrow = ana.client.get("/atendimento/chamados.csv", query_string={"busca": "exportacao 1"})
    assert narrow.status_code == 200
    assert len(narrow.data.decode("utf-8-sig").strip().splitlines()) == 2


def bulk_load(app, count: int) -> None:
    """`count` submitted tickets in one INSERT … SELECT, indexed for search (as bench/ does)."""
    with app.app_context():
        maria = user(MARIA)
        values = {"org": maria.organization_id, "user": maria.id, "end": count}
        dialect = db.engine.dialect.name
        if dialect == "sqlite":
            source = (
                "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq "
                "WHERE n < :end) SELECT n FROM seq"
            )
            number = "printf('2025-%06d', n)"
            moment = "datetime('2025-06-01', '+' || n || ' seconds')"
        else:
            source = "SELECT n FROM generate_series(1, CAST(:end AS integer)) AS n"
            number = "'2025-' || lpad(CAST(n AS text), 6, '0')"
            moment = "timestamp '2025-06-01' + n * interval '1 second'"
        db.session.execute(
            sa.text(
                "INSERT INTO tickets (number, year, sequence, organization_id, requester_id, "
                "status, category_code, subject, description, search_text, "
                "current_step, current_group, created_at, opened_at, due_at, near_at, "
                "deadline_hours, paused_seconds, version) "
                f"SELECT {number}, 2025, n, :org, :user, 'encerrado', 'consulta-tecnica', "
                "'Carga', '', 'carga', NULL, NULL, "
                f"{moment}, {moment}, {moment}, {moment}, 2, 0, 1 FROM ({source}) AS s"
            ),
            values,
        )
        if dialect == "sqlite":
            db.session.execute(sa.text("INSERT INTO tickets_fts(tickets_fts) VALUES ('rebuild')"))
        db.session.commit()
        db.session.remove()


def test_a_hundred_thousand_rows_are_counted_up_to_a_limit_and_not_exported(portal):
    bulk_load(portal, 100_001)
    ana = Person(portal, ANA)
    before = snapshot(portal)
    response = ana.client.get("/atendimento/chamados", query_string={"busca": "carga"})
    assert response.status_code == 200
    assert "Mais de 10.000 chamados: mostrando 1 a 20." in page_text(response)
    assert len(page(response).xpath('//table[caption="Chamados encontrados"]/tbody/tr')) == 20
    last = ana.client.get("/atendimento/chamados", query_string={"busca": "carga", "pagina": 500})
    assert last.status_code == 200
    beyond = ana.client.get("/atendimento/chamados", query_string={"busca": "carga", "pagina": 501})
    assert beyond.status_code == 400
    assert "A página 501 não existe" in page_text(beyond)
    export = ana.client.get("/atendimento/chamados.csv")
    assert export.status_code == 400
    assert "A exportação está limitada a 50.000 chamados" in page_text(export)
    assert snapshot(portal) == before


def test_search_follows_every_change_of_the_words(portal):
    """The index is kept by the portal's own writes: a draft's subject typed, changed, sent."""
    maria = Person(portal, MARIA)
    number = open_form(maria.browser)
    from apoio_chamados import send_form

    send_form(maria.browser, number, assunto="Impressora sem papel", descricao="Bandeja vazia.")
    send_form(
        maria.browser,
        number,
        "aprovar",
        categoria="consulta-tecnica",
        assunto="Scanner não digitaliza",
        descricao="Ao digitalizar, a tela congela.",
    )
    ana = Person(portal, ANA)
    assert listed(ana, busca="impressora") == []
    assert listed(ana, busca="scanner") == [number]
    assert listed(ana, busca="congela digitalizar") == [number]
    assert listed(ana, busca="Não") == [number]


def test_the_service_reads_filters_as_the_api_would_send_them(portal):
    """Strings in, Problems (one per field) out: the same rules for every client."""
    from demo.services.errors import Problems

    with portal.app_context():
        filters = ticket_list.parse({"situacao": "aberto", "busca": " Relatório ", "pagina": "2"})
        assert (filters.state, filters.text, filters.page) == ("aberto", "Relatório", 2)
        with pytest.raises(Problems) as refused:
            ticket_list.parse({"situacao": "x", "de": "32/01/2026", "pagina": "-3"})
        assert sorted(p.field for p in refused.value.problems) == ["de", "pagina", "situacao"]
        db.session.remove()
