"""eMAG 3.1 on both sites: the accessibility bar and its access keys on every page, the
Acessibilidade page, the high-contrast switch (a form and a cookie: no script needed), the
search that Alt+3 leads to on the mapa site, and the login session a person can extend."""

from __future__ import annotations

import re
from datetime import timedelta

import lxml.html
import pytest
from apoio_atendimento import ANA, PASSWORDS, Person
from apoio_chamados import FROZEN, JOAO, MARIA, csrf_from
from apoio_concorrencia import AT_ONCE, errors_in, run_together
from apoio_paginas import crawl
from apoio_portal import Browser
from sqlalchemy import select

from demo.acessibilidade.keys import ACCESS_KEYS
from demo.extensions import db
from demo.models import LoginSession
from demo.services import clock

PAULO = "paulo.ramos@agro.gov.br"


@pytest.fixture
def portal(app):
    app.config["FROZEN_TIME"] = FROZEN
    return app


def at(app, **delta) -> None:
    app.config["FROZEN_TIME"] = (clock.parse_utc(FROZEN) + timedelta(**delta)).isoformat()


def tree(response):
    return lxml.html.fromstring(response.data)


def bar(response) -> dict[str, str]:
    """{access key: href} of the page's accessibility bar."""
    links = tree(response).xpath('//nav[@aria-label="Atalhos"]//a[@accesskey]')
    return {a.get("accesskey"): a.get("href") for a in links}


# --- the bar -------------------------------------------------------------------------------


def assert_bar(path: str, response, client) -> None:
    keys = bar(response)
    assert sorted(keys) == ["1", "2", "3", "4"], (path, keys)
    page = tree(response)
    for key, target in (("1", "conteudo"), ("2", "menu"), ("4", "rodape")):
        assert keys[key] == f"#{target}", (path, key, keys[key])
        assert page.xpath(f'//*[@id="{target}"]'), f"{path}: Alt+{key} leva a #{target}, ausente"
    search = keys["3"]
    if search.startswith("#"):
        assert page.xpath(f'//input[@id="{search[1:]}"]'), f"{path}: busca {search} ausente"
    elif search.startswith("/manual/"):
        assert search == "/manual/search.html"
    else:
        address, _, field = search.partition("#")
        found = client.get(address)
        assert found.status_code == 200, (path, search)
        assert tree(found).xpath(f'//input[@id="{field}"]'), f"{path}: {search} sem o campo"


@pytest.mark.parametrize("who", [None, MARIA, JOAO, ANA, PAULO])
def test_every_page_has_the_four_access_keys_and_their_targets(portal, who):
    client = portal.test_client()
    if who:
        password = PASSWORDS.get(who, "Temporaria-2026")
        for prefix in ("", "/mapa"):
            assert Browser(client, prefix).login(who, password).status_code == 302
    pages = crawl(client, "/", per_shape=2)
    pages.update(crawl(client, "/mapa/", per_shape=2))
    html = {p: r for p, r in pages.items() if "text/html" in r.headers.get("Content-Type", "")}
    html = {p: r for p, r in html.items() if r.status_code == 200}
    assert len(html) >= 3, sorted(pages)
    for path, response in html.items():
        assert_bar(path, response, client)


def test_the_bar_reads_its_keys_from_one_list(portal):
    page = tree(portal.test_client().get("/entrar"))
    labels = [" ".join(a.text_content().split()) for a in page.xpath("//nav//a[@accesskey]")]
    assert labels == [f"{k.label} {k.key}" for k in ACCESS_KEYS]


# --- the Acessibilidade page ------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "/mapa"])
def test_the_accessibility_page_is_open_to_all_on_both_sites(portal, prefix):
    response = portal.test_client().get(f"{prefix}/acessibilidade")
    assert response.status_code == 200
    text = " ".join(tree(response).text_content().split())
    rows = [
        [" ".join(td.text_content().split()) for td in tr.xpath("td")]
        for tr in tree(response).xpath("//main//tbody/tr")
    ]
    assert rows == [[f"Alt + {key.key}", key.where] for key in ACCESS_KEYS]
    config = portal.config
    assert f"depois de {config['SESSION_IDLE_MINUTES']} minutos sem uso" in text
    assert f"{config['SESSION_MAX_HOURS']} horas depois da entrada" in text
    assert f"{config['SESSION_WARNING_MINUTES']} minutos antes" in text
    assert "Alto contraste" in text and "nenhum link abre uma nova janela" in text
    # every page links to it, before and after the login
    links = tree(portal.test_client().get(f"{prefix}/entrar")).xpath("//header//a/@href")
    assert f"{prefix}/acessibilidade" in links


def test_the_accessibility_page_is_reachable_at_first_access(portal):
    client = portal.test_client()
    assert Browser(client).login(PAULO, "Temporaria-2026").status_code == 302
    assert client.get("/acessibilidade").status_code == 200
    assert client.get("/").headers["Location"] == "/trocar-senha"  # the gate still holds


# --- high contrast -----------------------------------------------------------------------------


def body_classes(response) -> list[str]:
    return tree(response).xpath("//body/@class")[0].split()


def press_contrast(client, page: str):
    response = client.get(page)
    form = tree(response).xpath('//form[contains(@action, "/contraste")]')[0]
    data = {i.get("name"): i.get("value") for i in form.xpath(".//input[@type='hidden']")}
    return client.post(form.get("action"), data=data)


def test_the_high_contrast_switch_persists_on_both_sites_without_scripts(portal):
    client = portal.test_client()
    assert "portal-alto-contraste" not in body_classes(client.get("/entrar"))
    response = press_contrast(client, "/entrar?next=/minha-area/")
    assert response.status_code == 303
    assert response.headers["Location"] == "/entrar?next=/minha-area/"  # back where it was
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("contraste="))
    assert "Path=/;" in cookie and "Max-Age=" in cookie and "HttpOnly" in cookie
    for page in ("/entrar", "/mapa/entrar", "/acessibilidade", "/nao-existe"):
        found = client.get(page)
        assert "portal-alto-contraste" in body_classes(found), page
    pressed = tree(client.get("/mapa/entrar")).xpath('//button[@aria-pressed="true"]')
    assert [" ".join(b.text_content().split()) for b in pressed] == ["Alto contraste"]
    assert Browser(client).login(MARIA, PASSWORDS[MARIA]).status_code == 302
    assert "portal-alto-contraste" in body_classes(client.get("/minha-area/"))
    # pressed again (on the other site): off everywhere
    assert press_contrast(client, "/mapa/entrar").status_code == 303
    assert "portal-alto-contraste" not in body_classes(client.get("/"))


def test_the_switch_never_sends_anyone_off_the_portal_or_loses_a_stale_form(portal):
    client = portal.test_client()
    token = csrf_from(client.get("/entrar"))
    for back in ("http://exemplo.com/", "//exemplo.com", "/\\exemplo.com", ""):
        response = client.post(
            "/acessibilidade/contraste", data={"csrf_token": token, "voltar": back}
        )
        assert response.status_code == 303
        assert response.headers["Location"] == "/acessibilidade", back
    # an expired form: a message, the contrast unchanged, never a 400 page
    client.delete_cookie("contraste")
    response = client.post("/mapa/acessibilidade/contraste", data={"voltar": "/mapa/entrar"})
    assert response.status_code == 303 and response.headers["Location"] == "/mapa/entrar"
    page = client.get("/mapa/entrar")
    assert "Não foi possível mudar o contraste" in page.text
    assert "portal-alto-contraste" not in body_classes(page)


# --- the mapa site's search (Alt+3) -------------------------------------------------------


def test_the_mapa_search_filters_by_protocol_and_survives_bad_input(portal):
    client = portal.test_client()
    assert Browser(client, "/mapa").login(MARIA, PASSWORDS[MARIA]).status_code == 302
    everything = tree(client.get("/mapa/")).xpath("//tbody/tr/td[1]//a/text()")
    assert len(everything) >= 2, everything
    wanted = everything[-1]
    found = tree(client.get(f"/mapa/?protocolo={wanted[-4:]}")).xpath("//tbody/tr/td[1]//a/text()")
    assert found == [wanted]
    for bad in ("nada-assim", "%00", "x" * 5000, "%", "_"):
        response = client.get(f"/mapa/?protocolo={bad}")
        assert response.status_code == 200, bad
        assert not tree(response).xpath("//tbody/tr"), bad
        assert "Nenhuma solicitação com o protocolo" in response.text


# --- the session a person can extend ---------------------------------------------------------


@pytest.fixture
def short_sessions(app_factory):
    return app_factory(FROZEN_TIME=FROZEN, SESSION_IDLE_MINUTES=60, SESSION_MAX_HOURS=12)


def warning_of(response) -> dict[str, str]:
    [dialog] = tree(response).xpath('//dialog[@id="sessao-aviso"]')
    return dict(dialog.attrib)


def renew(client, page: str = "/", prefix: str = ""):
    token = warning_of(client.get(page))["data-csrf"]
    return client.post(f"{prefix}/renovar-sessao", headers={"X-CSRFToken": token})


def test_each_page_says_when_its_session_ends_and_when_to_warn(short_sessions):
    client = Browser(short_sessions.test_client())
    assert client.login(MARIA, PASSWORDS[MARIA]).status_code == 302
    at(short_sessions, minutes=20)
    warning = warning_of(client.client.get("/minha-area/"))
    assert warning["role"] == "alertdialog"
    assert warning["data-restante"] == str(60 * 60)  # used just now: a whole idle period
    assert warning["data-aviso"] == str(short_sessions.config["SESSION_WARNING_MINUTES"] * 60)
    assert warning["data-renovar"] == "/renovar-sessao"
    # no session, no warning (and no script for it)
    anonymous = short_sessions.test_client().get("/entrar")
    assert not tree(anonymous).xpath("//dialog") and "sessao.js" not in anonymous.text


@pytest.mark.parametrize("prefix", ["", "/mapa"])
def test_continuar_conectado_extends_the_session(short_sessions, prefix):
    browser = Browser(short_sessions.test_client(), prefix)
    assert browser.login(MARIA, PASSWORDS[MARIA]).status_code == 302
    home = f"{prefix}/"
    token = warning_of(browser.client.get(home))["data-csrf"]
    at(short_sessions, minutes=58)  # the page warned at 58 minutes; the person answers
    response = browser.client.post(f"{prefix}/renovar-sessao", headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert response.get_json() == {"restante": 60 * 60}
    at(short_sessions, minutes=58 + 59)
    assert browser.client.get(home).status_code == 200  # still in, thanks to the renewal


def test_without_continuar_the_session_ends(short_sessions):
    browser = Browser(short_sessions.test_client())
    assert browser.login(MARIA, PASSWORDS[MARIA]).status_code == 302
    token = warning_of(browser.client.get("/"))["data-csrf"]
    at(short_sessions, minutes=61)
    response = browser.client.post("/renovar-sessao", headers={"X-CSRFToken": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/entrar")
    assert browser.client.get("/").status_code == 302


def test_renewal_never_passes_the_maximum_nor_opens_the_other_site(short_sessions):
    browser = Browser(short_sessions.test_client())
    assert browser.login(MARIA, PASSWORDS[MARIA]).status_code == 302
    token = warning_of(browser.client.get("/"))["data-csrf"]
    for minutes in range(50, 11 * 60 + 50, 50):
        at(short_sessions, minutes=minutes)
        assert (
            browser.client.post("/renovar-sessao", headers={"X-CSRFToken": token}).status_code
            == 200
        )
    at(short_sessions, hours=11, minutes=50)
    answer = browser.client.post("/renovar-sessao", headers={"X-CSRFToken": token}).get_json()
    assert answer == {"restante": 10 * 60}  # the absolute limit: the warning still tells
    # the support site's session renews nothing on the mapa site (no session there: refused)
    response = browser.client.post("/mapa/renovar-sessao", headers={"X-CSRFToken": token})
    assert response.status_code in (302, 400)


def test_renewal_needs_the_pages_token(short_sessions):
    browser = Browser(short_sessions.test_client())
    assert browser.login(MARIA, PASSWORDS[MARIA]).status_code == 302
    assert browser.client.post("/renovar-sessao").status_code == 400
    assert browser.client.get("/renovar-sessao").status_code == 405


def test_a_first_access_page_can_be_extended_too(short_sessions):
    browser = Browser(short_sessions.test_client())
    assert browser.login(PAULO, "Temporaria-2026").status_code == 302
    response = renew(browser.client, "/trocar-senha")
    assert response.status_code == 200 and response.get_json()["restante"] == 60 * 60


def test_many_tabs_and_many_people_continue_at_once(portal):
    """A class warned in the same minute: AT_ONCE renewals together, zero errors (both DBs)."""
    people = [Person(portal, MARIA if i % 2 else JOAO) for i in range(AT_ONCE // 2)]
    tabs = [people[i % len(people)] for i in range(AT_ONCE)]  # two tabs per session
    tokens = [warning_of(tab.get("/"))["data-csrf"] for tab in tabs]
    at(portal, minutes=30)

    def press(i):
        return tabs[i].client.post("/renovar-sessao", headers={"X-CSRFToken": tokens[i]})

    results = run_together(AT_ONCE, press)
    assert errors_in(results) == []
    assert [r.status_code for r in results] == [200] * AT_ONCE
    with portal.app_context():
        seen = set(db.session.scalars(select(LoginSession.last_seen_at)))
        db.session.remove()
    assert seen == {clock.parse_utc(FROZEN) + timedelta(minutes=30)}


def test_no_page_refreshes_or_redirects_by_itself(portal):
    person = Person(portal, MARIA)
    for path, response in crawl(person.client, "/", per_shape=2).items():
        assert "Refresh" not in response.headers, path
        assert not re.search(r"<meta[^>]+http-equiv=.?refresh", response.text, re.I), path
        assert 'target="_blank"' not in response.text, path
