"""axe-core (WCAG 2.0, 2.1 and 2.2, levels A and AA) on every screen of the portal: every profile,
both sites, a desktop and a 390 px phone, normal and high contrast, in the states that matter.

The screens are found, not listed: each profile's pages are crawled from its home on both
sites (tests/apoio_paginas.py), so a new screen linked from anywhere is covered as it lands.
The states a link cannot reach (a form sent empty, a wrong password, a search without
results, an open menu, the session warning) are an explicit list below. A failure names the
profile, the viewport, the contrast, the page and the rule.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import apoio_axe
import pytest
from apoio_atendimento import ANA, PASSWORDS, Person
from apoio_chamados import CARLOS, FROZEN, JOAO, MARIA, open_form, png_bytes, upload
from apoio_navegador import launched, served, settle
from apoio_paginas import crawl
from apoio_portal import Browser

from demo.services import clock

pytestmark = pytest.mark.browser

PAULO = "paulo.ramos@agro.gov.br"  # first access: a temporary password (conf/demo.toml)
PAULO_TEMPORARY = "Temporaria-2026"
#: Carlos's tickets: Minha Área and the agents' queue become a hundred-row screen.
LONG_LIST = 100
VIEWPORTS = {"computador": {"width": 1280, "height": 900}, "celular": {"width": 390, "height": 844}}
#: Pages of one kind visited per profile: one ticket's page stands for a hundred (the states
#: below add what differs between tickets: the requester's forms, an agent's refusal).
PER_SHAPE = 1


@dataclass(frozen=True)
class Profile:
    name: str
    email: str | None
    password: str | None
    #: False for a profile whose pages another profile already crawls: only its states count
    crawled: bool = True


PROFILES = {
    "visitante": Profile("visitante", None, None),
    "solicitante": Profile("solicitante", MARIA, PASSWORDS[MARIA]),
    "solicitante-com-cem-chamados": Profile(
        "solicitante-com-cem-chamados", CARLOS, PASSWORDS[CARLOS], crawled=False
    ),
    "atendente": Profile("atendente", JOAO, PASSWORDS[JOAO]),
    "gestor": Profile("gestor", ANA, PASSWORDS[ANA]),
    "primeiro-acesso": Profile("primeiro-acesso", PAULO, PAULO_TEMPORARY),
}


@pytest.fixture(scope="module")
def portal(module_portal):
    """One portal for the module, with data in every state a screen shows; (app, base URL)."""
    app = module_portal(FROZEN_TIME=FROZEN)
    maria = Person(app, MARIA)
    asked = maria.open_ticket("Tela em branco", files=[upload(png_bytes(), "tela.png")])
    joao = Person(app, JOAO)
    joao.act(asked, "informacao", "Qual navegador?")  # Maria's "Sua ação": an answer
    solved = maria.open_ticket("Erro ao salvar")
    joao.claim(solved)
    joao.act(solved, "resolver", "Vou resolver.")
    joao.act(solved, "solucionar", "Limpe o cache do navegador.")  # validation: accept/refuse
    open_form(maria.browser)  # a draft
    app.extensions["teste.chamados"] = {"pergunta": asked, "solucao": solved}
    carlos = Person(app, CARLOS)
    for index in range(LONG_LIST):
        carlos.open_ticket(f"Chamado {index + 1} de uma lista longa")
    with served(app) as base:
        yield app, base


@pytest.fixture(scope="module")
def chromium():
    with launched() as browser:
        yield browser


# --- the pages: crawled as each profile, plus the states a link does not reach ---------------


def discovered(app, profile: Profile) -> list[str]:
    """Every page this profile reaches by links from the homes of both sites."""
    client = app.test_client()
    if profile.email:
        for prefix in ("", "/mapa"):
            response = Browser(client, prefix).login(profile.email, profile.password)
            assert response.status_code == 302, (profile.name, prefix, response.status_code)
    pages = crawl(client, "/", per_shape=PER_SHAPE)
    pages.update(crawl(client, "/mapa/", per_shape=PER_SHAPE))
    found = [
        path
        for path, response in pages.items()
        if response.status_code == 200 and "text/html" in response.headers["Content-Type"]
    ]
    # the error page is a screen too (and the only one a link never leads to)
    return [*found, "/nao-existe", "/mapa/nao-existe"]


State = Callable[[object, str], None]


def _submit_empty(path: str, button: str) -> State:
    def state(page, base):
        page.goto(base + path)
        page.get_by_role("button", name=button, exact=True).click()
        page.wait_for_load_state()

    return state


def _wrong_login(prefix: str) -> State:
    def state(page, base):
        page.goto(f"{base}{prefix}/entrar")
        page.get_by_label("Usuário", exact=True).fill(MARIA)
        page.get_by_label("Senha", exact=True).fill("senha-errada")
        page.get_by_role("button", name="Entrar").click()
        page.wait_for_load_state()

    return state


def _goto(path: str) -> State:
    def state(page, base):
        page.goto(base + path)

    return state


def _menu_open(page, base):
    page.goto(base + "/")
    page.get_by_role("button", name="Processos").click()
    page.get_by_role("link", name="Abrir").wait_for()


def _empty_ticket_form(page, base):
    page.goto(base + "/processos/abrir")
    page.get_by_role("button", name="Abertura de Chamado").click()
    page.get_by_role("button", name="Aprovar").click()
    page.locator(".br-message.danger").wait_for()


def _empty_answer(number: str) -> State:
    def state(page, base):
        page.goto(f"{base}/chamados/{number}/status")
        page.get_by_role("button", name="Enviar resposta").click()
        page.wait_for_load_state()

    return state


def _refusal_without_reason(number: str) -> State:
    def state(page, base):
        page.goto(f"{base}/chamados/{number}/status")
        page.get_by_role("button", name="Recusar solução").click()
        page.wait_for_load_state()

    return state


def _task_without_comment(page, base):
    page.goto(base + "/atendimento/")
    page.locator("tbody a").first.click()
    page.get_by_role("button", name="Solicitar informações").click()
    page.wait_for_load_state()


def _focus_on_the_bar(page, base):
    page.goto(base + "/")
    page.keyboard.press("Tab")  # the first Tab shows the accessibility bar


def _session_warning(app) -> State:
    def state(page, base):
        app.config["SESSION_WARNING_MINUTES"] = app.config["SESSION_IDLE_MINUTES"]
        try:
            page.goto(base + "/")
        finally:
            app.config["SESSION_WARNING_MINUTES"] = 2
        page.locator("#sessao-aviso[open]").wait_for()

    return state


def states(app, profile: Profile) -> dict[str, State]:
    """What a crawl does not reach: forms with errors, empty results, open menus and dialogs."""
    common = {"barra de acessibilidade em foco": _focus_on_the_bar}
    if profile.email is None:
        return {
            **common,
            "Entrar enviado vazio": _submit_empty("/entrar", "Entrar"),
            "Entrar com senha errada": _wrong_login(""),
            "mapa: Entrar com senha errada": _wrong_login("/mapa"),
        }
    if profile.email == CARLOS:  # Maria's screens, but a hundred rows long
        return {
            "Minha Área com cem chamados": _goto("/minha-area/"),
            "Selecionados com cem resultados": _goto("/minha-area/selecionados?numero=2026"),
        }
    if profile.email == PAULO:
        return {
            **common,
            "Trocar senha enviado vazio": _submit_empty("/trocar-senha", "Salvar nova senha"),
        }
    found = {
        **common,
        "Trocar senha enviado vazio": _submit_empty("/trocar-senha", "Salvar nova senha"),
        "aviso de fim da sessão": _session_warning(app),
        "mapa: busca sem resultado": _goto("/mapa/?protocolo=nenhum"),
    }
    numbers = app.extensions["teste.chamados"]
    if profile.email == MARIA:
        found |= {
            "Sua ação (resposta) enviada vazia": _empty_answer(numbers["pergunta"]),
            "Sua ação (recusa) sem o motivo": _refusal_without_reason(numbers["solucao"]),
        }
    if profile.email == MARIA:
        found |= {
            "menu Processos aberto": _menu_open,
            "formulário do chamado enviado vazio": _empty_ticket_form,
            "Selecionados sem resultado": _goto("/minha-area/selecionados?numero=9999-999999"),
            "Selecionados com resultado": _goto("/minha-area/selecionados?numero=2026"),
        }
    if profile.email == JOAO:
        found["tarefa sem comentário"] = _task_without_comment
    return found


# --- the check ---------------------------------------------------------------------------


def log_in(page, base: str, profile: Profile) -> None:
    """Log in on both sites through their forms, as a person does."""
    for prefix in ("", "/mapa"):
        page.goto(f"{base}{prefix}/entrar")
        page.get_by_label("Usuário", exact=True).fill(profile.email)
        page.get_by_label("Senha", exact=True).fill(profile.password)
        page.get_by_role("button", name="Entrar").click()
        page.wait_for_load_state()


def eMAG_problems(page) -> list[str]:
    """eMAG rules axe does not check: no refresh or redirect by itself, no unannounced window."""
    problems = []
    if page.locator("meta[http-equiv=refresh i]").count():
        problems.append("a página se atualiza ou redireciona sozinha (meta refresh)")
    for name in page.eval_on_selector_all(
        "a[target]:not([target=_self])",
        "links => links.map(a => a.getAttribute('aria-label') || a.title || a.textContent)",
    ):
        if "nova janela" not in name.lower():
            problems.append(f"o link “{' '.join(name.split())}” abre uma nova janela sem avisar")
    return problems


#: Each page is checked as drawn, then again in high contrast: the switch only makes the server
#: add this class to the body (test_the_high_contrast_switch_works_with_scripts_off checks that),
#: so adding it in place checks the same colours without loading every page twice.
HIGH_CONTRAST = """on => {
    document.body.classList.toggle("portal-alto-contraste", on);
    document.querySelectorAll("[aria-pressed]").forEach(b => b.closest("form[action$='/contraste']")
        && b.setAttribute("aria-pressed", String(on)));
}"""


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("who", PROFILES)
def test_every_screen_passes_axe_wcag22_aa(portal, chromium, who, viewport):
    app, base = portal
    profile = PROFILES[who]
    context = chromium.new_context(viewport=VIEWPORTS[viewport], locale="pt-BR")
    apoio_axe.prepare(context)
    problems: list[str] = []
    checked: list[str] = []

    def check(page, where: str, both_contrasts: bool = True) -> None:
        settle(page)
        for contrast in ("normal", "alto contraste") if both_contrasts else ("normal",):
            label = f"{who}, {viewport}, {contrast}: {where}: "
            page.evaluate(HIGH_CONTRAST, contrast == "alto contraste")
            found = apoio_axe.violations(page)
            if found:
                problems.append(apoio_axe.describe(found, where=label))
        page.evaluate(HIGH_CONTRAST, False)
        problems.extend(f"{who}, {viewport}: {where}: {problem}" for problem in eMAG_problems(page))
        checked.append(where)

    try:
        page = context.new_page()
        if profile.email:
            log_in(page, base, profile)
        for path in discovered(app, profile) if profile.crawled else []:
            page.goto(base + path)
            # The colours do not depend on the width: on the phone, high contrast is checked
            # on the states below (and every page, on the desktop).
            check(page, path, both_contrasts=viewport == "computador")
        for name, state in states(app, profile).items():
            page = context.new_page()
            state(page, base)
            check(page, f"{name} ({page.url.removeprefix(base)})")
            page.close()
    finally:
        context.close()
    assert len(checked) > (5 if profile.crawled else 1), checked
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_api_reference_passes_axe_with_every_operation_open(portal, chromium, viewport):
    """Swagger UI inside the portal's page: its states a link does not reach (every operation
    and every model open) pass axe too, in both contrasts."""
    _app, base = portal
    context = chromium.new_context(viewport=VIEWPORTS[viewport], locale="pt-BR")
    apoio_axe.prepare(context)
    problems: list[str] = []
    try:
        page = context.new_page()
        page.goto(base + "/api/v1/referencia")
        settle(page)
        operations = page.locator(".opblock-summary-control")
        assert operations.count() >= 15
        for control in operations.all():
            control.click()
        page.locator(".opblock-body").nth(operations.count() - 1).wait_for()
        page.locator(".models-control").click()
        # OpenAPI 3.1: Swagger UI draws the schemas as JSON Schema 2020-12, each with its
        # "Expand all" (every property, however deep)
        deep = page.locator(
            ".models [data-json-schema-level='0'] > div > .json-schema-2020-12-expand-deep-button"
        )
        deep.first.wait_for()
        models = deep.count()
        assert models >= 10
        for index in range(models):
            deep.nth(index).click()
        page.wait_for_function(
            """n => document.querySelectorAll(".models [data-json-schema-level='0'] >"
                + " .json-schema-2020-12-head > [aria-expanded=true]").length === n""",
            arg=models,
        )
        for contrast in ("normal", "alto contraste"):
            page.evaluate(HIGH_CONTRAST, contrast == "alto contraste")
            found = apoio_axe.violations(page)
            if found:
                problems.append(apoio_axe.describe(found, f"{viewport}, {contrast}: referência: "))
        problems.extend(eMAG_problems(page))
    finally:
        context.close()
    assert not problems, "\n".join(problems)


# --- the eMAG features, working in the browser ------------------------------------------------


def test_the_high_contrast_switch_works_with_scripts_off(portal, chromium):
    _app, base = portal
    context = chromium.new_context(java_script_enabled=False, locale="pt-BR")
    try:
        page = context.new_page()
        page.goto(base + "/entrar")
        switch = page.get_by_role("button", name="Alto contraste")
        assert switch.get_attribute("aria-pressed") == "false"
        switch.click()
        page.wait_for_load_state()
        assert page.url == base + "/entrar"  # back on the page it was pressed on
        for address in ("/entrar", "/mapa/entrar", "/mapa/acessibilidade"):
            page.goto(base + address)
            assert "portal-alto-contraste" in page.locator("body").get_attribute("class"), address
            assert (
                page.get_by_role("button", name="Alto contraste").get_attribute("aria-pressed")
                == "true"
            )
            # the design system's colours follow: white on black, links in yellow
            colours = [
                page.locator(selector).first.evaluate(f"e => getComputedStyle(e).{what}")
                for selector, what in (
                    ("body", "backgroundColor"),
                    ("main h1", "color"),
                    ("footer a", "color"),
                )
            ]
            assert colours == ["rgb(0, 0, 0)", "rgb(255, 255, 255)", "rgb(255, 255, 0)"], address
        page.get_by_role("button", name="Alto contraste").click()
        page.wait_for_load_state()
        assert "portal-alto-contraste" not in page.locator("body").get_attribute("class")
    finally:
        context.close()


def press_access_key(page, key: str) -> None:
    """Alt+key as the keyboard sends it. Chromium finds an access key by the key's unmodified
    text, which Playwright's keyboard.press("Alt+1") leaves out; the debugging channel's own
    key event carries it."""
    session = page.context.new_cdp_session(page)
    code = {"key": key, "code": f"Digit{key}", "windowsVirtualKeyCode": ord(key), "modifiers": 1}
    session.send(
        "Input.dispatchKeyEvent", {"type": "keyDown", "text": key, "unmodifiedText": key, **code}
    )
    session.send("Input.dispatchKeyEvent", {"type": "keyUp", **code})
    session.detach()


def focus_reaches(page, ident: str, seconds: float = 5) -> None:
    """Wait until the element with this id has the focus (polled from here: the portal's
    policy forbids the eval that Playwright's wait_for_function needs)."""
    deadline = time.monotonic() + seconds
    while True:
        now = page.evaluate("document.activeElement && document.activeElement.id")
        if now == ident:
            return
        assert time.monotonic() < deadline, f"o foco ficou em #{now}, não em #{ident}"
        time.sleep(0.05)


@pytest.mark.parametrize("prefix", ["", "/mapa"])
def test_the_access_keys_lead_where_they_say(portal, chromium, prefix):
    _app, base = portal
    context = chromium.new_context(locale="pt-BR", viewport=VIEWPORTS["computador"])
    try:
        page = context.new_page()
        log_in(page, base, PROFILES["solicitante"])
        page.goto(f"{base}{prefix}/")
        page.keyboard.press("Tab")
        first = page.locator(":focus")
        assert first.inner_text().startswith("Ir para o conteúdo")
        box = first.bounding_box()
        assert box and box["y"] >= 0 and box["height"] > 0, "a barra não aparece no foco"
        for key, target in (("1", "conteudo"), ("2", "menu"), ("4", "rodape")):
            press_access_key(page, key)
            focus_reaches(page, target)
        press_access_key(page, "3")
        page.wait_for_load_state()
        field = "numero" if prefix == "" else "protocolo"
        focus_reaches(page, field)
        page.keyboard.type("2026")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "=2026" in page.url
    finally:
        context.close()


@pytest.fixture(scope="module")
def short_session(module_portal):
    """A portal whose sessions end after 3 idle minutes, warning 1 minute before; base URL."""
    app = module_portal(FROZEN_TIME=FROZEN, SESSION_IDLE_MINUTES=3, SESSION_WARNING_MINUTES=1)
    with served(app) as base:
        yield app, base


def test_the_session_warning_offers_to_continue_and_never_leaves_the_page(short_session, chromium):
    app, base = short_session
    context = chromium.new_context(locale="pt-BR", viewport=VIEWPORTS["celular"])
    apoio_axe.prepare(context)
    try:
        page = context.new_page()
        page.clock.install()
        log_in(page, base, PROFILES["solicitante"])
        page.goto(base + "/minha-area/")
        dialog = page.get_by_role("alertdialog", name="Sua sessão vai terminar")
        page.clock.run_for("01:59")
        assert not dialog.is_visible()
        page.clock.run_for("00:02")  # one minute before the end
        dialog.wait_for()
        assert "1 minuto" in dialog.inner_text()
        keep = page.get_by_role("button", name="Continuar conectado")
        assert page.evaluate("document.activeElement.textContent").strip() == "Continuar conectado"
        found = apoio_axe.violations(page)
        assert not found, apoio_axe.describe(found, "aviso de sessão: ")
        # the person answers two minutes in: the portal counts it as a use
        moved = (clock.parse_utc(FROZEN) + timedelta(minutes=2)).isoformat()
        app.config["FROZEN_TIME"] = moved
        try:
            with page.expect_response("**/renovar-sessao") as answer:
                page.keyboard.press("Enter")
            assert answer.value.json() == {"restante": 180}
            dialog.wait_for(state="hidden")
            page.clock.run_for("01:30")
            assert not dialog.is_visible()  # the warning restarts from the renewal
            page.clock.run_for("01:00")
            dialog.wait_for()
            page.clock.run_for("01:01")  # nobody answered: the end, told, not acted on
            ended = page.get_by_role("alertdialog", name="Sua sessão terminou")
            ended.wait_for()
            assert page.url == base + "/minha-area/"  # no redirect by itself
            again = page.get_by_role("link", name="Entrar de novo")
            assert again.is_visible() and not keep.is_visible()
        finally:
            app.config["FROZEN_TIME"] = FROZEN
    finally:
        context.close()
