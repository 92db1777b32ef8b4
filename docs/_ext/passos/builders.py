"""The builders that act: replay every step and capture or verify its figure."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable, Set
from concurrent.futures import ThreadPoolExecutor
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


class ReplayBuilder(Builder):
    """Replays the steps of every document in Chromium against a fresh portal.

    One portal (from ``passos_app``) and one browser serve the whole build. Documents run
    in reading order (the toctree from the root document), each in a fresh browser
    context; their steps run in order in one page. A failed step stops its document.
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
        #: What steps kept (``:guarda:``) for later ones, across the documents of the build.
        self.variables: dict[str, str] = {}

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
            self._export_steps()
            login = None
            if self.config.passos_entrar:
                login = server.load_object(self.config.passos_entrar, "passos_entrar")
            # The portal (imports, database, demo data) and Chromium start side by side:
            # each takes seconds and neither needs the other before the first page. The
            # port is bound at once; the browser contexts open while the portal is built.
            with ThreadPoolExecutor(1, thread_name_prefix="passos-portal") as pool:
                building = pool.submit(server.create_portal, self.config.passos_app, settings.clock)
                with server.serving(building) as base_url, runner.launch(settings) as browser:
                    contexts = runner.Contexts(browser, base_url, settings)
                    try:
                        wanted = sum(_sessions_needed(items) for _, items in plan)
                        while not building.done() and len(contexts) < wanted:
                            if not contexts.open_ahead():
                                break
                        building.result()
                        server.wait_until_up(base_url)
                        for docname, items in plan:
                            self._replay_document(
                                browser, base_url, settings, login, contexts, docname, items
                            )
                    finally:
                        contexts.close()
        except PassosError as err:
            self._report(Problem("", str(err)))

    def _export_steps(self) -> None:
        """Give the portal under test the manual's steps, as the HTML build gives them to it.

        With ``passos_praticar_env`` (a variable name), the steps' file is written under the
        output folder and the variable names that folder, before the portal is built.
        """
        variable = self.config.passos_praticar_env
        if not variable:
            return
        import os

        from .praticar import write_steps_file

        folder = self.outdir / "praticar"
        write_steps_file(self.app, folder / "html")
        os.environ[variable] = str(folder)

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
        base_url: str,
        settings: runner.Settings,
        login: runner.Login | None,
        contexts: runner.Contexts,
        docname: str,
        items: list[Item],
    ) -> None:
        from . import runner

        replayer = runner.Replayer(
            browser, base_url, settings, login, contexts, variables=self.variables
        )
        try:
            for position, (kind, data) in enumerate(items):
                started = time.perf_counter()
                if data.get("figure"):
                    self.figure_index += 1
                try:
                    if kind == SESSION:
                        replayer.start_session(data["user"], data["password"], data["url"])
                        continue
                    figure = replayer.run(_step(data))
                except runner.StepFailure as failure:
                    self._step_failed(data, failure)
                    rest = [d for k, d in items[position + 1 :] if k == STEP]
                    self.steps_skipped += len(rest)
                    self.figure_index += sum(1 for d in rest if d.get("figure"))
                    if rest:
                        logger.info(
                            "  %s de %s sem executar por causa da falha acima",
                            _plural(len(rest), "passo seguinte", "passos seguintes"),
                            docname,
                        )
                    return
                self.steps_run += 1
                if data.get("figure") and figure is not None:
                    self.figures_done += 1
                    prefix = (
                        f"[{self.figure_index}/{self.figures_total}] "
                        f"{data['docname']}/{data['figure']} "
                        f"… {format_seconds(time.perf_counter() - started)}"
                    )
                    self.handle_figure(data, figure, prefix)
        finally:
            replayer.close()

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
        keep=tuple(tuple(pair) for pair in data.get("keep", ())),
    )


def _sessions_needed(items: list[Item]) -> int:
    """Browser contexts a document opens: one per session, and one if a step comes first."""
    sessions = sum(1 for kind, _ in items if kind == SESSION)
    return sessions + (1 if items and items[0][0] == STEP else 0)


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
