"""The passos builders: capture and verification in Chromium against the example portal.

Browser builds are slow-ish (one Chromium per build), so each build runs once per module
and several tests read its result.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from apoio_passos import TEMPLATE, BuildResult, copy_project, line_of, run_sphinx
from passos.runner import chromium_path
from PIL import Image

FIGURES = sorted(
    f"{rst.stem}/{name}"
    for rst in TEMPLATE.glob("*.rst")
    for name in re.findall(r":figura: (\S+)", rst.read_text(encoding="utf-8"))
)

# Outside CI a machine without Chromium skips these; in CI they run, and fail, like the rest.
_no_chromium = pytest.mark.skipif(
    not Path(chromium_path()).is_file() and os.environ.get("PORTAL_TESTS_REQUIRE_POSTGRES") != "1",
    reason="Chromium não instalado",
)


def needs_chromium(test: Callable[..., None]) -> Callable[..., None]:
    """A test that drives Chromium (marked ``browser``; skipped without Chromium)."""
    return pytest.mark.browser(_no_chromium(test))


def _figures(srcdir: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(srcdir / "_imagens").with_suffix("")): path.read_bytes()
        for path in sorted((srcdir / "_imagens").glob("*/*.png"))
    }


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    srcdir = copy_project(tmp_path_factory.mktemp("captura") / "docs")
    return srcdir, run_sphinx(srcdir, "passos-captura", "-W")


@pytest.fixture(scope="module")
def broken(
    capture: tuple[Path, BuildResult], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, BuildResult]:
    """Verify the captured manual against a portal and a manual that both changed.

    Each change breaks a different document, so one build shows them all; it also shows
    that a failed document does not stop the others.
    """
    srcdir = copy_project(tmp_path_factory.mktemp("quebrado") / "docs", capture[0])
    consulta = srcdir / "consulta.rst"
    text = consulta.read_text(encoding="utf-8")
    consulta.write_text(text.replace("“Selecionados”", "“Favoritos”"), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(
            "PORTAL_EXEMPLO_MUDANCAS", "aprovar-renomeado,sem-abrir,campo-movido,entrar-duplicado"
        )
        return srcdir, run_sphinx(srcdir, "passos-verificacao")


@needs_chromium
def test_capture_writes_every_figure(capture: tuple[Path, BuildResult]) -> None:
    srcdir, result = capture
    assert result.status == 0, result.text
    assert sorted(_figures(srcdir)) == FIGURES
    for png in (srcdir / "_imagens").glob("*/*.png"):
        with Image.open(png) as image:
            assert image.width == 1280
            assert image.height >= 800
    total = len(FIGURES)
    progress = re.findall(rf"^\[(\d+)/{total}\] (\S+) … \d+,\d\d s \(nova\)$", result.out, re.M)
    assert [int(n) for n, _ in progress] == list(range(1, total + 1))
    documents = list(dict.fromkeys(name.split("/")[0] for _, name in progress))
    assert documents == ["index", "abertura", "formulario", "consulta"]  # toctree order
    assert re.search(
        rf"^\d+ passos executados, {total} figuras capturadas em \d+,\d\d s: nenhum problema\.$",
        result.out,
        re.M,
    )


@needs_chromium
def test_two_captures_are_byte_identical(capture: tuple[Path, BuildResult], tmp_path: Path) -> None:
    # A second capture, from scratch, of the first chapters (index, abertura) only: the
    # verification below compares all the figures byte for byte as well.
    srcdir = copy_project(tmp_path / "docs")
    result = run_sphinx(srcdir, "passos-captura", "abertura.rst")
    assert result.status == 0, result.text
    again = _figures(srcdir)
    assert sorted(again) == ["abertura/abertura", "abertura/processos-abrir"] + [
        "index/entrada",
        "index/login",
    ]
    first = _figures(capture[0])
    assert all(again[name] == first[name] for name in again)


@needs_chromium
def test_one_lane_gives_the_same_figures_as_many(
    capture: tuple[Path, BuildResult], tmp_path: Path
) -> None:
    """Documents replayed side by side (the default: one lane per core, one Chromium) and one
    after the other give the same bytes."""
    srcdir = copy_project(tmp_path / "docs")
    result = run_sphinx(srcdir, "passos-captura", "-D", "passos_paralelo=1")
    assert result.status == 0, result.text
    alone, side_by_side = _figures(srcdir), _figures(capture[0])
    assert sorted(alone) == sorted(side_by_side)
    assert [name for name in alone if alone[name] != side_by_side[name]] == []


@needs_chromium
def test_every_document_starts_on_fresh_data(tmp_path: Path) -> None:
    """A document never sees what another one did: formulario.rst approves 2025/0002 on its
    own portal, so consulta.rst, searching for it on another, does not find it."""
    srcdir = copy_project(tmp_path / "docs")
    consulta = srcdir / "consulta.rst"
    consulta.write_text(
        consulta.read_text(encoding="utf-8").replace("2025/0001", "2025/0002"), encoding="utf-8"
    )
    result = run_sphinx(srcdir, "passos-captura", "-D", "passos_paralelo=2")
    assert result.status == 1
    assert "rótulo “Chamado 2025/0002” (link ou botão) não encontrado na tela" in result.text


@needs_chromium
def test_verify_passes_right_after_capture(
    capture: tuple[Path, BuildResult], tmp_path: Path
) -> None:
    srcdir = copy_project(tmp_path / "docs", capture[0])
    result = run_sphinx(srcdir, "passos-verificacao", "-W")
    assert result.status == 0, result.text
    # "(igual)" means the same bytes: the second replay gave byte-identical PNGs
    assert result.out.count("(igual)") == len(FIGURES)
    assert "nenhum problema" in result.out
    report = (result.outdir / "relatorio.html").read_text(encoding="utf-8")
    assert "Nenhum problema encontrado." in report


@needs_chromium
def test_broken_manual_fails_the_build(broken: tuple[Path, BuildResult]) -> None:
    _, result = broken
    assert result.status == 1


@needs_chromium
@pytest.mark.parametrize(
    ("document", "sentence", "message"),
    [
        pytest.param(
            "formulario.rst",
            "Clique no botão “Aprovar”",
            "rótulo “Aprovar” (botão) não encontrado na tela",
            id="botao-renomeado-no-portal",
        ),
        pytest.param(
            "consulta.rst",
            "Para consultar o andamento",
            "rótulo “Favoritos” (link ou botão) não encontrado na tela",
            id="rotulo-mudado-no-manual",
        ),
        pytest.param(
            "abertura.rst",
            "Acesse o menu “Processos”",
            "rótulo “Abrir” (link ou botão) não encontrado na tela",
            id="item-de-menu-removido",
        ),
        pytest.param(
            "formulario.rst",
            "Preencha a sua solicitação",
            "a figura “_imagens/formulario/formulario.png” mudou: ",
            id="campo-movido",
        ),
        pytest.param(
            "index.rst",
            "Clique no botão “Entrar”",
            "rótulo “Entrar” (botão) aparece 2 vezes na tela",
            id="rotulo-ambiguo",
        ),
    ],
)
def test_verify_names_the_failing_step(
    broken: tuple[Path, BuildResult], document: str, sentence: str, message: str
) -> None:
    srcdir, result = broken
    line = line_of(srcdir / document, sentence)
    assert re.search(rf"{re.escape(document)}:{line}: ERROR: {re.escape(message)}", result.err), (
        result.err
    )
    report = (result.outdir / "relatorio.html").read_text(encoding="utf-8")
    assert f"{document}:{line}</h2>" in report
    assert message.replace("“", "&quot;") in report or message in report


@needs_chromium
def test_drift_is_explained_with_a_diff_image(broken: tuple[Path, BuildResult]) -> None:
    _, result = broken
    assert re.search(r"formulario\.png” mudou: \d+,\d\d % dos pixels diferem", result.err), (
        result.err
    )
    report = (result.outdir / "relatorio.html").read_text(encoding="utf-8")
    for kind in ("antes", "depois", "diferenca"):
        image = f"relatorio/formulario/formulario-{kind}.png"
        assert f'src="{image}"' in report
        with Image.open(result.outdir / image) as picture:
            assert picture.width == 1280
    # A failed step shows the screen at the failure.
    assert (result.outdir / "relatorio" / "formulario").glob("falha-linha-*.png")


@needs_chromium
def test_failed_document_does_not_stop_the_others(broken: tuple[Path, BuildResult]) -> None:
    _, result = broken
    # abertura.rst fails at its first step, formulario.rst still runs to its end
    assert "formulario/codigo" in result.out
    assert "passo seguinte de abertura sem executar" in result.out


def test_missing_chromium_is_explained_in_portuguese(
    projeto: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PASSOS_CHROMIUM", "/nonexistent/chromium")
    result = run_sphinx(projeto, "passos-captura")
    assert result.status == 1
    assert "o navegador Chromium não foi encontrado em “/nonexistent/chromium”" in result.err
    assert "apt-get install chromium" in result.err
    assert "PASSOS_CHROMIUM" in result.err
    assert "Traceback" not in result.text
    assert not (projeto / "_imagens").exists()


def test_portal_that_cannot_be_imported_names_the_setting(projeto: Path) -> None:
    result = run_sphinx(projeto, "passos-verificacao", "-D", "passos_app=portal_sumido:criar")
    assert result.status == 1
    assert (
        "não foi possível importar o módulo “portal_sumido” indicado em "
        "passos_app = “portal_sumido:criar”: ModuleNotFoundError"
    ) in result.err
    assert "Traceback" not in result.text


def test_portal_factory_must_be_configured(projeto: Path) -> None:
    result = run_sphinx(projeto, "passos-verificacao", "-D", "passos_app=")
    assert result.status == 1
    assert "defina passos_app no conf.py" in result.err
