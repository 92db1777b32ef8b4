"""The first access in a real browser: e-mailed password, forced change, then the mapa site."""

from __future__ import annotations

import re

import pytest
from apoio_navegador import launched, served
from apoio_portal import Outbox

NEW = "paula.ramos@agro.gov.br"
NEW_PASSWORD = "um cavalo azul no pasto"

pytestmark = pytest.mark.browser


@pytest.fixture
def portal(app_factory):
    """The portal served over HTTP on a free loopback port, in a thread."""
    app = app_factory()
    with served(app) as base:
        yield app, base


@pytest.fixture
def chromium():
    with launched() as browser:
        yield browser


def log_in(page, url: str, email: str, password: str) -> None:
    page.goto(url)
    page.get_by_label("Usuário", exact=True).fill(email)
    page.get_by_label("Senha", exact=True).fill(password)
    page.get_by_role("button", name="Entrar").click()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_first_access_in_the_browser(chromium, portal):
    from playwright.sync_api import expect

    app, base = portal
    result = app.test_cli_runner().invoke(
        args=["criar-usuario", NEW, "--nome", "Paula Ramos", "--orgao", "MAPA"]
    )
    assert result.exit_code == 0, result.output
    temporary = Outbox(app).temporary_password(NEW)

    context = chromium.new_context(locale="pt-BR")
    context.set_default_timeout(15_000)
    page = context.new_page()

    # The support site: the root asks for a login, then for a new password.
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(re.escape(base) + r"/entrar"))
    log_in(page, page.url, NEW, temporary)
    expect(page).to_have_url(base + "/trocar-senha")
    page.goto(base + "/")  # no way around the change
    expect(page).to_have_url(base + "/trocar-senha")
    expect(page.get_by_role("heading", name="Trocar senha")).to_be_visible()
    page.get_by_label("Senha atual", exact=True).fill(temporary)
    page.get_by_label("Nova senha", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirme a nova senha", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Salvar nova senha").click()
    expect(page).to_have_url(base + "/")
    expect(
        page.get_by_text("Senha alterada. A nova senha vale para os dois sites.")
    ).to_be_visible()
    expect(page.get_by_text("Olá, Paula Ramos")).to_be_visible()

    # The mapa site: its own login, the new password, no second change.
    log_in(page, base + "/mapa/entrar", NEW, NEW_PASSWORD)
    expect(page).to_have_url(base + "/mapa/")
    expect(page.get_by_role("heading", name="Minha área")).to_be_visible()

    # The temporary password is refused on both sites.
    stranger = chromium.new_context(locale="pt-BR").new_page()
    for url in (base + "/entrar", base + "/mapa/entrar"):
        log_in(stranger, url, NEW, temporary)
        expect(stranger.get_by_role("alert").first).to_contain_text("Usuário ou senha incorretos.")
        expect(stranger).to_have_url(url)
    stranger.context.close()
    context.close()
