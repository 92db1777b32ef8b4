"""The ``passo`` and ``passos-sessao`` directives: describe steps, never run them.

Like ``sphinx.ext.doctest``, the directives emit ordinary nodes (a paragraph, a figure,
a comment) that carry the step in a marker attribute; only the passos builders read it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from . import grammar

logger = logging.getLogger(__name__)

IMAGE_DIR = "_imagens"
STEP_ATTRIBUTE = "passo"
SESSION_ATTRIBUTE = "passos_sessao"
_FIGURE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
VARIABLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def figure_path(docname: str, name: str) -> str:
    """Where a step's figure lives, relative to the source directory."""
    return f"{IMAGE_DIR}/{docname}/{name}.png"


def refusals(env: Any) -> dict[str, int]:
    """Documents with refused steps, and how many; kept in the environment."""
    if not hasattr(env, "passos_recusas"):
        env.passos_recusas = {}
    found: dict[str, int] = env.passos_recusas
    return found


def note_refusal(env: Any, docname: str) -> None:
    """Remember that a document has a refused step (see ``__init__``)."""
    found = refusals(env)
    found[docname] = found.get(docname, 0) + 1


def _url(argument: str | None) -> str:
    value = directives.unchanged_required(argument).strip()
    if not value.startswith("/"):
        raise ValueError("o endereço deve começar com “/”, relativo ao portal")
    return value


def _crop(argument: str | None) -> str:
    value = directives.unchanged_required(argument).strip().casefold()
    value = {"página": "pagina"}.get(value, value)
    if value not in ("pagina", "tela"):
        raise ValueError("use “tela” (a parte visível, padrão) ou “pagina” (a página inteira)")
    return value


class PassoDirective(SphinxDirective):
    """A step of the manual: a visible sentence, hidden values and an optional figure.

    ::

        .. passo:: Acesse o menu “Processos”, após clique em “Abrir”.
           :figura: processos-abrir
    """

    required_arguments = 1
    final_argument_whitespace = True
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {
        "figura": directives.unchanged_required,
        "valor": directives.unchanged,
        "anexo": directives.unchanged,
        "alvo": directives.unchanged_required,
        "guarda": directives.unchanged_required,
        "url": _url,
        "recorte": _crop,
        "escala": directives.percentage,
        "scale": directives.percentage,  # the name used by ``figure``
    }

    def run(self) -> list[nodes.Node]:
        sentence = " ".join(self.arguments[0].split())
        inline, messages = self.parse_inline(sentence, lineno=self.lineno)
        paragraph = nodes.paragraph(sentence, "", *inline)
        self.set_source_info(paragraph)
        plain = self._plain_text(paragraph)
        docname = self.env.docname
        try:
            actions = self._actions(plain)
            figure_name = self._figure_name()
            keep = self._keep()
        except grammar.GrammarError as err:
            logger.error("passo recusado: %s", err, location=self.get_location(), type="passos")
            note_refusal(self.env, docname)
            return [paragraph, *messages]

        source, line = self.get_source_info()
        step = {
            "docname": docname,
            "source": source,
            "line": line,
            "sentence": plain,
            "actions": [(a.verb, a.role, a.label, a.value) for a in actions],
            "url": self.options.get("url"),
            "figure": figure_name,
            "full_page": self.options.get("recorte") == "pagina",
            "keep": keep,
            "index": self._index(),
            "start": self.env.current_document.get("passos_inicio", "/"),
        }
        container = nodes.container("", paragraph, classes=["passo"])
        container[STEP_ATTRIBUTE] = step
        self.set_source_info(container)
        if figure_name:
            container += self._figure(docname, figure_name, plain)
            from .praticar import link_node

            container += link_node(step["start"], docname, step["index"] + 1)
        return [container, *messages]

    def _plain_text(self, paragraph: nodes.paragraph) -> str:
        """The sentence without markup, with |substitutions| replaced (for grammar and alt)."""
        copy = paragraph.deepcopy()
        document = self.state.document
        for reference in list(copy.findall(nodes.substitution_reference)):
            name = document.substitution_names.get(nodes.fully_normalize_name(reference["refname"]))
            definition = document.substitution_defs.get(name) if name else None
            if definition is not None:
                reference.replace_self([child.deepcopy() for child in definition.children])
        return " ".join(copy.astext().split())

    def _actions(self, plain: str) -> list[grammar.Action]:
        values = grammar.parse_pairs(self.options.get("valor"), "valor")
        files = grammar.parse_pairs(self.options.get("anexo"), "anexo")
        for _, path in files:
            if not (Path(self.env.srcdir) / path).is_file():
                raise grammar.GrammarError(
                    f"o arquivo de :anexo: “{path}” não existe (o caminho é relativo à "
                    "pasta do manual)"
                )
            self.env.note_dependency(str(Path(self.env.srcdir) / path))
        return grammar.bind(grammar.parse(plain), values, files, self.options.get("alvo"))

    def _keep(self) -> list[tuple[str, str]]:
        """``:guarda: variável = Rótulo``: keep the value shown in a field for later steps."""
        kept = []
        for variable, label in grammar.parse_pairs(self.options.get("guarda"), "guarda"):
            name = variable.strip()
            if not VARIABLE_NAME.match(name):
                raise grammar.GrammarError(
                    f"nome de variável inválido em :guarda: “{name}”: use letras minúsculas, "
                    "números e “_” (por exemplo “chamado”)"
                )
            if not label:
                raise grammar.GrammarError(f"falta o rótulo do campo em “:guarda: {name} = …”")
            kept.append((name, label))
        return kept

    def _index(self) -> int:
        """The step's position in its document (0-based): the tour's step number."""
        document = self.env.current_document
        index = document.get("passos_contagem", 0)
        document["passos_contagem"] = index + 1
        return index

    def _figure_name(self) -> str | None:
        name = self.options.get("figura")
        if name is None:
            return None
        name = name.strip()
        if not _FIGURE_NAME.match(name):
            raise grammar.GrammarError(
                f"nome de figura inválido “{name}”: use letras minúsculas sem acento, "
                "números, “-” e “_” (por exemplo “processos-abrir”)"
            )
        seen: set[str] = self.env.current_document.setdefault("passos_figuras", set())
        if name in seen:
            raise grammar.GrammarError(f"a figura “{name}” já foi usada neste documento")
        seen.add(name)
        return name

    def _figure(self, docname: str, name: str, alt: str) -> nodes.figure:
        # A leading "/" makes Sphinx read the path from the source directory.
        image = nodes.image(uri="/" + figure_path(docname, name), alt=alt)
        scale = self.options.get("escala", self.options.get("scale"))
        if scale is not None:
            image["scale"] = scale
        figure = nodes.figure("", image, align="center", classes=["passo-figura"])
        self.set_source_info(figure)
        self.set_source_info(image)
        return figure


class SessaoDirective(SphinxDirective):
    """Start a fresh browser session for the following steps of the document (hidden).

    ::

        .. passos-sessao::
           :usuario: maria@orgao.gov.br
           :senha: segredo
           :url: /processos
    """

    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {
        "usuario": directives.unchanged_required,
        "senha": directives.unchanged,
        "url": _url,
    }

    def run(self) -> list[nodes.Node]:
        source, line = self.get_source_info()
        # Where the guided tour of the following steps starts, in the portal.
        self.env.current_document["passos_inicio"] = self.options.get("url") or "/"
        node = nodes.comment("", "")
        node[SESSION_ATTRIBUTE] = {
            "docname": self.env.docname,
            "source": source,
            "line": line,
            "user": self.options.get("usuario"),
            "password": self.options.get("senha", ""),
            "url": self.options.get("url"),
        }
        self.set_source_info(node)
        return [node]
