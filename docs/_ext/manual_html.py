"""The manual's HTML: accessible toctree captions, and a Portuguese search that ignores accents.

The theme (docs/_themes/manual) does the rest; this is what a template cannot reach.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import sphinx.search
from sphinx.application import Sphinx
from sphinx.search.pt import SearchPortuguese
from sphinx.util.typing import ExtensionMetadata
from sphinx.writers.html5 import HTML5Translator

#: The builders whose pages readers see (the one-page build is also the PDF's source).
BUILDERS = ("html", "singlehtml", "epub")


class Translator(HTML5Translator):
    """Sphinx writes a toctree caption as ``<p role="heading">`` without the level ARIA requires."""

    def starttag(self, node, tagname, suffix="\n", empty=False, **attributes):
        if attributes.get("ROLE") == "heading":
            attributes.setdefault("ARIA-LEVEL", "2")
        return super().starttag(node, tagname, suffix, empty, **attributes)


def without_accents(text: str) -> str:
    """“Solução” → “Solucao”: the letters without their diacritics."""
    decomposed = unicodedata.normalize("NFD", text)
    # the same marks as the JavaScript side's /\p{M}/u
    return "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))


_MINIFIED = Path(sphinx.search.__file__).parent / "minified-js"


class PortugueseWithoutAccents(SearchPortuguese):
    """Portuguese stemming on words without accents, in the index and in the query alike.

    Readers often type “solucao” or “numero”; Sphinx's stemmer keeps the accents, so those
    would find nothing. Folding before stemming gives both sides the same stem by construction.
    """

    stopwords = SearchPortuguese.stopwords | {
        without_accents(word) for word in SearchPortuguese.stopwords
    }
    # The JavaScript side: Snowball's Portuguese stemmer (shipped by Sphinx), after the same fold.
    js_stemmer_rawcode = ""
    js_stemmer_code = "\n".join(
        [
            (_MINIFIED / "base-stemmer.js").read_text(encoding="utf-8"),
            (_MINIFIED / "portuguese-stemmer.js").read_text(encoding="utf-8"),
            """
window.Stemmer = function () {
  const portuguese = new PortugueseStemmer();
  this.stemWord = function (word) {
    return portuguese.stemWord(word.normalize("NFD").replace(/\\p{M}/gu, ""));
  };
};
""",
        ]
    )

    def stem(self, word: str) -> str:
        return super().stem(without_accents(word))


# In the one-page build, Sphinx links a chapter's sections as "#document-chapter#section".
_DOUBLE_ANCHOR = re.compile(r'href="#document-[^"#]*#')


def _one_page_toctree(app: Sphinx, pagename: str, template: str, context: dict, doctree) -> None:
    """Make the one-page build's table of contents link its sections to where they are."""
    if app.builder.name != "singlehtml" or "toctree" not in context:
        return
    toctree = context["toctree"]
    context["toctree"] = lambda **options: _DOUBLE_ANCHOR.sub('href="#', toctree(**options))


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("html-page-context", _one_page_toctree)
    for builder in BUILDERS:
        app.set_translator(builder, Translator)
    app.add_search_language(PortugueseWithoutAccents)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
