"""The manual: a clean HTML build, and a replay in Chromium that matches the committed figures."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from apoio_navegador import require_chromium

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def sphinx(builder: str, out: Path, *args: str, env: dict | None = None):
    """Run sphinx-build in a subprocess (as `make docs` and `make capturas` do)."""
    command = [sys.executable, "-m", "sphinx", "-b", builder, str(DOCS), str(out), *args]
    return subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=900
    )


def test_html_build_is_clean_with_warnings_as_errors(tmp_path):
    result = sphinx("html", tmp_path / "html", "-W", "--keep-going", "-q")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "html" / "abertura-de-chamados.html").read_text("utf-8")
    assert 'lang="pt-BR"' in page
    assert "Consulta Técnica" in page and "0800-883-6216" in page
    assert "_images/" in page  # the generated figures are in place


@pytest.mark.browser
def test_the_manual_replays_and_every_figure_matches_the_portal(tmp_path):
    require_chromium()
    result = sphinx("passos-verificacao", tmp_path / "passos")
    report = tmp_path / "passos" / "relatorio.html"
    assert result.returncode == 0, (
        "O manual não corresponde mais ao portal (rode `make capturas` se a mudança foi "
        f"intencional). Relatório: {report}\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )
    assert "nenhum problema" in result.stdout


@pytest.mark.browser
def test_changing_a_category_deadline_changes_text_and_figure_together(tmp_path):
    require_chromium()
    conf = tmp_path / "conf"
    shutil.copytree(ROOT / "conf", conf)
    categories = conf / "categorias.toml"
    text = categories.read_text("utf-8")
    categories.write_text(
        text.replace("horas = 2\n", "horas = 3\n").replace("02 (duas) horas", "03 (três) horas"),
        "utf-8",
    )
    env = {"PORTAL_CONF_DIR": str(conf)}

    html = sphinx("html", tmp_path / "html", "-q", env=env)
    assert html.returncode == 0, html.stderr
    page = (tmp_path / "html" / "abertura-de-chamados.html").read_text("utf-8")
    assert "03 (três) horas corridas" in page
    assert "02 (duas) horas corridas" not in page

    verify = sphinx("passos-verificacao", tmp_path / "passos", env=env)
    assert verify.returncode != 0
    assert "abertura-de-chamados.rst:" in verify.stdout
    assert "categoria" in verify.stdout


def test_the_operator_chapter_renders_every_setting_with_its_meaning():
    """``configuracoes`` lists every key of conf/portal.toml, each with a description."""
    import tomllib

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "docs" / "_ext"))
    from portal_conf import CONF, read_settings

    with open(CONF / "portal.toml", "rb") as fh:
        keys = set(tomllib.load(fh))
    groups = read_settings()
    rendered = [key for _comment, items in groups for key, _value in items]
    assert sorted(rendered) == sorted(keys)
    assert all(comment for comment, _items in groups), [i for c, i in groups if not c]
