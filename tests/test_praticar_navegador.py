"""Praticar no portal: every chapter's guided tour, followed in Chromium step by step.

The tour finds each step's target with the rule the manual's replay uses (exported with the
steps); this test does each step as a trainee would, on the element the tour highlights, and
fails naming ``arquivo.rst:linha`` when the tour finds the target nowhere, or more than once.
On the way it checks that every screen the manual documents has its *Ajuda* link, and that the
browser reports no Content-Security-Policy violation.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from apoio_navegador import launched, served

from demo import capturas

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
#: How long a step may take to show (a page load and the tour's own wait for its target).
STEP_MS = 15_000


def docs_clock() -> str:
    text = (DOCS / "conf.py").read_text("utf-8")
    return re.search(r'^passos_relogio = "([^"]+)"', text, re.MULTILINE).group(1)


@pytest.fixture(scope="module")
def steps(manual_build) -> dict:
    return json.loads((manual_build / "html" / "_static" / "praticar.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def portal(manual_build):
    app = capturas.create_capture_app(docs_clock())
    app.config["MANUAL_DIR"] = str(manual_build)
    with served(app) as base:
        yield base


def values(page) -> dict:
    return page.evaluate(
        "() => JSON.parse(localStorage.getItem('portal.praticar.guardados') || '{}')"
    )


def substituted(text, variables: dict):
    if not isinstance(text, str):
        return text
    return re.sub(r"\{([a-z][a-z0-9_]*)\}", lambda m: variables.get(m.group(1), m.group(0)), text)


def position(page) -> tuple[str, str, str, str]:
    return page.evaluate(
        """() => [document.documentElement.dataset.praticarPasso || '',
                  document.documentElement.dataset.praticarAcao || '',
                  document.documentElement.dataset.praticarProblema || '',
                  document.documentElement.dataset.praticarLocal || '']"""
    )


def wait_moved(page, before: tuple[str, str]) -> None:
    page.wait_for_function(
        """([passo, acao]) => {
            const d = document.documentElement.dataset;
            return document.readyState === 'complete' && d.praticarPasso !== undefined
                && (d.praticarPasso !== passo || d.praticarAcao !== acao)
                && document.querySelector('.driver-popover');
        }""",
        arg=list(before),
        timeout=STEP_MS,
    )


def do(page, action: dict, variables: dict) -> None:
    """Do what the step asks, on the element the tour highlights."""
    target = page.locator(".driver-active-element")
    assert target.count() == 1, "o tour não destacou exatamente um elemento"
    value = substituted(action["valor"], variables)
    if action["verbo"] == "click":
        target.click()
        page.wait_for_load_state("load")
    elif action["verbo"] == "attach":
        target.set_input_files([str(DOCS / path) for path in value])
    else:
        kind = target.evaluate(
            "e => e.tagName === 'SELECT' ? 'select' : "
            "(e.matches('fieldset, [role=radiogroup], [role=group]') ? 'group' : e.type)"
        )
        if kind == "select":
            target.select_option(label=value)
        elif kind == "group":
            option = target.get_by_role("radio", name=value, exact=True)
            label = page.locator(f'label[for="{option.get_attribute("id")}"]')
            label.click()
        else:
            target.fill(value)
            target.press("Tab")


def follow(page, base: str, chapter: dict, screens: dict) -> None:
    """Follow one chapter's tour from its first step to the end."""
    steps = chapter["passos"]
    page.context.clear_cookies()
    # From the manual, the tour's link always loads its page: never a same-page hash change
    # (the previous chapter may have ended on this very address).
    page.goto("about:blank")
    page.goto(f"{base}{steps[0]['inicio']}#praticar={chapter['documento']}/1")
    try:
        page.wait_for_selector(".driver-popover", timeout=STEP_MS)
    except Exception:
        raise AssertionError(
            f"{steps[0]['arquivo']}:{steps[0]['linha']}: o tour não começou em {page.url}"
        ) from None
    for _ in range(sum(max(1, len(s["acoes"])) for s in steps) + 5):
        screens.setdefault(page.evaluate("() => document.body.dataset.tela"), set()).add(
            page.locator("a.portal-ajuda").get_attribute("href")
            if page.locator("a.portal-ajuda").count()
            else None
        )
        passo, acao, problem, where = position(page)
        if int(passo) >= len(steps):
            page.locator(".driver-popover-next-btn").click()
            assert page.evaluate("() => localStorage.getItem('portal.praticar')") is None
            return
        step = steps[int(passo)]
        here = f"{step['arquivo']}:{step['linha']}"
        assert not problem, f"{where}: o tour não achou o alvo do passo ({problem})"
        popover = page.locator(".driver-popover-description").inner_text()
        assert " ".join(step["frase"].split()) in " ".join(popover.split()), here
        actions = step["acoes"]
        action = actions[int(acao)] if int(acao) < len(actions) else None
        before = (passo, acao)
        if action is None or action["verbo"] == "check":
            page.locator(".driver-popover-next-btn").click()
        else:
            try:
                do(page, action, values(page))
            except AssertionError as error:
                raise AssertionError(f"{here}: {error}") from None
        try:
            wait_moved(page, before)
        except Exception:
            _p, _a, problem, where = position(page)
            raise AssertionError(
                f"{where or here}: o tour não avançou depois do passo ({problem or 'parado'})"
            ) from None
    raise AssertionError(f"{chapter['documento']}: o tour não terminou")


def test_every_chapter_tour_follows_the_manual_in_the_portal(portal, steps, manual_build):
    assert steps["capitulos"], "o manual não exportou nenhum passo"
    screens: dict[str, set] = {}
    violations: list[str] = []
    with launched() as chromium:
        context = chromium.new_context(locale="pt-BR", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        for chapter in steps["capitulos"]:
            follow(page, portal, chapter, screens)
        context.close()
    assert violations == []
    # Every screen the manual's steps visit has an Ajuda link to a section that exists.
    lacking = sorted(screen for screen, links in screens.items() if None in links)
    assert not lacking, f"telas documentadas sem o link Ajuda: {lacking}"
    for screen, links in screens.items():
        for link in links:
            page_name, _, anchor = link.removeprefix("/manual/").partition("#")
            html = (manual_build / "html" / page_name).read_text("utf-8")
            assert not anchor or f'id="{anchor}"' in html, f"{screen}: {link} não existe"


def test_a_tour_that_names_a_missing_target_says_so_with_its_file_and_line(
    portal, steps, manual_build
):
    """A step whose target the portal lacks: the popover says so, the page names the step."""
    chapter = next(c for c in steps["capitulos"] if c["documento"] == "acompanhamento")
    number = next(
        s["numero"] for s in chapter["passos"] if any(a["rotulo"] == "Listagem" for a in s["acoes"])
    )
    with launched() as chromium:
        page = chromium.new_page()
        page.goto(f"{portal}/entrar#praticar=acompanhamento/{number}")
        page.wait_for_function(
            "() => document.documentElement.dataset.praticarProblema", timeout=STEP_MS
        )
        _p, _a, problem, where = position(page)
        step = chapter["passos"][number - 1]
        assert problem == "ausente"
        assert where == f"{step['arquivo']}:{step['linha']}"
        assert "não está nesta tela" in page.locator(".driver-popover").inner_text()
        # Left and resumed: the tour waits with a button, in Portuguese.
        page.locator(".driver-popover-close-btn").click()
        # wait_for: the button appears once the popover has closed, not at the click's return.
        resume = page.get_by_role("button", name=re.compile("^Retomar o tour"))
        resume.wait_for(timeout=STEP_MS)
        page.reload()
        resume.wait_for(timeout=STEP_MS)
        page.get_by_role("button", name="Encerrar o tour").click()
        assert page.evaluate("() => localStorage.getItem('portal.praticar')") is None
