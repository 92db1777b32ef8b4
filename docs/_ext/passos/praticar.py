"""*Praticar no portal*: each chapter's steps exported for the portal's guided tour.

The HTML build writes ``_static/praticar.json`` (the steps of every chapter: the sentence as
the manual prints it, the targets with their roles, the hidden values, ``arquivo.rst:linha``,
and the rule that finds a target, from :mod:`passos.roles`), and puts a *Praticar no portal*
link on every chapter page with steps and under every step with a figure. The portal serves the
manual at ``/manual/``, so a link to ``/…#praticar=capítulo/passo`` opens the portal's tour at
that step. The e-book and the printed copy have no portal around them: no links there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from . import roles
from .builders import reading_order
from .directives import SESSION_ATTRIBUTE, STEP_ATTRIBUTE

OUTPUT = "_static/praticar.json"
LINK_TEXT = "Praticar no portal"
#: Builders whose pages are read next to the portal (the one-page build's links are hidden
#: when it is printed).
WITH_LINKS = ("html", "singlehtml", "dirhtml")


class praticar(nodes.General, nodes.Element):  # noqa: N801 (docutils names nodes in lower case)
    """A link that opens the portal's guided tour at one step."""


def tour_address(start: str, docname: str, number: int) -> str:
    """Where a *Praticar no portal* link goes: the chapter's first page, the tour at a step."""
    return f"{start}#praticar={docname}/{number}"


def link_node(start: str, docname: str, number: int, chapter: bool = False) -> praticar:
    node = praticar()
    node["href"] = tour_address(start, docname, number)
    node["chapter"] = chapter
    return node


def visit(translator, node: praticar) -> None:
    if translator.builder.name not in WITH_LINKS:
        raise nodes.SkipNode
    kind = "passo-praticar-capitulo" if node["chapter"] else "passo-praticar"
    text = LINK_TEXT + (" (todo o capítulo)" if node["chapter"] else " (este passo)")
    translator.body.append(
        f'<p class="{kind}"><a class="passo-praticar-link" href="{node["href"]}">{text}</a></p>'
    )
    raise nodes.SkipNode


def skip(translator, node: praticar) -> None:
    raise nodes.SkipNode


def add_chapter_link(app: Sphinx, doctree: nodes.document) -> None:
    """After the chapter's title: the tour of the whole chapter, from its first step."""
    first = next(
        (n for n in doctree.findall(nodes.Element) if STEP_ATTRIBUTE in n.attributes), None
    )
    if first is None:
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not section.children:
        return
    step = first[STEP_ATTRIBUTE]
    section.insert(1, link_node(step["start"], step["docname"], 1, chapter=True))


def chapters(app: Sphinx) -> list[dict[str, Any]]:
    """Every chapter with steps, in reading order, as the tour reads it."""
    env = app.env
    root = Path(app.srcdir).parent
    found = []
    for docname in reading_order(env, app.config.root_doc, env.found_docs):
        doctree = env.get_doctree(docname)
        steps = []
        for node in doctree.findall(nodes.Element):
            if SESSION_ATTRIBUTE in node.attributes and steps:
                steps[-1]["fim_de_sessao"] = True
            if STEP_ATTRIBUTE not in node.attributes:
                continue
            data = node[STEP_ATTRIBUTE]
            source = Path(data["source"])
            try:
                shown = source.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                shown = source.name
            steps.append(
                {
                    "numero": data["index"] + 1,
                    "arquivo": shown,
                    "linha": data["line"],
                    "frase": data["sentence"],
                    "acoes": [
                        {
                            "verbo": verb,
                            "papel": role,
                            "rotulo": label,
                            "valor": list(value) if isinstance(value, tuple) else value,
                        }
                        for verb, role, label, value in data["actions"]
                    ],
                    "url": data.get("url"),
                    "inicio": data["start"],
                    "figura": bool(data.get("figure")),
                    "guarda": [list(pair) for pair in data.get("keep", ())],
                }
            )
        if steps:
            title = env.titles[docname].astext() if docname in env.titles else docname
            found.append({"documento": docname, "titulo": title, "passos": steps})
    return found


def write_steps(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.name != "html":
        return
    write_steps_file(app, Path(app.outdir))


def write_steps_file(app: Sphinx, html: Path) -> None:
    """Write praticar.json into an HTML folder (unchanged files are left alone)."""
    path = html / OUTPUT
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"versao": 1, "regra": roles.exported(), "capitulos": chapters(app)}
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if not path.is_file() or path.read_text("utf-8") != text:
        path.write_text(text, "utf-8")


def setup(app: Sphinx) -> None:
    handlers = (visit, skip)
    app.add_node(
        praticar,
        html=handlers,
        epub=(skip, skip),
        latex=(skip, skip),
        text=(skip, skip),
        man=(skip, skip),
        texinfo=(skip, skip),
    )
    app.connect("doctree-read", add_chapter_link)
    app.connect("build-finished", write_steps)
