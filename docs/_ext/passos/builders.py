"""The builders that act: replay every step and capture or verify its figure."""

from __future__ import annotations

import queue
import shutil
import threading
import time
from collections.abc import Iterable, Set
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from docutils import nodes
from sphinx.builders import Builder
from sphinx.util import logging

from .directives import SESSION_ATTRIBUTE, STEP_ATTRIBUTE, figure_path, refusals
from .errors import PassosError
from .grammar import Action
from .report import Problem, write_report

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from . import runner

logger = logging.getLogger(__name__)

REPORT_NAME = "relatorio.html"
REPORT_IMAGES = "relatorio"
SESSION, STEP = "sessao", "passo"

Item = tuple[str, dict[str, Any]]
#: What happened to one step: ("passo", data, figure or None, seconds) or
#: ("falha", data, StepFailure, the steps left undone).
Event = tuple[Any, ...]


class ReplayBuilder(Builder):
    """Replays the steps of every document in Chromium against a fresh portal.

    One browser serves the whole build; every document gets a fresh portal of its own (from
    ``passos_app``), and ``passos_paralelo`` documents run at once, each session in a fresh
    browser context; a document's steps run in order in one page. A failed step stops its
    document. Whatever order they finish in, they are reported in reading order (the
    toctree from the root document).
    """

    epilog = ""
    allow_parallel = False
    #: the summary's participle, singular and plural ("capturada", "capturadas")
    done_words = ("", "")
    report_title = "Passos do manual"

    def init(self) -> None:
        self.problems: list[Problem] = []
        self.passos_failed = False
        self.figures_total = 0
        self.figure_index = 0  # figures attempted, for the progress "[3/10]"
        self.figures_done = 0
        self.steps_run = 0
        self.steps_skipped = 0
        self.started = time.perf_counter()

    def get_outdated_docs(self) -> Set[str]:
        return self.env.found_docs  # a replay always replays everything

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        return ""

    def prepare_writing(self, docnames: Set[str]) -> None:
        shutil.rmtree(self.outdir / REPORT_IMAGES, ignore_errors=True)

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        pass  # everything happens in write_documents

    # --- the replay -------------------------------------------------------------------

    def write_documents(self, docnames: Set[str]) -> None:
        # Imported here, not at the top: the HTML build loads this module, and needs
        # neither Playwright nor the web server.
        from . import runner, server

        self.started = time.perf_counter()
        plan = self._plan(docnames)
        self.figures_total = sum(1 for _, items in plan for _, d in items if d.get("figure"))
        if not plan:
            logger.info("nenhum passo para executar")
            return
        try:
            settings = self._settings()
            runner.check_browser(settings.chromium)
            login = None
            if self.config.passos_entrar:
                login = server.load_object(self.config.passos_entrar, "passos_entrar")
            outcomes = self._replay_in_parallel(plan, settings, login)
        except PassosError as err:
            self._report(Problem("", str(err)))
            return
        # Reported in reading order, whichever document finished first.
        for (docname, items), outcome in zip(plan, outcomes, strict=True):
            if isinstance(outcome, PassosError):
                self._report(Problem("", str(outcome)))
                continue
            self._report_document(docname, items, outcome)

    def _replay_in_parallel(
        self, plan: list[tuple[str, list[Item]]], settings: runner.Settings, login: Any
    ) -> list[list[Event] | PassosError]:
        """Replay the documents side by side in one Chromium, each on its own fresh portal.

        A document is the unit: its sessions run in order (a later one may read what an
        earlier one wrote), but no document sees another's data, so they are independent.
        Each lane is a thread with its own Playwright (the sync API is not thread-safe)
        driving its own browser contexts; all of them share the one Chromium that the first
        lane launched, through its debugging port. The portals are built ahead, while the
        browser starts and the first documents run.
        """
        from . import runner, server

        lanes = max(1, min(len(plan), int(self.config.passos_paralelo or 1)))
        outcomes: list[list[Event] | PassosError | None] = [None] * len(plan)
        jobs: queue.SimpleQueue[int] = queue.SimpleQueue()
        for index in range(len(plan)):
            jobs.put(index)
        # One builder: a portal factory need not be safe to run in two threads at once.
        portals = ThreadPoolExecutor(1, thread_name_prefix="passos-portal")
        building = [
            portals.submit(server.create_portal, self.config.passos_app, settings.clock)
            for _ in plan
        ]

        def lane(browser: Browser) -> None:
            while True:
                try:
                    index = jobs.get_nowait()
                except queue.Empty:
                    return
                docname, items = plan[index]
                try:
                    outcomes[index] = self._replay_document(
                        browser, building[index], settings, login, docname, items
                    )
                except PassosError as err:
                    outcomes[index] = err

        try:
            with runner.launch_shared(settings, shared=lanes > 1) as (browser, endpoint):
                others = [
                    threading.Thread(
                        target=runner.in_own_playwright,
                        args=(endpoint, lane),
                        name=f"passos-{number}",
                        daemon=True,
                    )
                    for number in range(1, lanes)
                ]
                for thread in others:
                    thread.start()
                lane(browser)
                for thread in others:
                    thread.join()
        finally:
            portals.shutdown(wait=True, cancel_futures=True)
        unfinished = PassosError("a reprodução do documento não terminou")
        return [unfinished if outcome is None else outcome for outcome in outcomes]

    def _settings(self) -> runner.Settings:
        from . import runner

        text = self.config.passos_relogio
        try:
            clock = datetime.fromisoformat(text)
        except ValueError:
            raise PassosError(
                f"passos_relogio = “{text}” não é uma data e hora ISO 8601, "
                "por exemplo “2025-01-15T10:00:00-03:00”"
            ) from None
        if clock.tzinfo is None:
            clock = clock.replace(tzinfo=ZoneInfo("America/Sao_Paulo"))
        width, height = self.config.passos_viewport
        return runner.Settings(
            srcdir=Path(self.srcdir),
            viewport=(int(width), int(height)),
            clock=clock,
            timeout_ms=int(self.config.passos_espera),
            chromium=runner.chromium_path(),
        )

    def _plan(self, docnames: Iterable[str]) -> list[tuple[str, list[Item]]]:
        refused = refusals(self.env)
        plan: list[tuple[str, list[Item]]] = []
        for docname in reading_order(self.env, self.config.root_doc, docnames):
            doctree = self.env.get_doctree(docname)
            items: list[Item] = []
            for node in doctree.findall(nodes.Element):
                if STEP_ATTRIBUTE in node.attributes:
                    items.append((STEP, node[STEP_ATTRIBUTE]))
                elif SESSION_ATTRIBUTE in node.attributes:
                    items.append((SESSION, node[SESSION_ATTRIBUTE]))
            if docname in refused:
                path = display_path(str(self.env.doc2path(docname)))
                self._report(
                    Problem(
                        path,
                        "os passos deste documento não foram executados: "
                        "corrija antes as frases recusadas",
                    )
                )
            elif any(kind == STEP for kind, _ in items):
                plan.append((docname, items))
        return plan

    def _replay_document(
        self,
        browser: Browser,
        portal: Future[Any],
        settings: runner.Settings,
        login: runner.Login | None,
        docname: str,
        items: list[Item],
    ) -> list[Event]:
        """Replay one document on its own portal; what happened, to be reported in order.

        Runs in a lane's thread: it touches neither the logger nor the output folder.
        """
        from . import runner, server

        events: list[Event] = []
        with server.serving(portal) as base_url:
            contexts = runner.Contexts(browser, base_url, settings)
            replayer = runner.Replayer(browser, base_url, settings, login, contexts)
            try:
                # The first context opens while the portal is still being built.
                contexts.open_ahead()
                portal.result()
                server.wait_until_up(base_url)
                for position, (kind, data) in enumerate(items):
                    started = time.perf_counter()
                    try:
                        if kind == SESSION:
                            replayer.start_session(data["user"], data["password"], data["url"])
                            continue
                        figure = replayer.run(_step(data))
                    except runner.StepFailure as failure:
                        rest = [d for k, d in items[position + 1 :] if k == STEP]
                        events.append(("falha", data, failure, rest))
                        return events
                    events.append(("passo", data, figure, time.perf_counter() - started))
            finally:
                replayer.close()
                contexts.close()
        return events

    def _report_document(self, docname: str, items: list[Item], events: list[Event]) -> None:
        for event in events:
            kind, data = event[0], event[1]
            if data.get("figure"):
                self.figure_index += 1
            if kind == "falha":
                failure, rest = event[2], event[3]
                self._step_failed(data, failure)
                self.steps_skipped += len(rest)
                self.figure_index += sum(1 for d in rest if d.get("figure"))
                if rest:
                    logger.info(
                        "  %s de %s sem executar por causa da falha acima",
                        _plural(len(rest), "passo seguinte", "passos seguintes"),
                        docname,
                    )
                return
            figure, elapsed = event[2], event[3]
            self.steps_run += 1
            if data.get("figure") and figure is not None:
                self.figures_done += 1
                prefix = (
                    f"[{self.figure_index}/{self.figures_total}] "
                    f"{data['docname']}/{data['figure']} … {format_seconds(elapsed)}"
                )
                self.handle_figure(data, figure, prefix)

    def handle_figure(self, data: dict[str, Any], figure: bytes, prefix: str) -> None:
        raise NotImplementedError

    # --- problems and the report ------------------------------------------------------

    def _step_failed(self, data: dict[str, Any], failure: runner.StepFailure) -> None:
        images = []
        if failure.screenshot is not None:
            name = f"{data['docname']}/falha-linha-{data['line']}.png"
            images.append(("tela no momento da falha", self._save_image(name, failure.screenshot)))
        self._report(Problem(location(data), failure.message, images))

    def _report(self, problem: Problem) -> None:
        self.problems.append(problem)
        logger.error("%s", problem.message, location=problem.location or None, type="passos")

    def _save_image(self, name: str, png: bytes) -> str:
        """Keep an image for the report; return its path relative to the report."""
        path = self.outdir / REPORT_IMAGES / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
        return f"{REPORT_IMAGES}/{name}"

    def finish(self) -> None:
        elapsed = format_seconds(time.perf_counter() - self.started)
        done = self.done_words[0] if self.figures_done == 1 else self.done_words[1]
        steps = _plural(self.steps_run, "passo executado", "passos executados")
        figures = _plural(self.figures_done, "figura", "figuras")
        summary = f"{steps}, {figures} {done} em {elapsed}"
        if self.steps_skipped:
            summary += f"; {_plural(self.steps_skipped, 'passo', 'passos')} sem executar"
        problems = _plural(len(self.problems), "problema", "problemas")
        summary += f": {problems}." if self.problems else ": nenhum problema."
        logger.info("")
        logger.info(summary)
        for problem in self.problems:
            logger.info("  %s", problem)
        report = self.outdir / REPORT_NAME
        write_report(report, self.report_title, summary, self.problems)
        logger.info("relatório: %s", display_path(str(report)))
        if self.problems:
            self.passos_failed = True


class CaptureBuilder(ReplayBuilder):
    """Write each step's figure to ``_imagens/<docname>/<figura>.png`` in the sources."""

    name = "passos-captura"
    done_words = ("capturada", "capturadas")
    report_title = "Captura das figuras do manual"

    def handle_figure(self, data: dict[str, Any], figure: bytes, prefix: str) -> None:
        path = Path(self.srcdir) / figure_path(data["docname"], data["figure"])
        old = path.read_bytes() if path.is_file() else None
        if old == figure:
            status = "sem mudança"
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(figure)
            status = "nova" if old is None else "atualizada"
        logger.info("%s (%s)", prefix, status)


class VerifyBuilder(ReplayBuilder):
    """Compare each step's figure with the committed one; report what drifted."""

    name = "passos-verificacao"
    done_words = ("verificada", "verificadas")
    report_title = "Verificação dos passos do manual"

    def handle_figure(self, data: dict[str, Any], figure: bytes, prefix: str) -> None:
        relative = figure_path(data["docname"], data["figure"])
        path = Path(self.srcdir) / relative
        stem = f"{data['docname']}/{data['figure']}"
        if not path.is_file():
            logger.info("%s (não existe)", prefix)
            after = self._save_image(f"{stem}-depois.png", figure)
            self._report(
                Problem(
                    location(data),
                    f"a figura “{relative}” ainda não existe: gere-a com "
                    "“sphinx-build -b passos-captura”",
                    [("depois", after)],
                )
            )
            return
        old = path.read_bytes()
        if old == figure:
            logger.info("%s (igual)", prefix)
            return
        from .compare import compare, format_percent  # Pillow, only when it differs

        difference = compare(old, figure)
        tolerance = float(self.config.passos_tolerancia)
        if difference is None:
            logger.info("%s (mesmos pixels)", prefix)
            return
        if difference.old_size == difference.new_size and difference.fraction <= tolerance:
            shown = format_percent(difference.fraction)
            logger.info("%s (%s diferente, dentro da tolerância)", prefix, shown)
            return
        logger.info("%s (mudou)", prefix)
        images = [
            ("antes", self._save_image(f"{stem}-antes.png", old)),
            ("depois", self._save_image(f"{stem}-depois.png", figure)),
            ("diferença", self._save_image(f"{stem}-diferenca.png", difference.image)),
        ]
        self._report(
            Problem(
                location(data),
                f"a figura “{relative}” mudou: {difference.describe()} "
                f"(veja {REPORT_NAME}; se a mudança é esperada, rode passos-captura)",
                images,
            )
        )


# --- helpers ------------------------------------------------------------------------------


def _step(data: dict[str, Any]) -> runner.Step:
    from . import runner

    return runner.Step(
        actions=[Action(*action) for action in data["actions"]],
        url=data.get("url"),
        figure=bool(data.get("figure")),
        full_page=bool(data.get("full_page")),
    )


def reading_order(env: Any, root: str, docnames: Iterable[str]) -> list[str]:
    """The documents in toctree order from the root; documents outside it, sorted, last."""
    order: list[str] = []
    seen: set[str] = set()
    stack = [root]
    while stack:
        docname = stack.pop()
        if docname in seen:
            continue
        seen.add(docname)
        order.append(docname)
        stack.extend(reversed(env.toctree_includes.get(docname, [])))
    wanted = set(docnames)
    return [d for d in order if d in wanted] + sorted(wanted - seen)


def display_path(path: str) -> str:
    """A path relative to the current directory when it is below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path


def location(data: dict[str, Any]) -> str:
    return f"{display_path(data['source'])}:{data['line']}"


def format_seconds(seconds: float) -> str:
    return f"{seconds:.2f}".replace(".", ",") + " s"


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"
