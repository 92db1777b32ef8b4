"""Directives that render facts from the portal's conf/ folder into the manual.

The categories and their deadlines live in conf/categorias.toml; the manual shows them
with this directive, and writes each deadline from its hours as the portal does (the same
function), so changing the hours there changes the manual and the portal together.
"""

from __future__ import annotations

import importlib.util
import os
import tomllib
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata

#: The portal's conf/ folder (PORTAL_CONF_DIR points elsewhere, as it does for the portal).
ROOT = Path(__file__).resolve().parents[2]
CONF = Path(os.environ.get("PORTAL_CONF_DIR", ROOT / "conf"))


def _portal_module(relative: str):
    """A pure module of the portal, from its file: importing it through the demo package would
    load Flask and the portal into every build of the manual (see docs/conf.py)."""
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(f"portal_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: How the portal writes a deadline; the manual writes it the same way, from the same hours.
deadline_words = _portal_module("demo/services/deadline_words.py")


def read_categories() -> list[dict]:
    with open(CONF / "categorias.toml", "rb") as fh:
        return tomllib.load(fh)["categorias"]


#: What the manual says of a category's clock while the ticket waits on the requester
#: (conf/categorias.toml: pausa_aguardando_solicitante).
PAUSE_WORDS = {
    True: "o prazo fica parado enquanto o chamado aguarda o solicitante",
    False: "o prazo corre mesmo enquanto o chamado aguarda o solicitante",
}


class CategoriesDirective(Directive):
    """``.. categorias::`` — one paragraph per category: name, description, deadline.

    With ``:prazo-parado:``, each also says whether its deadline stops while the ticket waits on
    the requester.
    """

    has_content = False
    option_spec = {"prazo-parado": directives.flag}

    def run(self) -> list[nodes.Node]:
        env = self.state.document.settings.env
        env.note_dependency(str(CONF / "categorias.toml"))
        env.note_dependency(deadline_words.__file__)
        items = read_categories()
        result = nodes.bullet_list(classes=["categorias"])
        for index, item in enumerate(items):
            last = index == len(items) - 1
            description = " ".join(item["descricao"].split())
            paragraph = nodes.paragraph()
            paragraph += nodes.strong(text=item["nome"])
            ending = "." if last else ";"
            deadline = deadline_words.deadline_phrase(int(item["horas"]), item.get("inicio", ""))
            if "prazo-parado" in self.options:
                pauses = bool(item.get("pausa_aguardando_solicitante", False))
                deadline = f"{deadline}; {PAUSE_WORDS[pauses]}"
            paragraph += nodes.Text(f" – {description} [{deadline}]{ending}")
            result += nodes.list_item("", paragraph)
        return [result]


# --- the settings of conf/portal.toml ----------------------------------------------------


def read_settings() -> list[tuple[str, list[tuple[str, str]]]]:
    """conf/portal.toml as (comment, [(key, value as written)]) groups, in file order.

    A comment block describes the keys that follow it up to the next blank line or comment.
    """
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    comment: list[str] = []
    keys: list[tuple[str, str]] = []

    def close() -> None:
        if keys:
            groups.append((" ".join(comment), list(keys)))
        comment.clear()
        keys.clear()

    for raw in (CONF / "portal.toml").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            close()
        elif line.startswith("#"):
            if keys:
                close()
            text = line.lstrip("#").strip()
            if text and not text.startswith("---"):
                comment.append(text)
        elif "=" in line:
            key, _, value = line.partition("=")
            keys.append((key.strip(), value.strip()))
    close()
    return groups


def setting(key: str):
    """The default value of one key of conf/portal.toml."""
    with open(CONF / "portal.toml", "rb") as fh:
        return tomllib.load(fh)[key]


class SettingsDirective(Directive):
    """``.. configuracoes::`` — every setting of conf/portal.toml with its default and meaning.

    Optional arguments: key prefixes, to render only some groups (e.g. ``SERVER_ PROXY_``).
    """

    has_content = False
    optional_arguments = 20

    def run(self) -> list[nodes.Node]:
        env = self.state.document.settings.env
        env.note_dependency(str(CONF / "portal.toml"))
        prefixes = tuple(self.arguments)
        result = nodes.definition_list(classes=["configuracoes"])
        for comment, keys in read_settings():
            if prefixes and not any(key.startswith(prefixes) for key, _ in keys):
                continue
            term = nodes.term()
            for index, (key, value) in enumerate(keys):
                if index:
                    term += nodes.Text(", ")
                term += nodes.literal(text=f"{key} = {value}")
            definition = nodes.definition()
            definition += nodes.paragraph(text=comment or "(sem descrição)")
            result += nodes.definition_list_item("", term, definition)
        return [result]


def conf_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``:conf:`KEY``` — the default value of a setting of conf/portal.toml, as text."""
    try:
        value = setting(text.strip())
    except KeyError:
        message = inliner.reporter.error(f"conf/portal.toml não tem a chave {text!r}", line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    if isinstance(value, bool):
        value = "sim" if value else "não"
    return [nodes.Text(str(value))], []


# --- eMAG's access keys ----------------------------------------------------------------------

#: The access keys as the portal's bar shows them (one list, demo/acessibilidade/keys.py).
access_keys = _portal_module("demo/acessibilidade/keys.py")


class AccessKeysDirective(Directive):
    """``.. atalhos::`` — one item per access key: the keys to press and where it leads."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        env = self.state.document.settings.env
        env.note_dependency(access_keys.__file__)
        result = nodes.bullet_list(classes=["atalhos"])
        for item in access_keys.ACCESS_KEYS:
            paragraph = nodes.paragraph()
            paragraph += nodes.strong(text=f"Alt + {item.key}")
            where = item.where[0].lower() + item.where[1:]
            paragraph += nodes.Text(f" ({item.label}) – {where}.")
            result += nodes.list_item("", paragraph)
        return [result]


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_directive("categorias", CategoriesDirective)
    app.add_directive("atalhos", AccessKeysDirective)
    app.add_directive("configuracoes", SettingsDirective)
    app.add_role("conf", conf_role)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
