"""Directives that render facts from the portal's conf/ folder into the manual.

The categories and their deadlines live in conf/categorias.toml; the manual shows them
with this directive, so changing the hours there changes the manual and the portal together.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata

#: The portal's conf/ folder (PORTAL_CONF_DIR points elsewhere, as it does for the portal).
CONF = Path(os.environ.get("PORTAL_CONF_DIR", Path(__file__).resolve().parents[2] / "conf"))


def read_categories() -> list[dict]:
    with open(CONF / "categorias.toml", "rb") as fh:
        return tomllib.load(fh)["categorias"]


class CategoriesDirective(Directive):
    """``.. categorias::`` — one paragraph per category: name, description, deadline."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        env = self.state.document.settings.env
        env.note_dependency(str(CONF / "categorias.toml"))
        items = read_categories()
        result = nodes.bullet_list(classes=["categorias"])
        for index, item in enumerate(items):
            last = index == len(items) - 1
            description = " ".join(item["descricao"].split())
            paragraph = nodes.paragraph()
            paragraph += nodes.strong(text=item["nome"])
            ending = "." if last else ";"
            paragraph += nodes.Text(f" – {description} [{item['prazo']}]{ending}")
            result += nodes.list_item("", paragraph)
        return [result]


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_directive("categorias", CategoriesDirective)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
