"""Deadlines that pause: while the ticket waits on the requester the clock stops (for the
categories conf/categorias.toml says), the history shows each stop, and every deadline shown —
the queue, Minha Área, the ticket's header, the e-mails — and the Painel's figures account for it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from apoio_atendimento import (
    ANA,
    Mailbox,
    Person,
    at,
    body,
    page,
    page_text,
    text_of,
    ticket_by_number,
)
from apoio_chamados import FROZEN, JOAO, MARIA

from demo.extensions import db
from demo.services import categories, tasks


@pytest.fixture
def portal(app):
    app.config["FROZEN_TIME"] = FROZEN
    return app


def header_deadline(person: Person, number: str) -> str:
    facts = page(person.get(f"/chamados/{number}/status")).xpath(
        '//dl[contains(@class, "portal-facts")]'
    )[0]
    pairs = dict(
        zip(
            (text_of(d) for d in facts.xpath("dt")),
            (text_of(d) for d in facts.xpath("dd")),
            strict=True,
        )
    )
    return pairs["Prazo"]


def my_area_deadline(person: Person, number: str) -> str:
    tree = page(person.get("/minha-area/"))
    for tr in tree.xpath("//table/tbody/tr"):
        cells = [text_of(td) for td in tr.xpath("td")]
        if cells[0] == number:
            return cells[5]
    raise AssertionError(f"{number} não está em Minha Área")


def pauses(person: Person, number: str) -> list[list[str]]:
    tree = page(person.get(f"/chamados/{number}/status"))
    return [
        [text_of(td) for td in tr.xpath("td")]
        for tr in tree.xpath('//table[caption="Intervalos com o prazo parado"]/tbody/tr')
    ]


def test_the_clock_stops_while_the_requester_is_asked(portal):
    maria, joao = Person(portal, MARIA), Person(portal, JOAO)
    number = maria.open_ticket("Relógio parado", "consulta-tecnica")  # 2 h: due 11:00
    with portal.app_context():
        assert categories.get("consulta-tecnica").pauses  # as conf/categorias.toml says
    at(portal, timedelta(minutes=30))
    mailbox = Mailbox(portal)
    joao.act(number, "informacao", "Qual navegador?")
    # While she is asked: no date (it will move), the time that was left, everywhere she looks.
    stopped = "Parado, aguardando o solicitante (faltam 1 h 30 min)"
    for moment in (timedelta(minutes=31), timedelta(hours=5)):
        at(portal, moment)
        assert header_deadline(maria, number) == stopped
        assert my_area_deadline(maria, number) == stopped
    [mail] = [m for m in mailbox.new() if m["To"] == MARIA]
    assert (
        "Prazo de solução: parado enquanto o chamado aguarda o solicitante (faltam 1 h 30 min)"
        in body(mail)
    )
    # No breach while stopped, though 11:00 has long passed.
    with portal.app_context():
        assert tasks.record_breaches() == 0
        db.session.remove()
    # She answers at 14:00 (5 h after opening): the deadline moves by the 4 h 30 min it stood still.
    mailbox.new()
    maria.respond(number, "responder", "Firefox.")
    rows = {r.number: r for r in joao.queue()}
    assert rows[number].deadline == "29/11/2026 15:30 Faltam 1 h 30 min"
    assert header_deadline(maria, number) == "29/11/2026 15:30 Faltam 1 h 30 min"
    [mail] = [m for m in mailbox.new() if m["To"] == JOAO]
    assert "Prazo de solução: 29/11/2026 15:30, horário de Brasília (faltam 1 h 30 min)" in body(
        mail
    )
    # The history shows the stop.
    assert pauses(maria, number) == [
        ["Complementação de Informações", "29/11/2026 09:30", "29/11/2026 14:00", "4 h 30 min"]
    ]
    # The sorted queue and the "near" highlighting follow the moved deadline.
    at(portal, timedelta(hours=5, minutes=40))
    assert [(r.number, r.state) for r in joao.queue()] == [(number, "no-prazo")]
    at(portal, timedelta(hours=6, minutes=10))  # 15:10: 20 min left of 2 h
    assert [(r.number, r.state) for r in joao.queue()] == [(number, "perto")]


def test_a_category_that_does_not_pause_keeps_counting(portal):
    maria, joao = Person(portal, MARIA), Person(portal, JOAO)
    number = maria.open_ticket("Fora do ar", "defeito-com-paralisacao")  # 4 h: due 13:00
    with portal.app_context():
        assert not categories.get("defeito-com-paralisacao").pauses
    joao.act(number, "informacao", "Desde quando?")
    at(portal, timedelta(hours=3))
    assert header_deadline(maria, number) == "29/11/2026 13:00 Faltam 1 h 00 min"
    maria.respond(number, "responder", "Desde as 8h.")
    assert pauses(maria, number) == []
    assert [r.deadline for r in joao.queue()] == ["29/11/2026 13:00 Faltam 1 h 00 min"]


def test_validation_also_stops_the_clock_and_the_painel_counts_it_in_time(portal):
    maria, joao, ana = Person(portal, MARIA), Person(portal, JOAO), Person(portal, ANA)
    number = maria.open_ticket("Validação demorada", "consulta-tecnica")  # 2 h
    at(portal, timedelta(hours=1))
    joao.act(number, "resolver")
    joao.act(number, "solucionar", "Pronto.")  # proposed within 1 h
    at(portal, timedelta(days=2))  # she validates two days later
    assert maria.respond(number, "aceitar").status_code == 302
    with portal.app_context():
        ticket = ticket_by_number(number)
        assert ticket.closed_at <= ticket.due_at  # the waiting did not count
        db.session.remove()
    assert "Chamado encerrado no prazo" in header_deadline(maria, number)
    tree = page(ana.get("/atendimento/painel"))
    [row] = tree.xpath(
        '//table[caption[contains(., "chamados por categoria")]]//tr[th="Consulta Técnica"]'
    )
    # Prazo, recebidos, em atendimento, encerrados, encerrados no prazo, % no prazo, vencidos.
    assert [text_of(td) for td in row.xpath("td")] == ["2 h", "1", "0", "1", "1", "100%", "0"]
    # The list agrees with the Painel.
    response = ana.get("/atendimento/chamados?prazo=cumprido")
    assert number in page_text(response)


def test_the_pause_is_set_per_category_in_conf_and_the_manual_says_it_from_there(
    tmp_path, app_factory, monkeypatch
):
    """Turn off the pause of Consulta Técnica in a copy of conf/: the portal's clock keeps
    running for it, and the manual, built from the same copy, says so."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from demo import config

    root = Path(__file__).resolve().parents[1]
    conf = tmp_path / "conf"
    shutil.copytree(root / "conf", conf)
    categories_file = conf / "categorias.toml"
    text = categories_file.read_text("utf-8")
    marker = (
        'horas = 2\ninicio = "após o cadastramento da demanda"\npausa_aguardando_solicitante = true'
    )
    assert text.count(marker) == 1
    categories_file.write_text(text.replace(marker, marker.replace("true", "false")), "utf-8")

    monkeypatch.setattr(config, "CONF_DIR", conf)
    portal = app_factory(FROZEN_TIME=FROZEN)
    maria, joao = Person(portal, MARIA), Person(portal, JOAO)
    number = maria.open_ticket("Sem pausa", "consulta-tecnica")
    joao.act(number, "informacao", "?")
    at(portal, timedelta(hours=1))
    assert header_deadline(maria, number) == "29/11/2026 11:00 Faltam 1 h 00 min"

    out = tmp_path / "html"
    built = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(root / "docs"), str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "PORTAL_CONF_DIR": str(conf)},
        timeout=900,
    )
    assert built.returncode == 0, built.stderr
    chapter = " ".join((out / "acompanhamento.html").read_text("utf-8").split())
    consulta = chapter[chapter.index("Consulta Técnica") :][:900]
    assert "o prazo corre mesmo enquanto o chamado aguarda o solicitante" in consulta
    sem = chapter[chapter.index("Defeitos sem Paralisação de Serviço") :][:900]
    assert "o prazo fica parado enquanto o chamado aguarda o solicitante" in sem
