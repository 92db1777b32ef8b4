"""Every screen of every profile on a 390 px phone: nothing wider than the screen, no button cut.

A wide table may scroll inside its own region (a focusable `role=region`); nothing else may make
the page scroll sideways. The screens are found as a person finds them: by following the links of
each profile's pages, from a portal with tickets in every state.
"""

from __future__ import annotations

import re
from pathlib import Path

import apoio_paginas
import pytest
from apoio_atendimento import ANA, PASSWORDS, RITA
from apoio_chamados import CARLOS, JOAO, MARIA
from apoio_helpdesk import world
from apoio_navegador import launched, served, settle
from apoio_portal import Browser

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
#: Links a crawl must not follow: the crawl's own, and downloads.
SKIP = re.compile(apoio_paginas.SKIP.pattern + r"|\.csv$")
PAULO = "paulo.ramos@agro.gov.br"  # first access: the password change is his only screen

#: What is measured on each page: its width, what sticks out, which buttons are cut.
MEASURE = (Path(__file__).with_name("apoio_telefone.js")).read_text("utf-8")


def crawl(client, starts: list[str], limit: int = 90, per_shape: int = 3) -> list[str]:
    """The read-only pages reachable by links from `starts`, in the order found; at most
    `per_shape` e-mails of the outbox (one looks like the next). Every ticket is visited: each
    is in another state."""
    found = apoio_paginas.crawl(client, starts, limit, per_shape, kind=_outbox_shape, skip=SKIP)
    return [
        path
        for path, response in found.items()
        if response.status_code == 200 and "text/html" in response.headers.get("Content-Type", "")
    ]


def _outbox_shape(path: str) -> str:
    return apoio_paginas.shape(path) if path.startswith("/caixa-de-saida/") else path


@pytest.fixture
def portal(app_factory):
    app = app_factory(FROZEN_TIME="2026-11-29T12:00:00Z")
    numbers = world(app)
    with served(app) as base:
        yield app, base, numbers


#: Pages no link leads to but a person meets: a refused filter, an unknown address, a page past
#: the end, a search that finds nothing.
EXTRA = {
    "team": [
        "/atendimento/chamados?de=31/02/2026&situacao=xyz&busca=%C2%B4%C2%B4",
        "/atendimento/chamados?pagina=999",
        "/atendimento/chamados?busca=relatorio&ordem=prazo",
        "/nao-existe",
    ],
    "requester": [
        "/minha-area/selecionados?numero=",
        "/minha-area/selecionados?numero=1",
        "/minha-area/?pagina=50",
        "/nao-existe",
    ],
}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("who", [MARIA, CARLOS, JOAO, RITA, ANA, PAULO])
def test_no_screen_is_wider_than_a_phone(portal, who):
    app, base, numbers = portal
    client = app.test_client()
    password = PASSWORDS.get(who, "Temporaria-2026")
    assert Browser(client).login(who, password).status_code == 302
    assert Browser(client, "/mapa").login(who, password).status_code == 302
    starts = ["/", "/mapa/", f"/chamados/{numbers['validacao']}/status", "/minha-area/"]
    if who in (JOAO, RITA, ANA):
        starts += [f"/atendimento/{n}" for n in numbers.values() if n != numbers["rascunho"]]
        starts += ["/atendimento/chamados", "/atendimento/painel", *EXTRA["team"]]
    else:
        starts += [
            f"/chamados/{numbers['rascunho']}/formulario",
            f"/chamados/{numbers['descartado']}",
            f"/chamados/{numbers['triagem']}/enviado",
            *EXTRA["requester"],
        ]
    paths = crawl(client, starts)
    paths += [
        p for p in EXTRA["team" if who in (JOAO, RITA, ANA) else "requester"] if p not in paths
    ]
    if who == PAULO:
        paths = ["/trocar-senha", "/mapa/trocar-senha"]
    assert len(paths) >= (1 if who == PAULO else 6), paths

    problems = []
    with launched() as chromium:
        context = chromium.new_context(
            viewport=PHONE, locale="pt-BR", timezone_id="America/Sao_Paulo", is_mobile=True
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        for site in ("", "/mapa"):
            page.goto(f"{base}{site}/entrar")
            page.get_by_label("Usuário", exact=True).fill(who)
            page.get_by_label("Senha", exact=True).fill(password)
            page.get_by_role("button", name="Entrar").click()
            page.wait_for_load_state()
        for path in paths:
            page.goto(base + path)
            settle(page)
            found = page.evaluate(MEASURE)
            if found["page"] > found["width"] or found["offenders"] or found["clipped"]:
                problems.append(f"{path}: página {found['page']} px; {found}")
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_pages_before_the_login_fit_a_phone(portal):
    _app, base, _numbers = portal
    with launched() as chromium:
        context = chromium.new_context(viewport=PHONE, is_mobile=True, locale="pt-BR")
        page = context.new_page()
        problems = []
        for path in ("/entrar", "/mapa/entrar", "/nao-existe"):
            page.goto(base + path)
            found = page.evaluate(MEASURE)
            if found["page"] > found["width"] or found["offenders"] or found["clipped"]:
                problems.append(f"{path}: {found}")
        context.close()
    assert not problems, "\n".join(problems)
