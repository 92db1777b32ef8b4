"""Fixtures: an app per test on a fresh database (SQLite, and PostgreSQL when available)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from demo import create_app
from demo.extensions import db
from demo.services import demo_data

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
REQUIRE_POSTGRES = os.environ.get("PORTAL_TESTS_REQUIRE_POSTGRES") == "1"


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path) -> str:
    """A URL to an empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'portal.db'}"
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("TEST_DATABASE_URL não definido, mas PostgreSQL é exigido neste ambiente.")
        pytest.skip("PostgreSQL não configurado (defina TEST_DATABASE_URL).")
    _reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


def make_app(database_url: str, tmp_path: Path, **overrides):
    """Create a migrated, seeded app for tests."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "chave-de-teste",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_OUTBOX": str(tmp_path / "caixa-de-saida"),
        "MAIL_SERVER": "",
        "DEMO_MODE": True,
        "RATELIMIT_ENABLED": False,
        "UPLOAD_FOLDER": str(tmp_path / "anexos"),
    }
    config.update(overrides)
    app = create_app(config)
    with app.app_context():
        upgrade()
        demo_data.load()
    return app


@pytest.fixture
def app(database_url: str, tmp_path: Path):
    """A portal on a fresh database with the demo data."""
    app = make_app(database_url, tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(response) -> str:
    """The CSRF token in a rendered form."""
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', response.data)
    assert match, "página sem token CSRF"
    return match.group(1).decode()


class Browser:
    """A test client that logs in through the real form, CSRF token included."""

    def __init__(self, client, prefix: str = ""):
        self.client = client
        self.prefix = prefix

    def post_form(self, path: str, data: dict, form_path: str | None = None, **kwargs):
        token = csrf_token(self.client.get(form_path or path))
        return self.client.post(path, data={"csrf_token": token, **data}, **kwargs)

    def login(self, email: str, password: str, **kwargs):
        return self.post_form(
            f"{self.prefix}/entrar", {"usuario": email, "senha": password}, **kwargs
        )


@pytest.fixture
def browser(client) -> Browser:
    return Browser(client)
