"""The seed chapter in a real browser: open a ticket, attach, approve, find it, follow it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from apoio_chamados import FROZEN, MARIA, REQUESTER_PASSWORD, pdf_bytes, png_bytes
from apoio_navegador import launched, served

pytestmark = pytest.mark.browser


@pytest.fixture
def portal(app_factory):
    """A fresh portal served on a free loopback port, in a thread."""
    app = app_factory(FROZEN_TIME=FROZEN)
    with served(app) as base:
        yield app, base


@pytest.fixture
def page():
    with launched() as browser:
        context = browser.new_context(locale="pt-BR", timezone_id="America/Sao_Paulo")
        context.set_default_timeout(15_000)
        yield context.new_page()
        context.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_seed_chapter_in_the_browser(portal, page):
    from playwright.sync_api import expect

    _, base = portal
    page.goto(base + "/entrar")
    page.get_by_label("Usuário", exact=True).fill(MARIA)
    page.get_by_label("Senha", exact=True).fill(REQUESTER_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_text("Olá, Maria Souza")).to_be_visible()

    # Acesse o menu “Processos”, após clique em “Abrir”; a seguir, “Abertura de Chamado”.
    page.get_by_role("button", name="Processos").click()
    page.get_by_role("link", name="Abrir", exact=True).click()
    page.get_by_role("button", name="Abertura de Chamado").click()
    expect(page.get_by_role("heading", name="Abertura de Chamado")).to_be_visible()

    # The código is shown before anything is filled: note it.
    codigo = page.locator("output.portal-codigo-valor")
    expect(codigo).to_have_text(re.compile(r"^2026-\d{6}$"))
    number = codigo.inner_text()

    # The fluxo vivo: the diagram is drawn from the BPMN, with the current step marked.
    page.get_by_role("link", name="fluxo vivo").click()
    expect(page.locator("#diagrama[data-pronto=sim]")).to_be_attached()
    expect(page.locator("#diagrama .etapa-atual")).to_have_count(1)
    page.get_by_role("link", name=f"Voltar ao chamado {number}").click()
    expect(codigo).to_have_text(number)

    # Categoria, Assunto, Descrição, Anexos, Aprovar.
    page.get_by_text("Consulta Técnica", exact=True).click()
    expect(page.get_by_role("radio", name="Consulta Técnica")).to_be_checked()
    page.get_by_label("Assunto").fill("Não consigo anexar o token")
    page.get_by_label("Descrição").fill("Ao assinar, a tela fica em branco.\nPasso a passo: …")
    page.get_by_label("Anexos").set_input_files(
        [
            {"name": "tela.png", "mimeType": "image/png", "buffer": png_bytes()},
            {"name": "passo-a-passo.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()},
        ]
    )
    page.get_by_role("button", name="Aprovar").click()
    expect(page.get_by_text("Chamado enviado ao suporte técnico.")).to_be_visible()
    expect(page.locator(".portal-numero-grande")).to_contain_text(number)

    # Minha Área › Selecionados › Nº do Processo › Buscar.
    page.get_by_role("link", name="Minha Área").click()
    page.get_by_role("link", name="Selecionados").click()
    page.get_by_label("Nº do Processo").fill(number)
    page.get_by_role("button", name="Buscar").click()
    result = page.get_by_role("link", name=number, exact=True)
    expect(result).to_be_visible()
    expect(page.get_by_role("cell", name="Consulta Técnica")).to_be_visible()
    result.click()

    # Status, Acessar (the form, attachments downloadable), Listagem.
    page.get_by_role("link", name="Status").click()
    expect(page.get_by_role("heading", name="Status")).to_be_visible()
    expect(page.get_by_role("cell", name="Abertura de Chamado").first).to_be_visible()
    expect(page.get_by_role("cell", name="Triagem").first).to_be_visible()
    page.get_by_role("link", name="Acessar").click()
    expect(page.get_by_role("heading", name="Acessar")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="passo-a-passo.pdf", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "passo-a-passo.pdf"
    assert Path(download.path()).read_bytes() == pdf_bytes()
    expect(page.get_by_role("link", name="tela.png", exact=True)).to_be_visible()
    page.get_by_role("link", name="Listagem").click()
    expect(page.get_by_role("heading", name="Listagem")).to_be_visible()
    expect(page.get_by_role("cell", name="Em andamento")).to_be_visible()
