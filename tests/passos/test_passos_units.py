"""Small units of the extension: the image comparison, the report and the portal server."""

from __future__ import annotations

import threading
import urllib.request
from concurrent.futures import Future
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from passos.compare import compare, format_percent
from passos.errors import PassosError
from passos.report import Problem, write_report
from passos.runner import label_pattern
from passos.server import create_portal, load_object, serving, wait_until_up
from PIL import Image


def _png(size: tuple[int, int] = (40, 20), dot: tuple[int, int] | None = None) -> bytes:
    image = Image.new("RGB", size, "white")
    if dot is not None:
        image.putpixel(dot, (0, 0, 0))
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_same_bytes_are_not_compared_further() -> None:
    assert compare(_png(), _png()) is None


def test_same_pixels_in_another_encoding_are_the_same() -> None:
    buffer = BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, format="PNG", compress_level=0)
    assert buffer.getvalue() != _png()
    assert compare(_png(), buffer.getvalue()) is None


def test_difference_counts_pixels_and_draws_them() -> None:
    difference = compare(_png((50, 20)), _png((50, 20), dot=(3, 4)))
    assert difference is not None
    assert difference.changed_pixels == 1
    assert difference.describe() == "0,10 % dos pixels diferem"
    with Image.open(BytesIO(difference.image)) as image:
        assert image.size == (50, 20)
        assert image.convert("RGB").getpixel((3, 4)) == (229, 34, 7)


def test_difference_of_sizes_is_said() -> None:
    difference = compare(_png((40, 20)), _png((40, 30)))
    assert difference is not None
    assert difference.describe().startswith("o tamanho mudou de 40×20 para 40×30 pixels e ")


def test_percentages_in_portuguese() -> None:
    assert format_percent(0.0342) == "3,42 %"
    assert format_percent(0.00001) == "menos de 0,01 %"
    assert format_percent(1) == "100,00 %"


def test_report_escapes_and_lists_images(tmp_path: Path) -> None:
    path = tmp_path / "relatorio.html"
    problem = Problem("docs/a.rst:3", "rótulo “<b>” não encontrado", [("antes", "r/a.png")])
    write_report(path, "Verificação", "1 problema.", [problem])
    html = path.read_text(encoding="utf-8")
    assert '<html lang="pt-BR">' in html
    assert "rótulo “&lt;b&gt;” não encontrado" in html
    assert '<img src="r/a.png" alt="antes">' in html


def test_label_pattern_is_whole_name_ignoring_case_and_marks() -> None:
    pattern = label_pattern("Nº do  Processo")
    assert pattern.match("nº do processo *")
    assert pattern.match(" Nº do Processo: ")
    assert not pattern.match("Nº do Processo antigo")
    assert label_pattern("(a+b)?").match("(A+B)?")


def test_load_object_errors_name_the_setting() -> None:
    with pytest.raises(PassosError, match="passos_entrar = “semdoispontos” deve ter a forma"):
        load_object("semdoispontos", "passos_entrar")
    with pytest.raises(PassosError, match="o módulo “os” não tem “nada”"):
        load_object("os:nada", "passos_app")
    assert load_object("os.path:join", "passos_app") is __import__("os").path.join


def _hello(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return ["olá".encode()]


def factory_with_clock(relogio: datetime) -> Any:
    factory_with_clock.received = relogio  # type: ignore[attr-defined]
    return _hello


def failing_factory() -> Any:
    raise RuntimeError("banco indisponível")


def test_factory_receives_the_frozen_clock() -> None:
    instant = datetime(2025, 1, 15, 13, tzinfo=UTC)
    assert create_portal(f"{__name__}:factory_with_clock", instant) is _hello
    assert factory_with_clock.received == instant  # type: ignore[attr-defined]


def test_failing_factory_is_explained() -> None:
    with pytest.raises(PassosError, match="passos_app = .* falhou: RuntimeError: banco"):
        create_portal(f"{__name__}:failing_factory", datetime.now(UTC))


def test_serving_on_a_free_loopback_port() -> None:
    with serving(_hello) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(base_url + "/") as response:
            assert response.read().decode() == "olá"
    with pytest.raises(OSError), urllib.request.urlopen(base_url + "/", timeout=2):
        pass


def test_serving_a_portal_still_being_built() -> None:
    # The port is known at once (browser contexts open with it); requests wait for the app.
    building: Future[Any] = Future()
    answers: list[str] = []
    with serving(building) as base_url:
        assert base_url.startswith("http://127.0.0.1:")

        def ask() -> None:
            with urllib.request.urlopen(base_url + "/", timeout=10) as response:
                answers.append(response.read().decode())

        asking = threading.Thread(target=ask)
        asking.start()
        asking.join(timeout=0.3)
        assert answers == []  # still waiting for the portal
        building.set_result(_hello)
        asking.join(timeout=10)
        assert answers == ["olá"]
        wait_until_up(base_url)
