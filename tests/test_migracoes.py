"""The schema comes from the migrations; `init-db` prepares a database once."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from demo.extensions import db
from demo.models import Organization, ServiceRequest, User
from demo.services import ticket_search

DEMO_COUNTS = "Dados de demonstração carregados:"


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Organization, User, ServiceRequest)
        )


def test_db_upgrade_creates_every_table_of_the_models(empty_app):
    with empty_app.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
    result = empty_app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output

    with empty_app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        # Besides Alembic's own table, only the search's index (SQLite's FTS5 tables).
        extra = tables - set(db.metadata.tables) - {"alembic_version"}
        assert extra <= ticket_search.SEARCH_OBJECTS
        # Columns, types, indexes and constraints too: nothing left for a new migration.
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_name": ticket_search.include_name}
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == []


def test_init_db_loads_the_demo_data_once(empty_app):
    runner = empty_app.test_cli_runner()
    first = runner.invoke(args=["init-db"])
    assert first.exit_code == 0, first.output
    assert "Banco de dados atualizado." in first.stdout
    assert DEMO_COUNTS in first.stdout
    loaded = counts(empty_app)
    assert loaded[0] >= 2 and loaded[1] >= 4 and loaded[2] >= 3

    again = runner.invoke(args=["init-db"])
    assert again.exit_code == 0, again.output
    assert "Banco de dados atualizado." in again.stdout
    assert DEMO_COUNTS not in again.stdout
    assert counts(empty_app) == loaded


def test_init_db_without_demo_data(empty_app):
    result = empty_app.test_cli_runner().invoke(args=["init-db", "--sem-demo"])
    assert result.exit_code == 0, result.output
    assert DEMO_COUNTS not in result.stdout
    assert counts(empty_app) == (0, 0, 0)
