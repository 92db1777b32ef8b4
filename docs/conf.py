"""Sphinx configuration of the manual (pt-BR). Facts the portal configures come from conf/."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path[:0] = [str(DOCS / "_ext"), str(ROOT)]

from demo.services.passwords import MAX_LENGTH, MIN_LENGTH  # noqa: E402

from demo.config import CONF_DIR  # noqa: E402

with open(CONF_DIR / "portal.toml", "rb") as fh:
    PORTAL = tomllib.load(fh)

project = "Manual do Portal de Suporte Técnico"
author = "Equipe do Portal de Suporte Técnico"
copyright = "2026, Equipe do Portal de Suporte Técnico"
language = "pt_BR"
root_doc = "index"
extensions = ["passos", "portal_conf"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
templates_path = []
html_theme = "sphinx_rtd_theme"
html_title = "Manual do Portal de Suporte Técnico"
html_static_path = ["_static"]
html_css_files = ["manual.css"]
html_show_sourcelink = False
html_theme_options = {"navigation_depth": 3}
epub_show_urls = "no"
today_fmt = "%d/%m/%Y"

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
