"""The manual in Chromium, served by the portal under a strict Content-Security-Policy:
WCAG 2.2 AA (axe-core) on every page, on a desktop and on a phone, and the Portuguese search."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import apoio_axe
import pytest
from apoio_navegador import launched, served

from demo import create_app

#: The tests that read the built manual run on one pytest-xdist worker (see the Makefile).
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("manual")]

# What the portal will send: no inline script or style may run. Set here only when the portal
# does not send one of its own yet (its own, once there, is the one tested).
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'"
)
# Every refusal of the policy, kept for the test (an init script runs before the page's own).
RECORD_REFUSALS = """
window.__refusals = [];
document.addEventListener("securitypolicyviolation", e => window.__refusals.push(
    `${e.violatedDirective} refused ${e.blockedURI || "inline code"} ` +
    `(${e.sourceFile}:${e.lineNumber})`));
"""
VIEWPORTS = {"computador": {"width": 1280, "height": 900}, "celular": {"width": 390, "height": 844}}


def with_policy(app):
    def wsgi(environ, start_response):
        def start(status, headers, *args):
            if not any(name.lower() == "content-security-policy" for name, _ in headers):
                headers.append(("Content-Security-Policy", POLICY))
            return start_response(status, headers, *args)

        return app(environ, start)

    return wsgi


@pytest.fixture(scope="module")
def manual(manual_build, tmp_path_factory):
    """The portal serving the manual that `make docs` built; yields its base URL."""
    folder = tmp_path_factory.mktemp("portal")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "chave-de-teste",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'portal.db'}",  # never opened here
            "MANUAL_DIR": str(manual_build),
        }
    )
    with served(with_policy(app.wsgi_app)) as base:
        yield base


@pytest.fixture(scope="module")
def chromium():
    with launched() as browser:
        yield browser


def addresses(manual_build: Path) -> list[str]:
    """Every page of the manual, the search with and without results, the one-page edition."""
    names = sorted(p.name for p in (manual_build / "html").glob("*.html"))
    found = [f"/manual/{name}" for name in names if name != "search.html"]
    return [
        *found,
        "/manual/search.html?q=" + quote("palavrainexistente"),
        "/manual/search.html?q=" + quote("senha"),
        "/manual/primeiro-acesso.html?highlight=senha",  # a search's words, marked on the page
        "/manual/singlehtml/",
    ]


def open_page(context, url: str):
    page = context.new_page()
    page.goto(url, wait_until="load")
    if "search.html?q=" in url:
        # The results arrive one by one after the index loads; the summary is written only
        # once the last is shown.
        page.locator("#search-results p.search-summary:not(:empty)").wait_for()
    return page


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_page_passes_axe_wcag22_aa_under_the_policy(viewport, manual, manual_build, chromium):
    context = chromium.new_context(viewport=VIEWPORTS[viewport], locale="pt-BR")
    context.add_init_script(RECORD_REFUSALS)
    apoio_axe.prepare(context)
    problems = []

    def check(page, where: str) -> None:
        found = apoio_axe.violations(page)
        if found:
            problems.append(apoio_axe.describe(found, where=f"{where}: "))

    try:
        for address in addresses(manual_build):
            page = open_page(context, manual + address)
            if not page.get_by_role("link", name="Voltar ao portal").is_visible():
                problems.append(f"{address}: sem o link “Voltar ao portal” à vista")
            check(page, address)
            menu = page.locator("button.manual-menu")
            if menu.is_visible():  # on a phone the chapters are behind the menu button
                menu.click()
                page.locator("button.manual-menu[aria-expanded=true]").wait_for()
                check(page, f"{address} (menu aberto)")
            problems += [f"{address}: CSP: {r}" for r in page.evaluate("window.__refusals")]
            page.close()
    finally:
        context.close()
    assert not problems, f"{viewport}:\n" + "\n".join(problems)


def search(context, base: str, words: str) -> list[str]:
    """The pages the manual's search lists for these words."""
    page = open_page(context, f"{base}/manual/search.html?q={quote(words)}")
    found = page.eval_on_selector_all(
        "#search-results a", "links => links.map(a => new URL(a.href).pathname)"
    )
    page.close()
    return found


def test_the_search_finds_portuguese_words_with_or_without_accents(manual, chromium):
    context = chromium.new_context(locale="pt-BR")
    try:
        with_accents = search(context, manual, "solução")
        assert "/manual/abertura-de-chamados.html" in with_accents
        assert search(context, manual, "solucao") == with_accents
        assert search(context, manual, "SOLUÇÃO") == with_accents
        # the stemmer: a plural finds the singular
        assert "/manual/primeiro-acesso.html" in search(context, manual, "senhas")
        assert search(context, manual, "palavrainexistente") == []
    finally:
        context.close()
