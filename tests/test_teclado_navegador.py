"""Keyboard only: the original manual's whole chapter (docs/abertura-de-chamados.rst, with the
first access of docs/primeiro-acesso.rst) and an agent deciding a task, with Tab, Shift+Tab,
Enter, Space and the arrows — never a click — and the focus visible on every element it
reaches (a computed outline or ring on the element, its label or the control that shows it).
"""

from __future__ import annotations

import re

import pytest
from apoio_atendimento import Person
from apoio_chamados import FROZEN, JOAO, MARIA, png_bytes
from apoio_navegador import launched, served

pytestmark = pytest.mark.browser

PAULO = "paulo.ramos@agro.gov.br"  # first access (conf/demo.toml)
PAULO_TEMPORARY = "Temporaria-2026"
PAULO_NEW = "girassol amarelo na janela"
#: How many Tab presses may separate two things a person wants: more is a trap or a maze.
MAX_TABS = 60

#: What shows that an element has the focus: an outline or a ring (box-shadow) drawn on the
#: element, on its label or their ::before/::after (the design system draws radio buttons
#: there), or on the styled button that stands in front of a transparent file input.
FOCUS_SHOWN = """el => {
    const ring = (node, pseudo) => {
        if (!node) return null;
        const s = getComputedStyle(node, pseudo);
        if (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) return "outline";
        if (s.boxShadow && s.boxShadow !== "none") return "box-shadow";
        return null;
    };
    const places = [el, ...(el.labels || [])];
    const stand_in = el.closest(".portal-upload");
    if (stand_in) places.push(stand_in.querySelector(".portal-upload-button"));
    for (const node of places) {
        for (const pseudo of [null, "::before", "::after"]) {
            const found = ring(node, pseudo);
            if (found) {
                const box = node.getBoundingClientRect();
                if (box.width > 0 && box.height > 0) return found;
            }
        }
    }
    return null;
}"""
DESCRIBE = """el => {
    const name = el.getAttribute("aria-label") || (el.labels && el.labels[0]
        && el.labels[0].textContent) || (el.tagName === "INPUT" && el.value)
        || el.textContent || "";
    const words = name.trim().split(/\\s+/).join(" ").slice(0, 60);
    return `<${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}> ${words}`;
}"""


class Keyboard:
    """A person with a keyboard: every move is a key, every focus is checked."""

    def __init__(self, page):
        self.page = page
        self.visited: list[str] = []

    def focused(self):
        return self.page.locator(":focus")

    def _check_focus(self) -> str:
        element = self.page.evaluate_handle("document.activeElement")
        description = self.page.evaluate(DESCRIBE, element)
        if self.page.evaluate("document.activeElement === document.body"):
            return description
        shown = self.page.evaluate(FOCUS_SHOWN, element)
        assert shown, f"{self.page.url}: foco invisível em {description}"
        self.visited.append(description)
        return description

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self._check_focus()

    def tab_to(self, pattern: str, backwards: bool = False) -> None:
        """Tab (or Shift+Tab) until the focused element's name matches `pattern`."""
        wanted = re.compile(pattern, re.IGNORECASE)
        seen = []
        for _ in range(MAX_TABS):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            description = self._check_focus()
            seen.append(description)
            if wanted.search(description.split("> ", 1)[-1]):
                return
        raise AssertionError(f"{self.page.url}: “{pattern}” não alcançado pelo Tab: {seen}")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def activate(self, key: str = "Enter") -> None:
        """Press Enter (or Space) on the focused element and wait for what it loads."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.page.wait_for_load_state()


@pytest.fixture
def portal(app):
    app.config["FROZEN_TIME"] = FROZEN
    with served(app) as base:
        yield app, base


@pytest.fixture
def chromium():
    with launched() as browser:
        yield browser


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_whole_chapter_with_the_keyboard_alone(portal, chromium, tmp_path):
    _app, base = portal
    screenshot = tmp_path / "tela-com-erro.png"
    screenshot.write_bytes(png_bytes())
    context = chromium.new_context(locale="pt-BR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    keys = Keyboard(page)
    try:
        # Ao acessar o endereço, a tela de entrada; usuário e senha recebidos por e-mail.
        page.goto(base + "/")
        keys.tab_to("^Usuário")
        keys.type(PAULO)
        keys.tab_to("^Senha")
        keys.type(PAULO_TEMPORARY)
        keys.tab_to("^Entrar$")
        keys.activate()
        assert page.url.endswith("/trocar-senha")

        # Primeiro acesso: a nova senha.
        keys.tab_to("^Senha atual")
        keys.type(PAULO_TEMPORARY)
        keys.tab_to("^Nova senha")
        keys.type(PAULO_NEW)
        keys.tab_to("^Confirme a nova senha")
        keys.type(PAULO_NEW)
        keys.tab_to("^Salvar nova senha$")
        keys.activate("Space")
        assert page.url == base + "/"

        # Processos › Abrir › Abertura de Chamado.
        keys.tab_to("^Processos")
        keys.press("Enter")  # opens the menu and moves into it
        assert keys.focused().inner_text().strip() == "Abrir"
        keys.activate()
        keys.tab_to("^Abertura de Chamado$")
        keys.activate()
        number = page.locator("output.portal-codigo-valor").inner_text().strip()

        # A categoria (as setas mudam a opção), o assunto, a descrição e um anexo.
        keys.tab_to("^Consulta Técnica")
        keys.press("ArrowDown")
        chosen = page.evaluate("document.querySelector('input[name=categoria]:checked').id")
        assert chosen == page.evaluate("document.activeElement.id")
        keys.press("ArrowUp")
        assert page.evaluate("document.activeElement.id") == "categoria-consulta-tecnica"
        keys.tab_to("^Assunto")
        keys.type("Relatório não abre")
        keys.tab_to("^Descrição")
        keys.type("Ao abrir o relatório mensal, a tela fica em branco.")
        keys.tab_to("^Anexos")
        with page.expect_file_chooser() as chooser:
            page.keyboard.press("Space")  # the file chooser, opened from the keyboard
        chooser.value.set_files(str(screenshot))
        assert "tela-com-erro.png" in page.locator(".portal-upload-names").inner_text()

        # Aprovar.
        keys.tab_to("^Aprovar$")
        keys.activate()
        assert number in page.locator("main").inner_text()

        # Minha Área › Selecionados › Buscar.
        keys.tab_to("^Minha Área$")
        keys.activate()
        keys.tab_to("^Selecionados$")
        keys.activate()
        keys.tab_to("^Nº do Processo")
        keys.type(number)
        keys.activate()  # Enter in the field sends the search
        keys.tab_to(f"^{number}$")
        keys.activate()

        # Status, Acessar e Listagem; o fluxo vivo.
        for tab in ("Status", "Acessar", "Listagem"):
            keys.tab_to(f"^{tab}$")
            keys.activate()
            assert page.url.endswith(f"/{tab.lower()}")
        keys.tab_to("^fluxo vivo$", backwards=True)
        keys.activate()
        page.locator("#diagrama[data-pronto=sim]").wait_for()
        assert "Abertura de Chamado" in page.locator(".portal-etapas").inner_text()
        # and back, still by keyboard
        keys.tab_to(f"^Voltar ao chamado {number}$", backwards=True)
        keys.activate()
        assert page.url.endswith(f"/chamados/{number}")
    finally:
        context.close()
    assert len(keys.visited) > 20, keys.visited


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_agent_decides_a_task_with_the_keyboard_alone(portal, chromium):
    app, base = portal
    number = Person(app, MARIA).open_ticket("Relatório não abre")
    context = chromium.new_context(locale="pt-BR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    keys = Keyboard(page)
    try:
        page.goto(base + "/entrar")
        keys.tab_to("^Usuário")
        keys.type(JOAO)
        keys.tab_to("^Senha")
        keys.type("atendente-demo")
        keys.activate()  # Enter in the password field sends the form
        assert page.url == base + "/"
        keys.tab_to("^Atendimento$")
        keys.activate()
        keys.tab_to(f"^{number}$")
        keys.activate()
        keys.tab_to("^Assumir$")
        keys.activate("Space")
        assert page.get_by_role("button", name="Liberar").is_visible()
        keys.tab_to("^Comentário")
        keys.type("Qual navegador e qual versão você usa?")
        keys.tab_to("^Solicitar informações$")
        keys.activate()
        assert (
            "2026-000002"
            not in [link.strip() for link in page.locator("main tbody a").all_inner_texts()]
            or "Complementação" in page.locator("main").inner_text()
        )
        assert page.locator(".br-message.success").count() == 1, page.locator("main").inner_text()
    finally:
        context.close()
