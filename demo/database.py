"""The database session's rules: write transactions, SQLite tuning, and a busy database.

Every write of the portal goes through `writing()`. On SQLite a transaction that starts by
reading and later writes fails at once ("database is locked") when another writer committed in
between: the busy timeout does not apply to that upgrade. A transaction that will write must
therefore begin as a writer (BEGIN IMMEDIATE), which queues on the busy timeout instead. On
PostgreSQL the same block is an ordinary transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from .extensions import db

#: What a user reads when the database stayed busy past the timeout.
BUSY_MESSAGE = (
    "O portal está atendendo muitas pessoas ao mesmo tempo e não conseguiu gravar agora. "
    "Nada foi perdido do que já estava salvo: aguarde alguns segundos e tente novamente."
)


def init_app(app: Flask) -> None:
    """Tune SQLite for concurrent use: WAL, a busy timeout, and immediate write transactions."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        timeout_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
        _configure_sqlite(engine, timeout_ms)
        # SQLite lets one writer in at a time, and a waiting one polls with growing sleeps; the
        # threads of one server process queue on a lock instead, woken as soon as it is free.
        # Waiting here costs nothing (no polling), so it may wait longer than SQLite would.
        app.extensions["portal.sqlite_writer"] = (threading.RLock(), 2 * timeout_ms / 1000)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, issue BEGIN (pysqlite's implicit BEGIN is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL makes NORMAL durable against application crashes, and much cheaper per commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = connection.get_execution_options().get("sqlite_immediate")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class PendingWork(RuntimeError):
    """A write transaction was asked for while the session held uncommitted changes."""


class Busy(RuntimeError):
    """The database stayed busy with other writes past the timeout."""


#: Set while a `writing()` block runs: a nested block joins it (see `writing`).
_WRITING: ContextVar[bool] = ContextVar("portal_writing", default=False)


@contextmanager
def writing() -> Iterator[None]:
    """Run the block as one write transaction, committed at its end, rolled back on error.

    The session's read transaction, if any, ends first (it holds nothing to keep): the block
    then starts from fresh rows. Changes made before the block would be committed by it without
    their owner knowing, so they are refused as a programming error.

    Inside another `writing()` block (a class created with its demo tickets, through the same
    services a person uses), the inner block joins the outer transaction: it only flushes, and
    the outer block commits everything or nothing.
    """
    if _WRITING.get():
        yield
        db.session.flush()
        return
    session = db.session()  # the scoped session's current Session
    if session.new or session.dirty or session.deleted:
        raise PendingWork("uncommitted changes before a write transaction")
    writer = current_app.extensions.get("portal.sqlite_writer")
    if writer is not None and not writer[0].acquire(timeout=writer[1]):
        raise Busy("another write of this process held the database past the timeout")
    marker = _WRITING.set(True)
    try:
        if session.in_transaction():
            session.rollback()
        session.connection(execution_options={"sqlite_immediate": True})
        try:
            yield
            session.commit()
        except BaseException:
            session.rollback()
            raise
    finally:
        _WRITING.reset(marker)
        if writer is not None:
            writer[0].release()


def in_write_transaction() -> bool:
    """Whether a `writing()` block is running (work after its commit must wait for it)."""
    return _WRITING.get()


def end_read() -> None:
    """End the session's read transaction, giving its connection back to the pool.

    Called before slow work that needs no database (password hashing), so a connection is not
    held idle while the CPU works.
    """
    session = db.session()  # the scoped session's current Session
    if session.new or session.dirty or session.deleted:
        raise PendingWork("uncommitted changes when ending a read transaction")
    if session.in_transaction():
        session.rollback()


def is_busy(error: BaseException) -> bool:
    """Whether an error means the database stayed locked past the busy timeout (SQLite)."""
    if isinstance(error, Busy):
        return True
    if not isinstance(error, OperationalError | DBAPIError):
        return False
    text = str(getattr(error, "orig", error)).lower()
    return "database is locked" in text or "database is busy" in text
