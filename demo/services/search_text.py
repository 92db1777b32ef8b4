"""The words a ticket is found by: accents and case folded away, the same on every database.

A ticket stores `search_text` — its número, subject and description written in the folded form
below — and each database indexes that column with its own full-text engine (PostgreSQL's
`to_tsvector('simple', …)` in a GIN index, SQLite's FTS5). The folding happens here, in
Python, rather than with PostgreSQL's `unaccent`: `unaccent()` is not IMMUTABLE, so an index
on it needs a wrapper function declared immutable by hand, and SQLite would fold differently.
One function, one meaning of "the same word", on both databases.

Pure Python, no Flask: the migration that fills the column imports it.
"""

from __future__ import annotations

import re
import unicodedata

#: A search longer than this is refused (nobody types a page into a search box).
QUERY_MAX = 200
#: Words whose prefix would match nearly every ticket: left out of a query with other words.
STOP_WORDS = frozenset(
    "a o as os e de da do das dos em no na nos nas um uma uns umas para por com que se ao aos "
    "ou".split()
)
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str | None) -> str:
    """Lower case, no accents, punctuation made spaces: “Relatório-01!” → “relatorio 01”."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(_NOT_WORD.split(bare)).strip()


def document(number: str, subject: str, description: str) -> str:
    """What a ticket is indexed by: its número, subject and description, folded."""
    return fold(f"{number} {subject} {description}")


def words(query: str | None) -> list[str]:
    """The words of a search, folded, in order, each once; stop words dropped unless alone."""
    found: list[str] = []
    for word in fold(query).split():
        if word not in found:
            found.append(word)
    meaningful = [word for word in found if word not in STOP_WORDS]
    return meaningful or found


def is_prefix(word: str) -> bool:
    """Whether a word of a search also finds longer words (“relat” finds “relatório”).

    Numbers match whole (“1” must not find every ticket with a 10 in it), and so does a single
    letter.
    """
    return len(word) > 1 and not word.isdigit()


def postgresql_query(query_words: list[str]) -> str:
    """A `to_tsquery('simple', …)` text: every word, prefixes marked (`relat:* & 404`)."""
    return " & ".join(f"{w}:*" if is_prefix(w) else w for w in query_words)


def sqlite_query(query_words: list[str]) -> str:
    """An FTS5 MATCH text: every word, quoted, prefixes starred (`"relat"* AND "404"`)."""
    return " AND ".join(f'"{w}"*' if is_prefix(w) else f'"{w}"' for w in query_words)
