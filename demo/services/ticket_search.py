"""Full-text search of tickets on each database, over the folded `search_text` column.

PostgreSQL: a GIN index on `to_tsvector('simple', search_text)` (the folding is already done,
so the 'simple' configuration — no stemming, no stop words — indexes the words as they are).
SQLite: an FTS5 table with external content (`tickets_fts`, whose rows are the tickets' ids),
kept in step by the mapper events below, in the same flush as the ticket.

Neither object is in the SQLAlchemy metadata (it cannot describe them): the migration creates
them and `include_name` keeps Alembic's comparison away from them.
"""

from __future__ import annotations

from sqlalchemy import event, func, literal_column, select, table, text
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from ..models import Ticket
from . import search_text

#: The FTS5 table of SQLite.
FTS_TABLE = "tickets_fts"
#: The GIN index of PostgreSQL.
GIN_INDEX = "ix_tickets_search_text"
#: Database objects of the search that the migration manages outside the metadata (the FTS5
#: table and the shadow tables SQLite makes for it, the GIN index).
SEARCH_OBJECTS = frozenset(
    {
        GIN_INDEX,
        FTS_TABLE,
        *(f"{FTS_TABLE}_{shadow}" for shadow in ("data", "idx", "content", "docsize", "config")),
    }
)


def include_name(name, type_, parent_names) -> bool:
    """Alembic's `include_name`: compare everything but the search's own objects."""
    return name not in SEARCH_OBJECTS


def matching(dialect: str, query_words: list[str]) -> ColumnElement[bool]:
    """The condition "the ticket has every word" (prefixes included), for this database."""
    if dialect == "postgresql":
        vector = func.to_tsvector(literal_column("'simple'"), Ticket.search_text)
        query = func.to_tsquery(
            literal_column("'simple'"), search_text.postgresql_query(query_words)
        )
        return vector.op("@@")(query)
    fts = table(FTS_TABLE)
    found = (
        select(literal_column("rowid"))
        .select_from(fts)
        .where(literal_column(FTS_TABLE).op("MATCH")(search_text.sqlite_query(query_words)))
    )
    return Ticket.id.in_(found)


# --- keeping search_text (and SQLite's FTS5 rows) in step with the ticket --------------------


def _fill_search_text(_mapper, _connection, ticket: Ticket) -> None:
    ticket.search_text = _document(ticket)


def _refill_search_text(_mapper, connection, ticket: Ticket) -> None:
    words = _document(ticket)
    if words == ticket.search_text:
        return
    if connection.dialect.name == "sqlite":
        # An external-content FTS5 table forgets a row only when told its old words: those
        # stored now, read before the UPDATE replaces them.
        ticket._fts_old_words = connection.execute(
            text("SELECT search_text FROM tickets WHERE id = :id"), {"id": ticket.id}
        ).scalar_one()
    ticket.search_text = words


def _document(ticket: Ticket) -> str:
    return search_text.document(ticket.number or "", ticket.subject or "", ticket.description or "")


def _index_inserted(_mapper, connection, ticket: Ticket) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(
            text(f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (:id, :words)"),
            {"id": ticket.id, "words": ticket.search_text},
        )


def _index_updated(_mapper, connection, ticket: Ticket) -> None:
    old = ticket.__dict__.pop("_fts_old_words", None)
    if old is None or connection.dialect.name != "sqlite":
        return
    _forget(connection, ticket.id, old)
    _index_inserted(_mapper, connection, ticket)


def _index_deleted(_mapper, connection, ticket: Ticket) -> None:
    if connection.dialect.name == "sqlite":
        _forget(connection, ticket.id, ticket.search_text)


def _forget(connection, ticket_id: int, words: str) -> None:
    connection.execute(
        text(
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
            "VALUES ('delete', :id, :words)"
        ),
        {"id": ticket_id, "words": words},
    )


def forget_many(ticket_ids) -> None:
    """Before a bulk DELETE of tickets (which runs no mapper event): drop their search rows.

    `ticket_ids` is a SELECT of the ids. Without this SQLite's FTS5 table would keep the
    deleted tickets' words under ids a later ticket may be given.
    """
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return
    rows = connection.execute(
        select(Ticket.id, Ticket.search_text).where(Ticket.id.in_(ticket_ids))
    ).all()
    for ticket_id, words in rows:
        _forget(connection, ticket_id, words)


_LISTENERS = (
    ("before_insert", _fill_search_text),
    ("before_update", _refill_search_text),
    ("after_insert", _index_inserted),
    ("after_update", _index_updated),
    ("after_delete", _index_deleted),
)


def init() -> None:
    """Install the mapper events (once per process, however many apps are created)."""
    for name, listener in _LISTENERS:
        if not event.contains(Ticket, name, listener):
            event.listen(Ticket, name, listener)
