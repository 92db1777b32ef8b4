"""The ``passo`` directive in an ordinary (HTML) build: no browser, refusals at file:line."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from apoio_passos import BuildResult, line_of
from PIL import Image

Build = Callable[..., BuildResult]


def _append(path: Path, text: str) -> int:
    """Append a block to an .rst file; return the line where it starts."""
    content = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
    path.write_text(content + text, encoding="utf-8")
    return content.count("\n") + 1


def _fake_figures(srcdir: Path) -> None:
    for rst in srcdir.glob("*.rst"):
        for name in re.findall(r":figura: (\S+)", rst.read_text(encoding="utf-8")):
            path = srcdir / "_imagens" / rst.stem / f"{name}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (64, 40), "white").save(path)


def test_html_renders_sentence_and_figure_without_browser(
    projeto: Path, sphinx: Build, monkeypatch
) -> None:
    monkeypatch.setenv("PASSOS_CHROMIUM", "/nonexistent/chromium")  # never needed here
    _fake_figures(projeto)
    result = sphinx(projeto, "html", "-W")
    assert result.status == 0, result.err
    html = (result.outdir / "formulario.html").read_text(encoding="utf-8")
    assert "<p>Clique no botão “Aprovar” para enviar a sua solicitação.</p>" in html
    assert 'src="_images/aprovar.png"' in html  # copied from _imagens/formulario/aprovar.png
    assert 'alt="Clique no botão “Aprovar” para enviar a sua solicitação."' in html
    # markup kept in the text, dropped from the alt text
    assert "<strong>“Código”</strong>" in html
    assert 'alt="O campo &quot;Código&quot; demonstra' in html
    # hidden options are not rendered
    for hidden in ("Consulta Técnica", "tela-do-erro.txt", "O sistema não abre"):
        assert hidden not in html
    index = (result.outdir / "index.html").read_text(encoding="utf-8")
    assert "senha-provisoria" not in index
    assert "maria@orgao.gov.br" not in index


def test_html_warns_when_a_figure_was_never_captured(projeto: Path, sphinx: Build) -> None:
    result = sphinx(projeto, "html")
    assert result.status == 0
    assert "_imagens/formulario/aprovar.png" in result.err


def test_unreadable_sentence_fails_the_build_naming_file_and_line(
    projeto: Path, sphinx: Build
) -> None:
    line = _append(projeto / "abertura.rst", ".. passo:: Clique duas vezes em “Abrir”.\n")
    result = sphinx(projeto, "html")  # no -W: a refused step fails the build anyway
    assert result.status == 1
    assert f"abertura.rst:{line}: ERROR: passo recusado:" in result.err
    assert "não sabe ler “Clique duas vezes em “Abrir””" in result.err
    # ... and again on the next (incremental) build, until it is fixed
    again = sphinx(projeto, "html")
    assert again.status == 1
    assert f"abertura.rst:{line}: ERROR: passo recusado:" in again.err


def test_refused_sentence_is_still_rendered(projeto: Path, sphinx: Build) -> None:
    _append(projeto / "abertura.rst", ".. passo:: Arraste o “Arquivo” para a lixeira.\n")
    result = sphinx(projeto, "html")
    html = (result.outdir / "abertura.html").read_text(encoding="utf-8")
    assert "Arraste o “Arquivo” para a lixeira." in html


def test_unknown_option_is_sphinx_error(projeto: Path, sphinx: Build) -> None:
    line = _append(projeto / "abertura.rst", ".. passo:: Clique em “Abrir”.\n   :cor: vermelha\n")
    result = sphinx(projeto, "html", "-W")
    assert result.status != 0
    assert f'abertura.rst:{line}: ERROR: Error in "passo" directive' in result.err
    assert 'unknown option: "cor"' in result.err


def test_missing_value_is_refused(projeto: Path, sphinx: Build) -> None:
    line = _append(projeto / "consulta.rst", ".. passo:: No campo “Assunto” informe o tema.\n")
    result = sphinx(projeto, "html")
    assert result.status == 1
    assert f"consulta.rst:{line}: ERROR: passo recusado: falta o valor do campo “Assunto”" in (
        result.err
    )


def test_missing_attachment_file_is_refused(projeto: Path, sphinx: Build) -> None:
    line = _append(
        projeto / "consulta.rst",
        ".. passo:: No campo “Anexos” adicione o arquivo.\n   :anexo: Anexos = nao/existe.pdf\n",
    )
    result = sphinx(projeto, "html")
    assert result.status == 1
    assert f"consulta.rst:{line}: ERROR: passo recusado: o arquivo de :anexo: “nao/existe.pdf”" in (
        result.err
    )


def test_figure_names_are_checked(projeto: Path, sphinx: Build) -> None:
    rst = projeto / "consulta.rst"
    bad = _append(rst, ".. passo:: Clique em “Abrir”.\n   :figura: Tela Nova\n")
    twice = _append(rst, ".. passo:: Clique em “Abrir”.\n   :figura: opcoes\n")
    result = sphinx(projeto, "html")
    assert result.status == 1
    assert f"consulta.rst:{bad}: ERROR: passo recusado: nome de figura inválido" in result.err
    assert f"consulta.rst:{twice}: ERROR: passo recusado: a figura “opcoes” já foi usada" in (
        result.err
    )


def test_multiline_sentence_reports_its_first_line(projeto: Path, sphinx: Build) -> None:
    rst = projeto / "consulta.rst"
    text = rst.read_text(encoding="utf-8").replace("“Selecionados”.", "“Selecionados” já.")
    rst.write_text(text.replace("clique no ícone", "toque duas vezes no ícone"), "utf-8")
    result = sphinx(projeto, "html")
    line = line_of(rst, "toque duas vezes no ícone")
    assert f"consulta.rst:{line}: ERROR: passo recusado" in result.err


def test_substitutions_are_resolved_in_the_alt_text(projeto: Path, sphinx: Build) -> None:
    conf = projeto / "conf.py"
    conf.write_text(
        conf.read_text(encoding="utf-8")
        + '\nrst_prolog = ".. |site| replace:: http://suporte.servicos.gov.br\\n"\n',
        encoding="utf-8",
    )
    index = projeto / "index.rst"
    index.write_text(
        index.read_text(encoding="utf-8").replace("do portal", "|site|"), encoding="utf-8"
    )
    result = sphinx(projeto, "html")
    assert "passo recusado" not in result.err
    html = (result.outdir / "index.html").read_text(encoding="utf-8")
    assert 'alt="Ao acessar o endereço http://suporte.servicos.gov.br será mostrada' in html
