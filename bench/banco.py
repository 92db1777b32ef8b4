"""What every benchmark does to the database it is given: read its URL, empty it, describe it."""

from __future__ import annotations

import sys

import sqlalchemy as sa


def psycopg_url(url: str) -> str:
    """The URL with SQLAlchemy's psycopg 3 driver (a plain postgresql:// would pick psycopg2)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def empty_postgres(url: str, recreate: bool) -> None:
    """Refuse a PostgreSQL database that has tables, unless told to drop them (--recriar)."""
    engine = sa.create_engine(psycopg_url(url))
    with engine.begin() as connection:
        tables = sa.inspect(connection).get_table_names()
        if tables and not recreate:
            sys.exit(
                "O banco indicado já tem tabelas; use --recriar para apagá-las "
                "(todas as do esquema public)."
            )
        if tables:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
