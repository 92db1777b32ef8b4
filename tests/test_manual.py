"""The manual: every edition `make docs` builds, served by the portal, and a replay in Chromium
that matches the committed figures."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from apoio_chamados import MARIA, REQUESTER_PASSWORD, open_form
from apoio_navegador import require_chromium

from demo import config

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
#: The tests that read the built manual run on one pytest-xdist worker (see the Makefile).
pytestmark = pytest.mark.xdist_group("manual")


def sphinx(builder: str, out: Path, *args: str, env: dict | None = None):
    """Run sphinx-build in a subprocess (as `make docs` and `make capturas` do)."""
    command = [sys.executable, "-m", "sphinx", "-b", builder, str(DOCS), str(out), *args]
    return subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=900
    )


def pages_of(manual_build: Path) -> list[Path]:
    """Every HTML page a reader can open: the manual's pages and the one-page edition."""
    return sorted((manual_build / "html").glob("*.html")) + [
        manual_build / "singlehtml" / "index.html"
    ]


def test_make_docs_builds_every_edition_with_warnings_as_errors(manual_build):
    page = (manual_build / "html" / "abertura-de-chamados.html").read_text("utf-8")
    assert 'lang="pt-BR"' in page
    assert "Consulta Técnica" in page and "0800-883-6216" in page
    assert "_images/" in page  # the generated figures are in place
    assert (manual_build / "epub" / "manual.epub").is_file()
    single = (manual_build / "singlehtml" / "index.html").read_text("utf-8")
    assert "Manutenção do manual" in single and "Consulta Técnica" in single


class InlineCode(HTMLParser):
    """What a Content-Security-Policy without 'unsafe-inline' refuses, with its line."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._script_line: int | None = None

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        for name, value in attrs:
            if name == "style":
                self.found.append(f"linha {line}: atributo style em <{tag}>")
            elif name.startswith("on"):
                self.found.append(f"linha {line}: manipulador {name} em <{tag}>")
            elif name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"linha {line}: {name}=javascript: em <{tag}>")
        if tag == "style":
            self.found.append(f"linha {line}: elemento <style>")
        if tag == "script" and not dict(attrs).get("src"):
            self._script_line = line

    def handle_data(self, data):
        if self._script_line is not None and data.strip():
            self.found.append(f"linha {self._script_line}: <script> com código embutido")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_line = None


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def test_the_inline_code_scan_sees_what_a_strict_policy_refuses():
    page = """<p style="color:red">x</p><script>alert(1)</script><script src="a.js"></script>
    <style>p{}</style><button onclick="go()">x</button><a href="javascript:go()">x</a>"""
    found = inline_code(page)
    assert len(found) == 5, found
    assert inline_code('<script src="a.js"></script><script id="x"></script>') == []


def test_no_page_has_inline_scripts_styles_or_event_handlers(manual_build):
    """The portal's Content-Security-Policy has no 'unsafe-inline' for scripts or styles."""
    problems = []
    for page in pages_of(manual_build):
        for problem in inline_code(page.read_text("utf-8")):
            problems.append(f"{page.relative_to(manual_build)}, {problem}")
    assert not problems, "\n".join(problems)


def test_every_page_links_back_to_the_portal_and_to_the_other_editions(manual_build):
    for page in pages_of(manual_build):
        html = page.read_text("utf-8")
        assert 'href="/"' in html and "Voltar ao portal" in html, page.name
        assert re.search(r'href="\.\.?/manual\.pdf"', html), page.name
        assert re.search(r'href="\.\.?/manual\.epub"', html), page.name
    # The e-book and the printed copy have no portal around them: they name its address.
    address = "http://suporte.servicos.gov.br"
    for page in (manual_build / "epub").glob("*.xhtml"):
        if page.name != "nav.xhtml":
            assert f'<a href="{address}">{address}</a>' in page.read_text("utf-8"), page.name
    single = (manual_build / "singlehtml" / "index.html").read_text("utf-8")
    assert f'<a href="{address}">{address}</a>' in single  # the cover


def test_the_catalog_plural_rule_is_the_one_the_manual_runs_without_eval(manual_build):
    """translations-csp.js writes out the rule Sphinx's catalog would have compiled with eval."""
    catalog = (manual_build / "html" / "_static" / "translations.js").read_text("utf-8")
    rule = re.search(r'"plural_expr": "(.*)"', catalog).group(1)
    ours = (manual_build / "html" / "_static" / "translations-csp.js").read_text("utf-8")
    assert f"return {rule};" in ours
    page = (manual_build / "html" / "search.html").read_text("utf-8")
    order = [page.index(name) for name in ("doctools.js", "translations-csp.js", "translations.js")]
    assert order == sorted(order)


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.targets.add(value)


def test_every_link_of_the_manual_resolves_through_the_portal(app_factory, manual_build):
    client = app_factory(MANUAL_DIR=str(manual_build)).test_client()
    pages = {f"/manual/{p.name}": p for p in (manual_build / "html").glob("*.html")}
    pages["/manual/singlehtml/"] = manual_build / "singlehtml" / "index.html"
    broken, checked = [], set()
    for url, page in sorted(pages.items()):
        links = Links()
        links.feed(page.read_text("utf-8"))
        for target in sorted(links.targets):
            if urlsplit(target).scheme or target.startswith("#"):
                continue  # other sites, and places on the same page
            path = urlsplit(urljoin(url, target)).path
            if path in checked:
                continue
            checked.add(path)
            with client.get(path, follow_redirects=True) as response:
                if response.status_code != 200:
                    broken.append(f"{url}: {target} → {path} ({response.status_code})")
    assert not broken, "\n".join(broken)
    assert {"/", "/manual/manual.pdf", "/manual/manual.epub", "/manual/singlehtml/"} <= checked

    with client.get("/manual/manual.pdf") as pdf:
        assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    with client.get("/manual/manual.epub") as epub:
        assert epub.mimetype == "application/epub+zip" and epub.data.startswith(b"PK")


def test_a_missing_edition_says_how_to_build_it(app_factory, tmp_path):
    client = app_factory(MANUAL_DIR=str(tmp_path / "nada")).test_client()
    for path in ("/manual/", "/manual/singlehtml/", "/manual/manual.pdf", "/manual/manual.epub"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "make docs" in response.text, path


@pytest.mark.browser
def test_the_printed_manual_has_a_cover_contents_page_numbers_and_figures(manual_build):
    require_chromium()
    from pypdf import PdfReader

    pdf = manual_build / "singlehtml" / "manual.pdf"
    assert pdf.is_file(), "make docs não gerou o PDF"
    reader = PdfReader(pdf)
    pages = [page.extract_text() for page in reader.pages]
    total = len(pages)
    assert total > 15

    cover = pages[0]
    assert "Manual do Portal de Suporte Técnico" in cover
    assert "Suporte Técnico" in cover.replace("Manual do Portal de Suporte Técnico", "")
    assert "http://suporte.servicos.gov.br" in cover
    assert re.search(r"Versão 1\.0 — \d\d/\d\d/\d{4}", cover)

    for number, text in enumerate(pages, 1):
        assert f"Página {number} de {total}" in text, f"página {number} sem número"

    assert "Sumário" in pages[1]
    entries = [  # "Title 12" lines, not the footer's "… Página 2 de 27"
        (title, number)
        for title, number in re.findall(r"^(\S.*?) (\d+)$", pages[1], re.MULTILINE)
        if "Página" not in title
    ]
    titles = [title for title, _ in entries]
    assert "Orientações para Abertura de Chamados de Suporte Técnico" in titles
    assert "Manutenção do manual" in titles
    for title, number in entries:  # each entry names the page its chapter or section is on
        assert title in pages[int(number) - 1], f"“{title}” não está na página {number}"

    figures = len(list((manual_build / "singlehtml" / "_images").iterdir()))
    assert sum(len(page.images) for page in reader.pages) >= figures > 10


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


def conf_with_consulta_hours(tmp_path: Path, hours: int) -> Path:
    """A copy of conf/ where only Consulta Técnica's hours changed."""
    conf = tmp_path / "conf"
    shutil.copytree(ROOT / "conf", conf)
    categories = conf / "categorias.toml"
    text = categories.read_text("utf-8")
    assert text.count('codigo = "consulta-tecnica"\nnome = "Consulta Técnica"\nhoras = 2\n') == 1
    categories.write_text(text.replace("horas = 2\n", f"horas = {hours}\n", 1), "utf-8")
    return conf


def consulta_deadline(html: str) -> str:
    """The bracketed deadline after Consulta Técnica's description, as the page shows it."""
    after = html[html.index("Consulta Técnica") :]
    return re.sub(r"\s+", " ", re.search(r"\[(solução em até [^\]]*)\]", after).group(1))


def test_changing_a_category_deadline_changes_the_portal_and_the_manual_together(
    tmp_path, app_factory, browser_for, monkeypatch
):
    conf = conf_with_consulta_hours(tmp_path, 3)
    expected = "solução em até 03 (três) horas corridas após o cadastramento da demanda"

    # The portal reads PORTAL_CONF_DIR once, when imported: point that setting at the copy.
    monkeypatch.setattr(config, "CONF_DIR", conf)
    requester = browser_for(app_factory())
    requester.login(MARIA, REQUESTER_PASSWORD)
    number = open_form(requester)
    form = requester.client.get(f"/chamados/{number}/formulario").text
    assert consulta_deadline(form) == expected

    html = sphinx("html", tmp_path / "html", "-q", env={"PORTAL_CONF_DIR": str(conf)})
    assert html.returncode == 0, html.stderr
    page = (tmp_path / "html" / "abertura-de-chamados.html").read_text("utf-8")
    assert consulta_deadline(page) == expected
    assert "02 (duas)" not in page and "02 (duas)" not in form


@pytest.mark.browser
def test_changing_a_category_deadline_changes_its_figure(tmp_path):
    require_chromium()
    conf = conf_with_consulta_hours(tmp_path, 3)
    # The chapter that shows the categories is enough (the whole replay is the test above).
    chapter = str(DOCS / "abertura-de-chamados.rst")
    env = {"PORTAL_CONF_DIR": str(conf)}
    verify = sphinx("passos-verificacao", tmp_path / "passos", chapter, env=env)
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


# --- the API chapter -------------------------------------------------------------------


def test_the_api_chapter_examples_work_as_printed(tmp_path):
    """Every curl and Python example of docs/api.rst, sent to a fresh portal, answers as shown."""
    result = sphinx("api-exemplos", tmp_path / "exemplos")
    output = f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    assert result.returncode == 0, f"Os exemplos da API não correspondem ao manual:\n{output}"
    assert "nenhum problema" in result.stdout, output


def test_an_example_that_no_longer_matches_names_its_line(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs, ignore=shutil.ignore_patterns("_build", "_imagens"))
    for name in ("conf", "demo"):  # what the manual's configuration reads beside it
        (tmp_path / name).symlink_to(ROOT / name)
    chapter = docs / "api.rst"
    text = chapter.read_text("utf-8")
    assert text.count('"situacao": "rascunho",') == 1
    chapter.write_text(text.replace('"situacao": "rascunho",', '"situacao": "aberto",'), "utf-8")
    lines = text.splitlines()
    changed = next(i for i, content in enumerate(lines) if '"situacao": "rascunho",' in content)
    directive = max(i for i in range(changed) if lines[i].startswith(".. api-exemplo::")) + 1
    command = [sys.executable, "-m", "sphinx", "-b", "api-exemplos", str(docs), str(tmp_path / "o")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert result.returncode != 0
    assert f'api.rst:{directive}: situacao: esperado "aberto", veio "rascunho"' in result.stderr
    assert "Chamado não encontrado" not in result.stderr  # the other examples still agree


def test_the_api_reference_is_rendered_from_the_specification(manual_build):
    import lxml.html

    from demo.api import build_document

    document = build_document()
    page = (manual_build / "html" / "api.html").read_text("utf-8")
    text = " ".join(lxml.html.fromstring(page).text_content().split())
    for path, item in document["paths"].items():
        for method in item:
            if method != "parameters":
                assert f"{method.upper()} {path}" in text, (method, path)
    for name in document["components"]["schemas"]:
        assert f'id="api-documento-{name.lower()}"' in page, name
