"""Benchmark of the executable manual: capture, its floor, verification and the HTML builds.

Run from the project folder (not part of pytest):

    .venv/bin/python bench/manual.py
    .venv/bin/python bench/manual.py --repeticoes 3

Everything runs against a temporary copy of docs/ (the rest of the project is linked, not
copied), so the committed figures in docs/_imagens are never touched. Each measurement is
the wall time of a separate process, repeated and reported as the median (with the CPU
time the whole machine spent meanwhile beside it: on a loaded machine the wall time of every
measurement grows, while the CPU time says what the work itself costs). The floor's CPU
time over its wall time is how many cores one replay keeps busy: no replay that splits the
same work between sessions side by side can take less than (that ÷ the cores) × the floor.

The ratios are computed pair by pair: in each round the capture, the floor and the
verification run one after the other, and each round gives its own capture ÷ floor and
verification ÷ capture; the summary is the median of those per-round ratios. On a machine
shared with other work the load drifts from minute to minute, and a ratio of two medians
taken minutes apart measures the drift as much as the manual (one run gave 1.95×, 0.92× and
1.25× that way); two runs seconds apart see nearly the same load.

* captura: ``sphinx-build -b passos-captura`` into a fresh output folder;
* piso (the floor): the same figures taken by a minimal Playwright script with one
  browser, against the same kind of fresh portal (``passos_app``, its own temporary
  database, frozen clock, served by werkzeug in a thread), one document after the other
  (the floor). It reads the steps the extension parsed (from the pickled
  doctrees of the capture) and does them with bare
  Playwright calls: goto, click, fill, set_input_files, screenshot. Its only waits are
  Playwright's own auto-waiting, plus ``wait_for`` on a label that a figure step only
  checks and the page's load event before a screenshot; without them a figure could
  show the previous or a half-loaded page. No outlines, no ambiguity checks;
* verificação: ``sphinx-build -b passos-verificacao`` with nothing changed;
* HTML: a clean ``sphinx-build -W -b html`` and an incremental one after touching one .rst.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.maquina import busy_seconds, seconds  # noqa: E402

DOCS = ROOT / "docs"
EXTENSIONS = DOCS / "_ext"
SPHINX_BUILD = Path(sys.executable).parent / "sphinx-build"
TOUCHED = "acompanhamento.rst"  # the document the incremental HTML build finds changed

TARGET_CAPTURE = 1.3  # × the floor
TARGET_SIDE_BY_SIDE = 0.7  # × the floor, for a replay of independent sessions in parallel
TARGET_VERIFY = 1.1  # × the capture
TARGET_HTML_CLEAN = 10.0  # seconds
TARGET_HTML_INCREMENTAL = 2.0  # seconds

Measure = tuple[float, float]  # wall time, CPU time of the whole machine (see bench/maquina.py)
ROWS = (
    ("captura", "Captura (passos-captura, {n} figuras)"),
    ("piso", "Piso (Playwright mínimo, {n} figuras)"),
    ("verificacao", "Verificação sem mudanças (passos-verificacao)"),
    ("html", "HTML limpo (sphinx-build -W -b html)"),
    ("incremental", f"HTML incremental ({TOUCHED} tocado)"),
)


# --- the measurements ---------------------------------------------------------------------


def main() -> int:
    args = _arguments()
    if not SPHINX_BUILD.is_file():
        print(f"sphinx-build não encontrado em {SPHINX_BUILD}: rode com .venv/bin/python")
        return 2
    times: dict[str, list[Measure]] = {key: [] for key, _ in ROWS}
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-manual-") as folder:
        tmp = Path(folder)
        srcdir = _project_copy(tmp) / "docs"
        print(f"Cópia do manual em {srcdir}; {args.repeticoes} repetições, mediana.")
        plan_file = tmp / "passos.json"
        figures = 0
        # Capture, floor and verification alternate, and their order turns from one round
        # to the next, so that a change in the machine's load weighs on all three alike.
        # The first capture comes first: it gives the steps that the floor replays.
        order = ["captura", "piso", "verificacao"]
        for round_ in range(1, args.repeticoes + 1):
            for key in order:
                out = tmp / f"{key}-{round_}"
                if key == "captura":
                    times[key].append(_sphinx("passos-captura", srcdir, out))
                    if not plan_file.exists():
                        figures = _write_plan(out / ".doctrees", plan_file)
                        same, total = _same_figures(srcdir)
                        print(f"  figuras capturadas iguais às do repositório: {same} de {total}")
                elif key == "piso":
                    times[key].append(_floor(plan_file, srcdir, out))
                    taken = len(list(out.rglob("*.png")))
                    if taken != figures:
                        raise SystemExit(f"o piso tirou {taken} figuras, a captura {figures}")
                else:
                    times[key].append(_sphinx("passos-verificacao", srcdir, out))
            _progress(f"rodada {round_}", times, tuple(order))
            order = order[1:] + order[:1]
        for round_ in range(1, args.repeticoes + 1):
            out = tmp / f"html-{round_}"
            times["html"].append(_sphinx("html", srcdir, out, "-W"))
            (srcdir / TOUCHED).touch()
            times["incremental"].append(_sphinx("html", srcdir, out, "-W"))
        _progress("HTML", times, ("html", "incremental"))
    load = max(load, os.getloadavg()[0])
    _summary(times, figures, load)
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeticoes", type=int, default=3, help="execuções de cada medida")
    parser.add_argument("--piso", nargs=3, metavar=("PLANO", "FONTES", "SAIDA"), help="interno")
    return parser.parse_args()


def _project_copy(tmp: Path) -> Path:
    """docs/ copied (its figures may be rewritten there); the rest of the project linked."""
    project = tmp / "projeto"
    project.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in ("docs", ".git"):
            (project / entry.name).symlink_to(entry)
    shutil.copytree(DOCS, project / "docs", ignore=shutil.ignore_patterns("_build", "__pycache__"))
    return project


def _timed(command: list[str]) -> tuple[Measure, subprocess.CompletedProcess[str]]:
    before = busy_seconds()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    return (wall, busy_seconds() - before), done


def _sphinx(builder: str, srcdir: Path, outdir: Path, *options: str) -> Measure:
    command = [str(SPHINX_BUILD), "-q", "-b", builder, *options, str(srcdir), str(outdir)]
    measure, done = _timed(command)
    if done.returncode != 0:
        print(f"  atenção: {builder} terminou com código {done.returncode}")
        print("    " + "\n    ".join((done.stdout + done.stderr).strip().splitlines()[-8:]))
    return measure


def _floor(plan_file: Path, srcdir: Path, outdir: Path) -> Measure:
    command = [sys.executable, __file__, "--piso", str(plan_file), str(srcdir), str(outdir)]
    measure, done = _timed(command)
    if done.returncode != 0:
        raise SystemExit(f"o piso falhou:\n{done.stderr}")
    return measure


def _same_figures(srcdir: Path) -> tuple[int, int]:
    """How many figures of the copy (as the capture left them) equal the committed ones."""
    committed = sorted((DOCS / "_imagens").rglob("*.png"))
    same = sum(
        1
        for path in committed
        if (copy := srcdir / path.relative_to(DOCS)).is_file()
        and copy.read_bytes() == path.read_bytes()
    )
    return same, len(committed)


def _write_plan(doctreedir: Path, plan_file: Path) -> int:
    """Write the steps that the extension parsed, in its reading order; count figures."""
    sys.path.insert(0, str(EXTENSIONS))
    from docutils import nodes
    from passos.builders import SESSION, STEP, reading_order
    from passos.directives import SESSION_ATTRIBUTE, STEP_ATTRIBUTE

    with open(doctreedir / "environment.pickle", "rb") as fh:
        env = pickle.load(fh)
    plan: list[tuple[str, list[tuple[str, dict[str, Any]]]]] = []
    for docname in reading_order(env, env.config.root_doc, env.found_docs):
        with open(doctreedir / f"{docname}.doctree", "rb") as fh:
            doctree = pickle.load(fh)
        items = []
        for node in doctree.findall(nodes.Element):
            if STEP_ATTRIBUTE in node.attributes:
                items.append((STEP, node[STEP_ATTRIBUTE]))
            elif SESSION_ATTRIBUTE in node.attributes:
                items.append((SESSION, node[SESSION_ATTRIBUTE]))
        if any(kind == STEP for kind, _ in items):
            plan.append((docname, items))
    settings = {
        "relogio": env.config.passos_relogio,
        "viewport": list(env.config.passos_viewport),
    }
    plan_file.write_text(json.dumps({"config": settings, "plan": plan}, ensure_ascii=False))
    return sum(1 for _, items in plan for _, data in items if data.get("figure"))


# --- the floor: a minimal Playwright script ------------------------------------------------


def floor(plan_file: Path, srcdir: Path, outdir: Path) -> None:
    """Take the figures of the plan with one browser and bare Playwright calls."""
    import threading

    sys.path[:0] = [str(ROOT), str(EXTENSIONS)]
    from passos.roles import VARIABLE
    from passos.runner import CHROMIUM_ARGS, ROLES, chromium_path, label_pattern
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import WSGIRequestHandler, make_server

    from demo.capturas import create_capture_app

    document = json.loads(plan_file.read_text())
    config = document["config"]
    clock = datetime.fromisoformat(config["relogio"])
    if clock.tzinfo is None:
        clock = clock.replace(tzinfo=ZoneInfo("America/Sao_Paulo"))
    width, height = config["viewport"]

    class Quiet(WSGIRequestHandler):  # no access log, as in the extension's server
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            pass

    server = make_server(
        "127.0.0.1", 0, create_capture_app(clock), threaded=True, request_handler=Quiet
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_port}"

    variables: dict[str, str] = {}  # what a step kept (:guarda:), as {name} in later ones

    def filled(text: Any) -> Any:
        if not isinstance(text, str):
            return text
        return VARIABLE.sub(lambda match: variables[match.group(1)], text)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for docname, items in document["plan"]:
            context = page = None
            for kind, data in items:
                if kind == "sessao" and data.get("user"):
                    raise SystemExit("o piso não faz o login de passos_entrar (:usuario:)")
                if kind == "sessao" or page is None:
                    if context is not None:
                        context.close()
                    context = browser.new_context(
                        base_url=base_url,
                        viewport={"width": width, "height": height},
                        device_scale_factor=1,
                        locale="pt-BR",
                        timezone_id="America/Sao_Paulo",
                        reduced_motion="reduce",
                    )
                    page = context.new_page()
                    page.clock.set_fixed_time(clock)
                    page.goto((data.get("url") if kind == "sessao" else None) or "/")
                    if kind == "sessao":
                        continue
                if data.get("url"):
                    page.goto(data["url"])
                actions = data["actions"]
                path = outdir / docname / f"{data.get('figure')}.png"
                for index, (verb, role, label, value) in enumerate(actions):
                    label, value = filled(label), filled(value)
                    name = label_pattern(label or "")
                    if verb == "click":
                        roles = ROLES[role]
                        target = page.get_by_role(roles[0], name=name)
                        for other in roles[1:]:
                            target = target.or_(page.get_by_role(other, name=name))
                        target = target.filter(visible=True)
                    elif verb == "attach":
                        target = page.get_by_label(name).and_(page.locator("input[type=file]"))
                        target.set_input_files([str(srcdir / p) for p in value])
                    elif verb == "fill":
                        target = page.get_by_label(name).filter(visible=True)
                        option = page.get_by_role("radio", name=label_pattern(value))
                        target.or_(option).first.wait_for()
                        tag = target.first.evaluate("e => e.tagName") if target.count() else ""
                        if tag in ("", "FIELDSET"):  # a group of radio buttons: pick one
                            target = option
                            target.check(force=True)  # its label lies over it
                        elif tag == "SELECT":
                            target.select_option(label=value)
                        else:
                            target.fill(value)
                    else:  # a label that the figure only shows: wait until it is there
                        target = page.get_by_text(name)
                        for other in ROLES.get(role) or ROLES["clickable"]:
                            target = target.or_(page.get_by_role(other, name=name))
                        target.or_(page.get_by_label(name)).first.wait_for()
                    if data.get("figure") and index == len(actions) - 1:
                        _floor_screenshot(page, path, data)
                    if verb == "click":
                        target.click()
                if data.get("figure") and not actions:
                    _floor_screenshot(page, path, data)
                for variable, label in data.get("keep", ()):
                    shown = page.get_by_label(label_pattern(label)).evaluate(
                        "e => ('value' in e ? e.value : e.textContent)"
                    )
                    variables[variable] = " ".join(str(shown).split())
            if context is not None:
                context.close()
        browser.close()
    server.shutdown()


def _floor_screenshot(page: Any, path: Path, data: dict[str, Any]) -> None:
    page.wait_for_load_state()
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=bool(data.get("full_page")))


# --- output -----------------------------------------------------------------------------


def _paired(
    times: dict[str, list[Measure]], numerator: str, denominator: str
) -> tuple[float, float, list[float]]:
    """The median of the per-round ratios (wall, CPU) and the wall ratio of each round."""
    pairs = list(zip(times[numerator], times[denominator], strict=True))
    wall = [top[0] / bottom[0] for top, bottom in pairs]
    cpu = [top[1] / bottom[1] for top, bottom in pairs if bottom[1]]
    return statistics.median(wall), statistics.median(cpu) if cpu else 0.0, wall


def _ratio(value: float) -> str:
    return f"{value:.2f}".replace(".", ",") + " ×"


def _progress(title: str, times: dict[str, list[Measure]], keys: tuple[str, ...]) -> None:
    parts = (f"{key} {seconds(times[key][-1][0])}" for key in keys)
    print(f"  {title}: " + ", ".join(parts), flush=True)


def _summary(times: dict[str, list[Measure]], figures: int, load: float) -> None:
    wall = {key: statistics.median(w for w, _ in values) for key, values in times.items()}
    cpu = {key: statistics.median(c for _, c in values) for key, values in times.items()}
    print()
    print(f"{'':<48} {'tempo':>8}   {'CPU':>8}   execuções")
    for key, title in ROWS:
        runs = " · ".join(seconds(w) for w, _ in times[key])
        name = title.format(n=figures)
        print(f"{name:<48} {seconds(wall[key]):>8}   {seconds(cpu[key]):>8}   {runs}")
    capture, capture_cpu, capture_pairs = _paired(times, "captura", "piso")
    verify, verify_cpu, verify_pairs = _paired(times, "verificacao", "captura")
    print()
    print("Razões rodada a rodada (cada par medido em sequência, sob a mesma carga):")
    print("  captura ÷ piso:        " + " · ".join(_ratio(r) for r in capture_pairs))
    print("  verificação ÷ captura: " + " · ".join(_ratio(r) for r in verify_pairs))
    checks = (
        ("captura ÷ piso", capture, TARGET_CAPTURE, _ratio, capture_cpu),
        ("verificação ÷ captura", verify, TARGET_VERIFY, _ratio, verify_cpu),
        ("HTML limpo", wall["html"], TARGET_HTML_CLEAN, seconds, cpu["html"]),
        (
            "HTML incremental",
            wall["incremental"],
            TARGET_HTML_INCREMENTAL,
            seconds,
            cpu["incremental"],
        ),
    )
    print()
    print("Metas (mediana das razões por rodada, pelo tempo; entre parênteses, pela CPU):")
    for title, value, limit, shown, by_cpu in checks:
        verdict = "ok" if value <= limit else "ACIMA DA META"
        target = f"meta ≤ {shown(limit)}"
        print(f"  {title:<24} {shown(value):>8}  ({shown(by_cpu)})   {target:<14} {verdict}")
    cores = os.cpu_count() or 1
    busy = cpu["piso"] / wall["piso"]
    print()
    print(
        f"O piso ocupa em média {busy:.2f} dos {cores} núcleos ".replace(".", ",")
        + f"({seconds(cpu['piso'])} de CPU em {seconds(wall['piso'])}): o mesmo trabalho, "
        + "dividido entre sessões em paralelo, não leva menos que "
        + f"{_ratio(busy / cores)} o piso nesta máquina."
    )
    reachable = "alcançável" if busy / cores <= TARGET_SIDE_BY_SIDE else "inalcançável aqui"
    print(f"  meta de uma reprodução em paralelo ≤ {_ratio(TARGET_SIDE_BY_SIDE)}: {reachable}")
    print(
        f"Carga média do sistema durante o bench: até {load:.1f}".replace(".", ",")
        + f" ({cores} núcleos)."
    )


if __name__ == "__main__":
    if "--piso" in sys.argv:
        plan, sources, output = _arguments().piso
        floor(Path(plan), Path(sources), Path(output))
        sys.exit(0)
    sys.exit(main())
