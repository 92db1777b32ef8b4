"""Sphinx configuration of the manual (pt-BR). Facts the portal configures come from conf/."""

from __future__ import annotations

import ast
import hashlib
import os
import sys
import tomllib
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path[:0] = [str(DOCS / "_ext"), str(ROOT)]

from portal_conf import CONF  # noqa: E402  (the portal's conf/ folder)


def _portal_constants(relative: str, *names: str) -> list:
    """Constants of a portal module, read from its source without running it.

    Importing the demo package would load Flask and the whole portal into every build of
    the manual (a good part of an incremental build's time).
    """
    path = ROOT / relative
    found = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in names:
                found[target.id] = ast.literal_eval(node.value)
    missing = [name for name in names if name not in found]
    if missing:
        raise RuntimeError(f"{relative} não define {', '.join(missing)} como constante")
    return [found[name] for name in names]


MIN_LENGTH, MAX_LENGTH = _portal_constants("demo/services/passwords.py", "MIN_LENGTH", "MAX_LENGTH")

with open(CONF / "portal.toml", "rb") as fh:
    PORTAL = tomllib.load(fh)
# Where this installation serves the portal (written by `make run`), as the portal reads it.
_INSTANCE = Path(os.environ.get("PORTAL_INSTANCE_PATH") or ROOT / "instance") / "portal.toml"
if _INSTANCE.is_file():
    with open(_INSTANCE, "rb") as fh:
        PORTAL.update(tomllib.load(fh))

project = "Manual do Portal de Suporte Técnico"
version = release = "1.0"
author = "Equipe do Portal de Suporte Técnico"
copyright = "2026, Equipe do Portal de Suporte Técnico"
language = "pt_BR"
root_doc = "index"
extensions = [
    "passos",
    "portal_conf",
    "api_manual",
    "manual_html",
    "manual_pdf",
    "sphinx_rtd_theme",
]
exclude_patterns = ["_build", "_themes", "Thumbs.db", ".DS_Store"]
templates_path = []
# sphinx-rtd-theme with accessible templates of our own, free of inline scripts and styles.
html_theme = "manual"
html_theme_path = ["_themes"]
html_title = "Manual do Portal de Suporte Técnico"
html_show_sourcelink = False
html_show_sphinx = False
html_theme_options = {"navigation_depth": 3}
# After doctools.js (200), before translations.js (500): see the file.
html_js_files = [("translations-csp.js", {"priority": 300})]
today_fmt = "%d/%m/%Y"
html_last_updated_fmt = today_fmt
epub_basename = "manual"
epub_theme = "manual-epub"
epub_show_urls = "no"
# The one-page build is also printed to PDF by Chromium (docs/_ext/manual_pdf.py).
manual_pdf = "manual.pdf"
manual_pdf_rodape = f"{PORTAL['SUPPORT_SITE_NAME']} · {PORTAL['SUPPORT_SITE_URL']}"

# What the theme shows on every page: the way back to the portal (which serves the manual at
# /manual/, so "/" is the portal wherever it runs), and the other editions, served beside it.
html_context = {
    "portal_url": "/",
    "portal_address": PORTAL["SUPPORT_SITE_URL"],
    "portal_name": PORTAL["SUPPORT_SITE_NAME"],
    "portal_phone": PORTAL["SUPPORT_PHONE"],
    "manual_pdf": manual_pdf,
    "manual_epub": f"{epub_basename}.epub",
}

# One home for each fact: the manual reads the portal's settings, never restates them.
rst_prolog = f"""
.. |telefone| replace:: {PORTAL["SUPPORT_PHONE"]}
.. |site_suporte| replace:: {PORTAL["SUPPORT_SITE_URL"]}
.. |site_mapa| replace:: {PORTAL["MAPA_SITE_URL"]}
.. |nome_suporte| replace:: {PORTAL["SUPPORT_SITE_NAME"]}
.. |nome_mapa| replace:: {PORTAL["MAPA_SITE_NAME"]}
.. |validade_senha| replace:: {PORTAL["TEMPORARY_PASSWORD_HOURS"]} horas
.. |anexo_max_mb| replace:: {PORTAL["ATTACHMENT_MAX_MB"]} MB
.. |anexo_max_arquivos| replace:: {PORTAL["ATTACHMENT_MAX_COUNT"]}
.. |senha_min| replace:: {MIN_LENGTH}
.. |senha_max| replace:: {MAX_LENGTH}
"""

# The executable steps: a fresh portal (temporary database, demo data, frozen clock).
passos_app = "demo.capturas:create_capture_app"
passos_relogio = "2026-11-10T10:00:00-03:00"
# The API chapter's examples (docs/api.rst): their tokens, on the same fresh portal.
api_exemplos_tokens = "demo.capturas:api_tokens"
# The portal under test reads the chapters' steps (the trainer's progress view) from there.
passos_praticar_env = "PORTAL_MANUAL_DIR"


def _cache_templates(app) -> None:
    """Keep the theme's compiled Jinja templates between builds.

    An incremental build would otherwise spend a good part of its time compiling them.
    """
    templates = getattr(app.builder, "templates", None)
    environment = getattr(templates, "environment", None)
    if environment is None:
        return
    from jinja2 import FileSystemBytecodeCache

    # compiled code depends on the Jinja extensions (i18n or not), not on the language
    flavour = hashlib.sha1(repr(sorted(environment.extensions)).encode()).hexdigest()[:8]
    folder = Path(app.doctreedir) / f"jinja-{flavour}"
    folder.mkdir(parents=True, exist_ok=True)
    environment.bytecode_cache = FileSystemBytecodeCache(str(folder))


def setup(app):
    app.connect("builder-inited", _cache_templates)
