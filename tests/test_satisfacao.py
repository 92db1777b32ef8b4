"""Satisfaction: accepting a solution asks for a rating (1 to 5) and an optional comment; the
Painel shows the average and the distribution per category and period, with a chart, and every
number opens the Chamados list of exactly what it counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from apoio_atendimento import ANA, Person, at, messages, page, page_text, snapshot, text_of
from apoio_chamados import FROZEN, JOAO, MARIA


@pytest.fixture
def portal(app):
    app.config["FROZEN_TIME"] = FROZEN
    return app


def solved(portal, subject: str, category: str = "consulta-tecnica") -> str:
    maria, joao = Person(portal, MARIA), Person(portal, JOAO)
    number = maria.open_ticket(subject, category)
    joao.act(number, "resolver")
    joao.act(number, "solucionar", "Resolvido.")
    return number


def test_accepting_asks_for_a_rating_and_an_optional_comment(portal):
    number = solved(portal, "Avaliar")
    maria = Person(portal, MARIA)
    status = page(maria.get(f"/chamados/{number}/status"))
    legend = status.xpath('//section[contains(@class, "portal-sua-acao")]//fieldset/legend')
    assert [text_of(node) for node in legend] == ["Avaliação do atendimento"]
    options = status.xpath('//input[@name="avaliacao"]/@value')
    assert options == ["1", "2", "3", "4", "5"]
    assert status.xpath('//label[@for="avaliacao-5"]')[0].text_content() == "5 – Muito satisfeito"
    response = maria.respond(number, "aceitar", "Atendimento rápido.", avaliacao="5")
    assert response.status_code == 302
    done = maria.get(response.headers["Location"])
    assert (
        f"Solução aceita: o chamado {number} foi encerrado. Obrigado pela avaliação."
        in messages(done)
    )
    text = page_text(done)
    facts = page(done).xpath('//dl[contains(@class, "portal-facts")]')[0]
    header = dict(
        zip(
            (text_of(d) for d in facts.xpath("dt")),
            (text_of(d) for d in facts.xpath("dd")),
            strict=True,
        )
    )
    assert header["Avaliação"] == "5 de 5 (Muito satisfeito)"
    assert "Avaliação do atendimento: 5 de 5 (Muito satisfeito)" in text  # the conversation
    assert "Atendimento rápido." in text
    # Without a rating it is accepted too: the rating is asked, not forced.
    other = solved(portal, "Sem nota")
    assert maria.respond(other, "aceitar").status_code == 302


def test_a_rating_out_of_one_to_five_is_refused_and_changes_nothing(portal):
    number = solved(portal, "Nota errada")
    maria = Person(portal, MARIA)
    before = snapshot(portal, number)
    for rating in ("0", "6", "-1", "abc", "4.5", "999", "1e1"):
        response = maria.respond(number, "aceitar", "Comentário mantido.", avaliacao=rating)
        assert response.status_code == 400, rating
        assert "A avaliação é uma nota de 1 a 5: escolha uma delas." in messages(response)
        assert snapshot(portal, number) == before
        # What was typed stays in the form.
        kept = page(response).xpath('//textarea[@name="comentario"]')[0].text_content()
        assert "Comentário mantido." in kept
    # No rating chosen (blank): accepted without one.
    assert maria.respond(number, "aceitar", avaliacao="  ").status_code == 302


def test_a_rating_belongs_to_accepting_only(portal):
    number = solved(portal, "Recusa com nota")
    maria = Person(portal, MARIA)
    before = snapshot(portal, number)
    response = maria.respond(number, "recusar", "Não funcionou.", avaliacao="1")
    assert response.status_code == 400
    assert "A avaliação só é pedida ao aceitar a solução." in messages(response)
    assert snapshot(portal, number) == before


def painel_rows(person: Person, period: str = "30") -> dict[str, list[tuple[str, str | None]]]:
    """The satisfaction table: {category: [(cell text, link or None)]}."""
    tree = page(person.get(f"/atendimento/painel?periodo={period}"))
    rows = {}
    for tr in tree.xpath('//table[caption[contains(., "avaliações por categoria")]]/tbody/tr'):
        cells = []
        for td in tr.xpath("td"):
            link = td.xpath(".//a/@href")
            cells.append((text_of(td), link[0] if link else None))
        rows[text_of(tr.xpath("th")[0])] = cells
    return rows


def listed_total(person: Person, link: str) -> int:
    response = person.client.get(link)
    assert response.status_code == 200, link
    text = text_of(page(response).xpath('//div[@class="portal-resultado"]/p')[0])
    match = re.match(r"(\d+) chamados?", text)
    return int(match.group(1)) if match else 0


def test_the_painel_shows_the_average_and_distribution_and_clicks_through(portal):
    maria = Person(portal, MARIA)
    for rating, category in (
        ("5", "consulta-tecnica"),
        ("4", "consulta-tecnica"),
        ("2", "consulta-tecnica"),
        ("5", "defeito-sem-paralisacao"),
    ):
        number = solved(portal, f"Nota {rating}", category)
        assert maria.respond(number, "aceitar", avaliacao=rating).status_code == 302
    at(portal, timedelta(days=-40))  # an old one, outside the 30 days
    old = solved(portal, "Antigo")
    assert maria.respond(old, "aceitar", avaliacao="1").status_code == 302
    at(portal, timedelta(0))
    ana = Person(portal, ANA)
    rows = painel_rows(ana)
    consulta = rows["Consulta Técnica"]
    # Avaliações, média, then the count of each rating 1 to 5.
    assert [text for text, _ in consulta] == ["3", "3,7", "0", "1", "0", "1", "1"]
    assert [text for text, _ in rows["Defeitos sem Paralisação de Serviço"]] == [
        "1",
        "5,0",
        "0",
        "0",
        "0",
        "0",
        "1",
    ]
    assert [text for text, _ in rows["Todas as categorias"]] == [
        "4",
        "4,0",
        "0",
        "1",
        "0",
        "1",
        "2",
    ]
    assert [text for text, _ in painel_rows(ana, "todos")["Consulta Técnica"]] == [
        "4",
        "3,0",
        "1",
        "1",
        "0",
        "1",
        "1",
    ]
    # Every number opens the list of exactly the tickets it counts.
    for cells in rows.values():
        for text, link in cells:
            if link:
                assert listed_total(ana, link) == int(text), link
    # The first table too.
    tree = page(ana.get("/atendimento/painel"))
    for link in tree.xpath('//table[caption[contains(., "chamados por categoria")]]//a'):
        assert listed_total(ana, link.get("href")) == int(text_of(link)), link.get("href")
    # The chart: one bar per category, its parts from the counts, drawn without inline style.
    chart = tree.xpath('//figure[contains(@class, "portal-grafico-notas")]')[0]
    bars = chart.xpath('.//svg[@role="img"]')
    assert len(bars) == 4
    first = bars[0]
    assert (
        first.get("aria-label")
        == "Consulta Técnica: nota 1, 0; nota 2, 1; nota 3, 0; nota 4, 1; nota 5, 1"
    )
    widths = {rect.get("class"): rect.get("width") for rect in first.xpath(".//rect")}
    assert widths == {"portal-nota-2": "33", "portal-nota-4": "33", "portal-nota-5": "33"}
    assert not chart.xpath(".//*[@style]")
