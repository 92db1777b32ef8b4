"""Replay steps in Chromium with Playwright, deterministically, and take their figures."""

from __future__ import annotations

import os
import re
import socket
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from playwright.sync_api import Browser, BrowserContext, Locator, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from .errors import PassosError
from .grammar import ATTACH, CHECK, CLICK, FILL, ROLE_NAMES, Action

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Raster whole tiles: a partial redraw made a few pixels differ from run to run.
    "--disable-partial-raster",
    "--disable-quic",
]
TARGET_ATTRIBUTE = "data-passo-alvo"
# The target of a step, outlined like the red boxes of the original manual.
TARGET_STYLE = (
    f"[{TARGET_ATTRIBUTE}]{{outline:3px solid #e52207 !important;outline-offset:2px !important}}"
)
# Mark the targets of a figure (and only them) and bring the first into view. The outline
# itself exists only while the screenshot is taken (its ``style``), so a mark left in the
# page changes nothing until the next figure clears it. A hidden target (a file input
# under a styled button) is marked on its first visible ancestor. No wait for the fonts
# here: Playwright's screenshot waits for ``document.fonts.ready`` itself.
_MARK_TARGETS = f"""(elements) => {{
    for (const old of document.querySelectorAll("[{TARGET_ATTRIBUTE}]")) {{
        old.removeAttribute("{TARGET_ATTRIBUTE}");
    }}
    elements.forEach((element, index) => {{
        let shown = element;
        while (shown.parentElement && shown.getClientRects().length === 0) {{
            shown = shown.parentElement;
        }}
        shown.setAttribute("{TARGET_ATTRIBUTE}", "");
        if (index === 0) shown.scrollIntoView({{block: "nearest", inline: "nearest"}});
    }});
}}"""
_FORM_CONTROLS = (
    "input:not([type=hidden]):not([type=file]):not([type=submit]):not([type=button])"
    ":not([type=reset]):not([type=image]), select, textarea, [role=textbox], "
    "[role=combobox], [role=listbox], [role=spinbutton], [contenteditable=true]"
)
# Roles that each kind of target may have in the accessibility tree.
ROLES: dict[str, tuple[str, ...]] = {
    "menu": ("menuitem", "button"),
    "clickable": ("link", "button", "menuitem", "tab"),
    "button": ("button",),
    "icon": ("link", "button"),
    "link": ("link",),
    "tab": ("tab",),
    "text": ("link", "button", "menuitem", "tab"),
}
# Once a target is found, acting on it and loading the next page get a generous time: a
# slow machine must not turn into a false failure. Only finding a label uses passos_espera.
ACTION_TIMEOUT_MS = 15_000
NAVIGATION_TIMEOUT_MS = 30_000
_GROUPS = ("radiogroup", "group")
_FALSE_WORDS = {"", "0", "não", "nao", "false", "desmarcado"}
_KIND = """e => {
    if (e.tagName === "SELECT") return "select";
    if (e.tagName === "FIELDSET" || ["radiogroup", "group"].includes(e.getAttribute("role")))
        return "group";
    return e.type || "";
}"""
# The kind of a figure's last click target, which is marked as it is found (one round trip).
_KIND_AND_MARK = f"e => {{ ({_MARK_TARGETS})([e]); return ({_KIND})(e); }}"

Login = Callable[[Page, str, str, str], Any]


def chromium_path() -> str:
    """The Chromium to drive: $PASSOS_CHROMIUM, else Debian's."""
    return os.environ.get("PASSOS_CHROMIUM") or DEFAULT_CHROMIUM


def missing_browser_message(path: str, detail: str = "") -> str:
    message = (
        f"o navegador Chromium não foi encontrado em “{path}”. Instale-o com "
        "“apt-get install chromium” ou indique o executável na variável de ambiente "
        "PASSOS_CHROMIUM (por exemplo PASSOS_CHROMIUM=/usr/bin/chromium)."
    )
    return f"{message} Detalhe: {detail}" if detail else message


@dataclass(frozen=True)
class Settings:
    """What makes a replay deterministic, from the Sphinx configuration."""

    srcdir: Path
    viewport: tuple[int, int] = (1280, 800)
    clock: datetime | None = None
    timeout_ms: int = 5000
    chromium: str = DEFAULT_CHROMIUM


@dataclass(frozen=True)
class Step:
    """What the builder asks the runner to do for one ``passo``."""

    actions: Sequence[Action]
    url: str | None = None
    figure: bool = False
    full_page: bool = False


@dataclass(frozen=True)
class Found:
    """What ``_locate`` found, and what it learnt on the way.

    ``kind`` (see ``_KIND``) when it was read; ``marked`` when the element is already
    marked as the figure's only target.
    """

    locator: Locator
    kind: str | None = None
    marked: bool = False


class StepFailure(Exception):
    """A step that could not be done; the message is in pt-BR, for the manual's author."""

    def __init__(self, message: str, screenshot: bytes | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.screenshot = screenshot


def check_browser(path: str) -> None:
    """Fail early, and clearly, when there is no Chromium to drive."""
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise PassosError(missing_browser_message(path))


@contextmanager
def launch(settings: Settings) -> Iterator[Browser]:
    """Start headless Chromium once for the whole build."""
    path = settings.chromium
    check_browser(path)
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=path, headless=True, args=CHROMIUM_ARGS
            )
        except PlaywrightError as err:
            detail = str(err).strip().splitlines()[0] if str(err).strip() else ""
            raise PassosError(missing_browser_message(path, detail)) from err
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def launch_shared(settings: Settings, shared: bool) -> Iterator[tuple[Browser, str | None]]:
    """Start headless Chromium once; with ``shared``, also its debugging endpoint.

    Other threads, each with its own Playwright (the sync API is not thread-safe), connect
    to that one browser at the endpoint (:func:`in_own_playwright`): several sessions run
    side by side in one Chromium, each in its own contexts. Launched by Playwright itself,
    with its usual flags, so every lane renders exactly as a lone one would.
    """
    path = settings.chromium
    check_browser(path)
    port = _free_port() if shared else None
    args = [*CHROMIUM_ARGS, f"--remote-debugging-port={port}"] if port else CHROMIUM_ARGS
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=path, headless=True, args=args)
        except PlaywrightError as err:
            detail = str(err).strip().splitlines()[0] if str(err).strip() else ""
            raise PassosError(missing_browser_message(path, detail)) from err
        try:
            yield browser, (f"http://127.0.0.1:{port}" if port else None)
        finally:
            browser.close()


def in_own_playwright(endpoint: str | None, work: Callable[[Browser], None]) -> None:
    """Run ``work(browser)`` in this thread's own Playwright, on the shared Chromium.

    A lane that cannot connect does no work: the others take its documents.
    """
    if endpoint is None:
        return
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.connect_over_cdp(endpoint, timeout=NAVIGATION_TIMEOUT_MS)
        except PlaywrightError:
            return
        try:
            work(browser)
        finally:
            browser.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Contexts:
    """Fresh browser contexts, each with its page and frozen clock, opened ahead of need.

    Opening one takes a good half second of browser work; the builder opens them while
    the portal is still being built, and every session takes a fresh one. A context that
    nobody took yet has never navigated, so it is as fresh as one opened on demand.
    """

    def __init__(self, browser: Browser, base_url: str, settings: Settings) -> None:
        self.browser = browser
        self.base_url = base_url
        self.settings = settings
        self._ready: deque[tuple[BrowserContext, Page]] = deque()

    def __len__(self) -> int:
        return len(self._ready)

    def open_ahead(self) -> bool:
        """Open one more; False if the browser refused (a session will say why)."""
        try:
            self._ready.append(self._open())
        except PlaywrightError:
            return False
        return True

    def take(self) -> tuple[BrowserContext, Page]:
        return self._ready.popleft() if self._ready else self._open()

    def close(self) -> None:
        while self._ready:
            context, _ = self._ready.popleft()
            try:
                context.close()
            except PlaywrightError:
                pass  # the browser is gone, and the context with it

    def _open(self) -> tuple[BrowserContext, Page]:
        width, height = self.settings.viewport
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport={"width": width, "height": height},
            device_scale_factor=1,
            locale="pt-BR",
            timezone_id="America/Sao_Paulo",
            reduced_motion="reduce",
            color_scheme="light",
            service_workers="block",
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        page = context.new_page()
        if self.settings.clock is not None:
            # Before any navigation: the page must never see the real time.
            page.clock.set_fixed_time(self.settings.clock)
        return context, page


class Replayer:
    """Replays the steps of one document, in order, in one page."""

    def __init__(
        self,
        browser: Browser,
        base_url: str,
        settings: Settings,
        login: Login | None = None,
        contexts: Contexts | None = None,
    ) -> None:
        self.browser = browser
        self.base_url = base_url
        self.settings = settings
        self.login = login
        self.contexts = contexts or Contexts(browser, base_url, settings)
        self._context: BrowserContext | None = None
        self._page: Page | None = None

    # --- sessions ---------------------------------------------------------------------

    def start_session(
        self, user: str | None = None, password: str | None = None, url: str | None = None
    ) -> None:
        """Open a fresh browser context (no cookies), log in if asked, and go to ``url``."""
        try:
            self._start_session(user, password, url)
        except PlaywrightError as err:
            raise StepFailure(
                f"o navegador falhou ao abrir a sessão: {_short(err)}", self._safe_screenshot()
            ) from err

    def _start_session(self, user: str | None, password: str | None, url: str | None) -> None:
        self.close()
        self._context, self._page = self.contexts.take()
        if user:
            if self.login is None:
                raise StepFailure(
                    "a sessão tem :usuario:, mas passos_entrar não está configurado no conf.py"
                )
            try:
                self.login(self._page, self.base_url, user, password or "")
            except Exception as err:  # the callable is the project's: report, don't crash
                raise StepFailure(
                    f"o login de “{user}” com passos_entrar falhou: {_short(err)}",
                    self._safe_screenshot(),
                ) from err
            self._settle()
            if url:
                self._goto(url)
        else:
            self._goto(url or "/")

    @property
    def page(self) -> Page:
        """The page of the current session; the first step opens a default one at “/”."""
        if self._page is None:
            self.start_session()
        assert self._page is not None
        return self._page

    def close(self) -> None:
        if self._context is not None:
            self._context.close()
        self._context = None
        self._page = None

    # --- steps ------------------------------------------------------------------------

    def run(self, step: Step) -> bytes | None:
        """Do one step; return its figure (PNG) when it has one.

        The figure is taken at the step's last action: after locating a click target
        and before clicking it, after filling a field, or when the checked labels are
        found. The targets of that last action (or of the trailing group of fills or
        checks) are outlined.
        """
        if self._page is None:
            self.start_session()
        if step.url:
            self._goto(step.url)
        actions = list(step.actions)
        outlined = _final_group(actions)
        targets: list[Locator] = []
        figure: bytes | None = None
        try:
            for index, action in enumerate(actions):
                last = index == len(actions) - 1
                # a figure's final click outlines that target alone: mark it when found
                found = self._locate(action, mark=step.figure and last and action.verb == CLICK)
                target = found.locator
                if action.verb in (FILL, ATTACH):
                    self._fill(action, target, found.kind)
                if index in outlined:
                    targets.append(target)
                if step.figure and last:
                    figure = self._screenshot(targets, step.full_page, marked=found.marked)
                if action.verb == CLICK:
                    self._click(action, target)
            if step.figure and not actions:
                figure = self._screenshot([], step.full_page)
        except StepFailure as failure:
            if failure.screenshot is None:
                failure.screenshot = self._safe_screenshot()
            raise
        except PlaywrightError as err:  # e.g. the page closed or navigated under us
            raise StepFailure(
                f"o navegador falhou ao executar o passo: {_short(err)}",
                self._safe_screenshot(),
            ) from err
        return figure

    def _goto(self, url: str) -> None:
        page = self._page
        assert page is not None
        try:
            response = page.goto(url, wait_until="load")
        except PlaywrightError as err:
            raise StepFailure(f"não foi possível abrir a página “{url}”: {_short(err)}") from err
        if response is not None and response.status >= 400:
            raise StepFailure(f"a página “{url}” respondeu com o código HTTP {response.status}")

    def _settle(self) -> None:
        page = self._page
        assert page is not None
        page.wait_for_load_state("load", timeout=NAVIGATION_TIMEOUT_MS)

    # --- finding targets --------------------------------------------------------------

    def _locate(self, action: Action, mark: bool = False) -> Found:
        """Find the element an action is about.

        An action needs exactly one element; a check only needs the label to be on the
        screen, and outlines every place where it is. With ``mark``, the element found
        is also marked as the figure's only target when that costs no extra round trip.
        """
        page = self.page
        label = action.label or ""
        name = label_pattern(label)
        checking = action.verb == CHECK
        state: Literal["attached", "visible"] = "visible"
        if action.role == "file":
            state = "attached"  # styled uploads hide the real input
            candidates = [page.get_by_label(name).and_(page.locator("input[type=file]"))]
        elif action.role == "field":
            labelled = page.get_by_label(name)
            if not checking:  # a displayed value (an <output>) can be checked, not filled
                labelled = labelled.and_(page.locator(_FORM_CONTROLS))
            # a set of radio buttons or checkboxes named by its legend is a field too
            candidates = [labelled.filter(visible=True), _by_roles(page, _GROUPS, name)]
        elif action.role == "text":
            candidates = [page.get_by_text(name).filter(visible=True)]
            candidates.append(_by_roles(page, ROLES["text"], name))
        else:
            candidates = [_by_roles(page, ROLES[action.role], name)]
        if checking and action.role != "text":
            candidates.append(page.get_by_text(name).filter(visible=True))

        anything = candidates[0]
        for candidate in candidates[1:]:
            anything = anything.or_(candidate)
        not_found = f"rótulo “{label}” ({ROLE_NAMES[action.role]}) não encontrado na tela"
        if not checking:
            # The usual case in one round trip: wait until exactly one element matches
            # (the candidates only match visible elements, but a file input), and read
            # its kind. Playwright's strict mode refuses two or more: count them below.
            script = _KIND_AND_MARK if mark else _KIND
            try:
                kind = anything.evaluate(script, timeout=self.settings.timeout_ms)
                return Found(anything, kind, marked=mark)
            except PlaywrightTimeoutError:
                raise StepFailure(not_found) from None
            except PlaywrightError as err:
                if "strict mode violation" not in str(err):
                    raise
        try:
            anything.first.wait_for(state=state, timeout=self.settings.timeout_ms)
        except PlaywrightTimeoutError:
            raise StepFailure(not_found) from None
        for found in candidates:
            count = found.count()
            if count:
                break
        else:  # it vanished between the wait and the count
            raise StepFailure(not_found)
        if checking:
            return Found(found)
        if count > 1:
            raise StepFailure(
                f"rótulo “{label}” ({ROLE_NAMES[action.role]}) aparece {count} vezes na tela"
            )
        return Found(found.first)

    # --- acting -----------------------------------------------------------------------

    def _click(self, action: Action, target: Locator) -> None:
        try:
            target.click(timeout=ACTION_TIMEOUT_MS)
        except PlaywrightTimeoutError:
            raise StepFailure(
                f"não foi possível clicar em “{action.label}” ({ROLE_NAMES[action.role]}): "
                "o elemento está desabilitado ou coberto por outro"
            ) from None
        self._settle()

    def _fill(self, action: Action, target: Locator, kind: str | None = None) -> None:
        timeout = ACTION_TIMEOUT_MS
        if action.verb == ATTACH:
            assert isinstance(action.value, tuple)
            files = [str(self.settings.srcdir / path) for path in action.value]
            try:
                target.set_input_files(files, timeout=timeout)
            except PlaywrightError as err:
                raise StepFailure(
                    f"não foi possível anexar arquivos ao campo “{action.label}”: {_short(err)}"
                ) from err
            return
        value = str(action.value or "")
        if kind is None:
            kind = target.evaluate(_KIND)
        if kind == "group":
            target = self._option(action, target, value)
        try:
            if kind == "group":
                self._choose(action, target, value)
            elif kind == "select":
                target.select_option(label=value, timeout=timeout)
            elif kind in ("checkbox", "radio"):
                target.set_checked(value.strip().casefold() not in _FALSE_WORDS, timeout=timeout)
            else:
                target.fill(value, timeout=timeout)
        except PlaywrightTimeoutError:
            if kind == "select":
                reason = f"a opção “{value}” não existe ou o campo está desabilitado"
            elif kind == "group":
                reason = f"a opção “{value}” está desabilitada ou coberta por outro elemento"
            else:
                reason = "o campo está desabilitado ou não aceita digitação"
            raise StepFailure(
                f"não foi possível preencher o campo “{action.label}”: {reason}"
            ) from None

    def _choose(self, action: Action, option: Locator, value: str) -> None:
        """Pick a radio button or checkbox as a person does: by clicking its label.

        Design systems (gov.br's br-radio among them) lay the label over the input.
        """
        label = option.locator("xpath=ancestor::label")
        ident = option.get_attribute("id")
        if ident:
            quoted = ident.replace("\\", "\\\\").replace('"', '\\"')
            label = label.or_(self.page.locator(f'label[for="{quoted}"]'))
        if label.count() == 1:
            label.click(timeout=ACTION_TIMEOUT_MS)
            if not option.is_checked():
                raise StepFailure(
                    f"não foi possível marcar “{value}” no campo “{action.label}”: "
                    "o clique no rótulo não marcou a opção"
                )
        else:
            option.check(timeout=ACTION_TIMEOUT_MS)

    def _option(self, action: Action, group: Locator, value: str) -> Locator:
        """The radio button or checkbox of a group whose label is the value."""
        name = label_pattern(value)
        option = group.get_by_role("radio", name=name).or_(group.get_by_role("checkbox", name=name))
        count = option.count()
        if count == 1:
            return option
        found = "não existe" if count == 0 else f"aparece {count} vezes"
        raise StepFailure(f"a opção “{value}” {found} no campo “{action.label}”")

    # --- figures ----------------------------------------------------------------------

    def _screenshot(self, targets: list[Locator], full_page: bool, marked: bool = False) -> bytes:
        page = self.page
        if targets and not marked:  # (else _locate marked the only target)
            outlined = targets[0]
            for target in targets[1:]:
                outlined = outlined.or_(target)
            outlined.evaluate_all(_MARK_TARGETS)
        elif not targets:
            page.evaluate(f"() => ({_MARK_TARGETS})([])")
        return page.screenshot(
            type="png",
            full_page=full_page,
            animations="disabled",
            caret="hide",
            scale="css",
            style=TARGET_STYLE,
        )

    def _safe_screenshot(self) -> bytes | None:
        """The screen at a failure, for the report; never raises."""
        if self._page is None:
            return None
        try:
            return self._page.screenshot(type="png", animations="disabled", caret="hide")
        except PlaywrightError:
            return None


def label_pattern(label: str) -> re.Pattern[str]:
    """Match an accessible name equal to the label, ignoring case and spacing.

    A trailing “*” or “:” (required-field marks, label colons) is tolerated.
    """
    words = [re.sub(r"[.*+?^${}()|\[\]\\/-]", r"\\\g<0>", w) for w in label.split()]
    return re.compile(r"^\s*" + r"\s+".join(words) + r"\s*[*:]?\s*$", re.IGNORECASE)


def _by_roles(scope: Page | Locator, roles: Sequence[str], name: re.Pattern[str]) -> Locator:
    """Visible elements with any of the roles and the accessible name."""
    locator = scope.get_by_role(roles[0], name=name)  # type: ignore[arg-type]
    for role in roles[1:]:
        locator = locator.or_(scope.get_by_role(role, name=name))  # type: ignore[arg-type]
    return locator.filter(visible=True)


def _final_group(actions: Sequence[Action]) -> set[int]:
    """Indexes of the actions whose targets the figure outlines."""
    if not actions:
        return set()
    last = len(actions) - 1
    if actions[last].verb == CLICK:
        return {last}
    kinds = {CHECK} if actions[last].verb == CHECK else {FILL, ATTACH}
    group = set()
    for index in range(last, -1, -1):
        if actions[index].verb not in kinds:
            break
        group.add(index)
    return group


def _short(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
