"""Hardened responses: a strict CSP on every page (and nothing inline that it would block),
HSTS and Secure cookies in production, nothing behind the login kept in a cache.
"""

from __future__ import annotations

import re

import pytest
from apoio_atendimento import ANA, PASSWORDS, RITA, Person
from apoio_chamados import FROZEN, JOAO, MARIA, png_bytes, upload
from apoio_navegador import launched, served
from apoio_paginas import crawl
from apoio_portal import Browser
from apoio_turmas import TRAINER, make_class
from flask import url_for

from demo.security import CONTENT_SECURITY_POLICY

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "script embutido"),
    (re.compile(r"<style\b", re.I), "<style> embutido"),
    (re.compile(r"\sstyle\s*=", re.I), "atributo style"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "manipulador de evento embutido"),
]


def csp_violations(page) -> list[str]:
    """The page's console messages about the Content-Security-Policy, as they come."""
    found: list[str] = []
    page.on(
        "console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None
    )
    return found


@pytest.fixture
def portal(app):
    app.config["FROZEN_TIME"] = FROZEN
    maria = Person(app, MARIA)
    number = maria.open_ticket("Tela em branco", files=[upload(png_bytes(), "tela.png")])
    Person(app, JOAO).act(number, "informacao", "Qual navegador?")
    make_class(app, "turma-a")
    return app


def assert_hardened(path: str, response) -> None:
    headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
    assert headers["X-Content-Type-Options"] == "nosniff", path
    assert headers["Cache-Control"] == "no-store", path
    assert response.status_code < 500, (path, response.status_code)
    if "text/html" in headers.get("Content-Type", ""):
        for pattern, what in INLINE:
            found = pattern.search(response.text)
            assert not found, f"{path}: {what}: {found.group(0) if found else ''}"


@pytest.mark.parametrize("who", [MARIA, JOAO, RITA, ANA, TRAINER])
def test_every_page_of_every_profile_is_hardened(portal, who):
    person = Person(portal, who)
    assert Browser(person.client, "/mapa").login(who, PASSWORDS[who]).status_code == 302
    pages = crawl(person.client, "/")
    pages.update(crawl(person.client, "/mapa/"))
    assert len(pages) > 5, sorted(pages)
    for path, response in pages.items():
        assert_hardened(path, response)


def test_pages_before_the_login_are_hardened_too(portal):
    client = portal.test_client()
    for path in ("/entrar", "/mapa/entrar", "/nao-existe", "/chamados/2026-000001"):
        assert_hardened(path, client.get(path))
    # A form with errors, too.
    response = Browser(client).login("", "")
    assert_hardened("/entrar (com erros)", response)


def test_shared_files_may_be_cached(portal):
    client = portal.test_client()
    for path in ("/static/portal.css", "/vendor/@govbr-ds/core/dist/core.min.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers.get("Cache-Control") != "no-store", path
        response.close()


def test_the_portals_own_files_are_kept_under_an_address_that_changes_with_them(
    portal, tmp_path, monkeypatch
):
    """A page links to /static/portal.css?v=<digest>: kept a year, asked again once it changed."""
    client = portal.test_client()
    page = client.get("/entrar").text
    linked = dict(re.findall(r'"(/static/[\w.-]+)\?v=([0-9a-f]{12})"', page))
    assert {"/static/portal.css", "/static/portal.js"} <= set(linked), page[:2000]
    response = client.get(f"/static/portal.css?v={linked['/static/portal.css']}")
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    response.close()

    monkeypatch.setattr(portal, "static_folder", str(tmp_path))
    css = tmp_path / "portal.css"
    addresses = []
    for content in ("body { color: #000 }", "body { color: #111111 }"):
        css.write_text(content)
        with portal.test_request_context():
            addresses.append(url_for("static", filename="portal.css"))
    assert addresses[0] != addresses[1], addresses


def test_production_sends_hsts_and_secure_cookies(app_factory):
    app = app_factory(ENVIRONMENT="production", TESTING=False)
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    response = Browser(client).login(MARIA, "solicitante-demo")
    assert response.status_code == 302
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("sessao_")]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_development_sends_no_hsts(portal):
    assert "Strict-Transport-Security" not in portal.test_client().get("/entrar").headers


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_browser_reports_no_csp_violation(portal):
    """The design system, bpmn-js and the portal's scripts all work under the policy."""
    from playwright.sync_api import expect

    with served(portal) as base, launched() as chromium:
        page = chromium.new_page()
        violations = csp_violations(page)
        page.goto(base + "/entrar")
        page.get_by_label("Usuário", exact=True).fill(MARIA)
        page.get_by_label("Senha", exact=True).fill("solicitante-demo")
        page.get_by_role("button", name="Entrar").click()
        page.goto(base + "/minha-area/")
        number = "2026-000001"
        for tab in ("status", "acessar", "listagem"):
            page.goto(f"{base}/chamados/{number}/{tab}")
        page.goto(f"{base}/chamados/{number}/fluxo")
        # bpmn-js drew the diagram (it would fail on a blocked style or script).
        expect(page.locator("#diagrama svg").first).to_be_visible()
        page.get_by_role("button", name="Processos").click()
        expect(page.get_by_role("link", name="Abrir")).to_be_visible()
        assert violations == []


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_api_reference_works_under_the_policy(portal):
    """Swagger UI, served from npm by the portal, draws the specification with no violation."""
    from playwright.sync_api import expect

    with served(portal) as base, launched() as chromium:
        page = chromium.new_page()
        violations = csp_violations(page)
        outside = []
        page.on(
            "request",
            lambda r: outside.append(r.url) if not r.url.startswith((base, "data:")) else None,
        )
        page.goto(base + "/api/v1/referencia")
        # Swagger UI's bundle (1.5 MB) draws the page: a cold, busy machine needs more than 5 s.
        title = page.get_by_text("API do Portal de Suporte Técnico").first
        expect(title).to_be_visible(timeout=30_000)
        operation = page.locator("#operations-chamados-get_api_v1_chamados")
        expect(operation).to_be_visible()
        operation.locator("button").first.click()
        expect(page.get_by_text("pagina").first).to_be_visible()
        assert violations == []
        assert outside == []
