"""Ticket numbers: consecutive per year, gap-free and unique under concurrent use.

The counter row is incremented with UPDATE … RETURNING in the same transaction that
inserts the ticket, so a rollback gives the number back and two sessions can never
read the same value (MAX()+1 would). A UNIQUE (year, sequence) constraint is the backstop.
"""

from __future__ import annotations

import re

from sqlalchemy import insert, update
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import TicketCounter
from .errors import Invalid

#: What a number that cannot be read is told (the API's filters and paths).
BAD_NUMBER = (
    "Número de chamado inválido: “{text}”. Use o formato do Nº do Processo, como 2026-000042."
)


def format_number(year: int, sequence: int) -> str:
    """The readable form of a ticket number: 2026-000042."""
    return f"{year}-{sequence:06d}"


def parse_number(text: str) -> tuple[int, int] | None:
    """Read a number typed with or without punctuation (2026-000042, 2026000042, 2026/42)."""
    text = (text or "").strip()
    if len(text) > 40:
        return None
    # ASCII digits only: int() would also read other scripts' digits.
    match = re.fullmatch(r"([0-9]{4})\s*[-/.]?\s*([0-9]{1,9})", text)
    if not match:
        return None
    year, sequence = int(match.group(1)), int(match.group(2))
    return (year, sequence) if sequence > 0 else None


def require_number(text: str) -> tuple[int, int]:
    """Like parse_number, but a text that is no ticket number is refused (Invalid)."""
    parsed = parse_number(text)
    if parsed is None:
        raise Invalid(BAD_NUMBER.format(text=(text or "")[:40]), "numero")
    return parsed


#: A bare sequence is at most this many digits (the year always has four).
SEQUENCE_DIGITS = 6


def parse_query(text: str) -> tuple[int | None, int] | None:
    """Read what a person types to find a ticket by number: (year or None, sequence).

    The whole number (2026-000003, 2026000003, 2026/3) gives its year; a number without the
    year — "3", "000003", "03" — finds that sequence in any year. None when it is no number.
    """
    text = (text or "").strip()
    if re.fullmatch(rf"[0-9]{{1,{SEQUENCE_DIGITS}}}", text):
        sequence = int(text)
        return (None, sequence) if sequence > 0 else None
    return parse_number(text)


def next_sequence(year: int) -> int:
    """Take the next sequence of the year inside the caller's transaction."""
    _ensure_counter(year)
    statement = (
        update(TicketCounter)
        .where(TicketCounter.year == year)
        .values(last=TicketCounter.last + 1)
        .returning(TicketCounter.last)
    )
    return db.session.execute(statement).scalar_one()


def _ensure_counter(year: int) -> None:
    dialect = db.session.get_bind().dialect.name
    values = {"year": year, "last": 0}
    if dialect == "postgresql":
        statement = postgresql.insert(TicketCounter).values(values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(TicketCounter).values(values).on_conflict_do_nothing()
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        statement = insert(TicketCounter).values(values)
    db.session.execute(statement)


def lock_year(year: int) -> None:
    """Inside the caller's transaction: hold the year's counter row until it ends.

    Every new ticket of the year updates this row, so nobody opens a ticket meanwhile (a class's
    reset deletes its tickets knowing that none is being created underneath).
    """
    _ensure_counter(year)
    db.session.execute(
        update(TicketCounter)
        .where(TicketCounter.year == year)
        .values(last=TicketCounter.last)
        .execution_options(synchronize_session=False)
    )
