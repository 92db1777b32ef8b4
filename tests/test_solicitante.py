"""The requester's side: an untouched draft is reused, a draft can be discarded (its número kept),
Nº do Processo finds partial números, Minha Área pages and shows what awaits first, and so does
the home page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from apoio_atendimento import Person, at, messages, page, page_text, text_of
from apoio_chamados import FROZEN, JOAO, MARIA, OPEN_URL, open_form, png_bytes, send_form, upload
from apoio_portal import csrf_token
from sqlalchemy import select

from demo.extensions import db
from demo.models import Ticket, TicketCounter, TicketStatus


@pytest.fixture
def portal(app):
    app.config["FROZEN_TIME"] = FROZEN
    return app


def test_opening_the_form_twice_without_typing_shows_the_same_codigo(portal):
    maria = Person(portal, MARIA)
    first = open_form(maria.browser)
    assert open_form(maria.browser) == first  # nothing typed: the same draft, no número spent
    # Saving an empty form still leaves it untouched.
    assert send_form(maria.browser, first).status_code == 302
    assert open_form(maria.browser) == first
    # Anything typed, chosen or attached makes it a draft of its own: the next form is new.
    send_form(maria.browser, first, categoria="consulta-tecnica")
    second = open_form(maria.browser)
    assert second != first
    send_form(maria.browser, second, files=[upload(png_bytes(), "tela.png")])
    third = open_form(maria.browser)
    assert third not in (first, second)
    assert open_form(maria.browser) == third
    # Each person has their own.
    assert open_form(Person(portal, "carlos.pereira@gestao.gov.br").browser) not in (
        first,
        second,
        third,
    )
    with portal.app_context():
        assert db.session.get(TicketCounter, 2026).last == 4
        db.session.remove()


def test_a_discarded_draft_keeps_its_numero_and_numbering_has_no_gap(portal):
    maria = Person(portal, MARIA)
    number = open_form(maria.browser)
    send_form(maria.browser, number, assunto="Não preciso mais")
    form = page(maria.get(f"/chamados/{number}/formulario"))
    assert form.xpath(f'//a[@href="/chamados/{number}/descartar"]')
    confirm = maria.get(f"/chamados/{number}/descartar")
    assert "O número 2026-000001 fica registrado como descartado" in page_text(confirm)
    response = maria.post(f"/chamados/{number}/descartar", {"descartar": "1"})
    assert response.status_code == 302 and response.headers["Location"] == "/minha-area/"
    area = maria.get("/minha-area/")
    assert f"Rascunho {number} descartado." in page_text(area)
    assert "Rascunhos descartados" in page_text(area)
    assert f'href="/chamados/{number}/formulario"' not in area.text
    with portal.app_context():
        ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
        assert ticket.status == TicketStatus.DISCARDED and ticket.discarded_at is not None
        db.session.remove()
    # It cannot be sent any more, nor changed.
    shown = maria.get(f"/chamados/{number}")
    assert "Este rascunho foi descartado" in page_text(shown)
    assert maria.get(f"/chamados/{number}/formulario").status_code == 302
    token = csrf_token(maria.get("/"))
    refused = maria.client.post(
        f"/chamados/{number}/formulario",
        data={
            "csrf_token": token,
            "assunto": "x",
            "categoria": "consulta-tecnica",
            "descricao": "x",
            "aprovar": "1",
        },
    )
    assert refused.status_code == 302  # sent back to the ticket, as for a sent one
    assert "Este rascunho foi descartado" in page_text(
        maria.client.get(refused.headers["Location"])
    )
    # Nobody else sees it; the team neither.
    joao = Person(portal, JOAO)
    assert joao.get(f"/atendimento/{number}").status_code == 404
    assert number not in page_text(joao.get("/atendimento/chamados"))
    # The next número follows on: no gap, no reuse.
    assert open_form(maria.browser) == "2026-000002"


def test_the_numero_search_accepts_a_partial_number_or_one_without_the_year(portal):
    maria = Person(portal, MARIA)
    at(portal, timedelta(days=-365))  # one in 2025
    old = maria.open_ticket("Do ano passado")
    at(portal, timedelta(0))
    first = maria.open_ticket("Primeiro deste ano")
    for _ in range(2):
        maria.open_ticket("Outro")
    third = "2026-000003"

    def found(typed: str) -> list[str]:
        response = maria.client.get("/minha-area/selecionados", query_string={"numero": typed})
        assert response.status_code == 200, typed
        return [text_of(td) for td in page(response).xpath("//table/tbody/tr/td[1]")]

    for typed in ("3", "000003", "03", "2026-3", "2026000003", "2026/3", " 2026-000003 "):
        assert found(typed) == [third], typed
    # Without the year, every year's: the newest first.
    assert old == "2025-000001" and found("1") == [first, old]
    assert found("2025-1") == [old]


def test_my_area_shows_what_awaits_first_and_pages_the_rest(app_factory):
    portal = app_factory(FROZEN_TIME=FROZEN, LIST_PAGE_SIZE=2)
    maria, joao = Person(portal, MARIA), Person(portal, JOAO)
    numbers = [maria.open_ticket(f"Chamado {i}") for i in range(5)]
    joao.act(numbers[1], "informacao", "Qual versão?")
    area = page(maria.get("/minha-area/"))
    waiting = area.xpath('//table[caption="Chamados aguardando você"]/tbody/tr/td[1]')
    assert [text_of(td) for td in waiting] == [numbers[1]]
    assert waiting[0].xpath(".//a/@href") == [f"/chamados/{numbers[1]}/status"]
    mine = [text_of(td) for td in area.xpath('//table[caption="Meus chamados"]/tbody/tr/td[1]')]
    assert mine == [numbers[4], numbers[3]]  # newest first, the awaited one not repeated
    assert "Página 1 de 2" in text_of(
        area.xpath('//nav[@aria-label="Páginas dos meus chamados"]')[0]
    )
    second = page(maria.get("/minha-area/?pagina=2"))
    assert [
        text_of(td) for td in second.xpath('//table[caption="Meus chamados"]/tbody/tr/td[1]')
    ] == [numbers[2], numbers[0]]
    for bad, message in (
        ("3", "A página 3 não existe: a lista tem 2 páginas."),
        ("-1", "A página deve ser um número inteiro a partir de 1."),
        ("x", "A página deve ser um número inteiro a partir de 1."),
    ):
        response = maria.client.get("/minha-area/", query_string={"pagina": bad})
        assert response.status_code == 400 and message in messages(response), bad
        # Still the first page underneath: nothing is hidden behind the error.
        assert numbers[1] in page_text(response)


def test_the_home_page_lists_what_awaits_each_person(portal):
    maria, joao = Person(portal, MARIA), Person(portal, JOAO)
    quiet = page_text(maria.get("/"))
    assert "Nada aguarda você agora." in quiet
    number = maria.open_ticket("Aguardando")
    other = maria.open_ticket("Na fila")
    joao.act(number, "informacao", "Mande o print.")
    home = page(maria.get("/"))
    rows = home.xpath('//table[caption="Chamados aguardando você"]/tbody/tr/td[1]')
    assert [text_of(td) for td in rows] == [number]
    joao.claim(other)
    team = page(joao.get("/"))
    assert [
        text_of(td)
        for td in team.xpath('//table[caption="Tarefas assumidas por mim"]/tbody/tr/td[1]')
    ] == [other]
    assert "1 tarefa na fila dos seus grupos" in text_of(team)
    assert Person(portal, "rita.alves@suporte.gov.br").get("/").status_code == 200


def test_the_opening_button_still_says_what_it_does(portal):
    """Processos › Abrir posts to open (or reuse) the form; a GET never opens one."""
    maria = Person(portal, MARIA)
    assert maria.get(OPEN_URL).status_code == 405
