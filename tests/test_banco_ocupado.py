"""A database that stays busy past the timeout: a Portuguese answer, never a traceback.

SQLite is held by another writer (as a long backup or a stuck process would); the portal's
busy timeout is made short so the test does not wait.
"""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from apoio_portal import Browser, csrf_token

from demo.services import attachments

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@contextmanager
def held(app):
    """Another process's write transaction on the portal's SQLite file."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_cli_command_that_cannot_write_says_so(app_factory):
    app = app_factory(SQLITE_BUSY_TIMEOUT_MS=200)
    runner = app.test_cli_runner()
    with held(app):
        result = runner.invoke(
            args=["criar-usuario", "nova@agro.gov.br", "--nome", "Nova Pessoa", "--orgao", "MAPA"]
        )
    assert result.exit_code == 1
    assert result.stderr.startswith("Erro: O banco de dados continuou ocupado")
    assert "nada foi alterado" in result.stderr
    assert "Traceback" not in result.output
    # Afterwards it works.
    result = runner.invoke(
        args=["criar-usuario", "nova@agro.gov.br", "--nome", "Nova Pessoa", "--orgao", "MAPA"]
    )
    assert result.exit_code == 0, result.output


def test_a_page_that_cannot_write_answers_in_portuguese(app_factory):
    app = app_factory(SQLITE_BUSY_TIMEOUT_MS=200)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    browser = Browser(app.test_client())
    token_page = browser.client.get("/entrar")
    with held(app):
        response = browser.client.post(
            "/entrar",
            data={
                "csrf_token": csrf_token(token_page),
                "usuario": "maria.souza@agro.gov.br",
                "senha": "solicitante-demo",
            },
        )
    assert response.status_code == 503
    assert "Portal ocupado" in response.text
    assert "aguarde alguns segundos" in response.text
    assert "Traceback" not in response.text
    assert browser.login("maria.souza@agro.gov.br", "solicitante-demo").status_code == 302


def test_staged_uploads_left_by_a_crash_are_removed(app):
    with app.app_context():
        tmp = attachments.storage_dir() / ".tmp"
        old, young = tmp / "antigo", tmp / "recente"
        old.write_bytes(b"x")
        young.write_bytes(b"y")
        hours_ago = time.time() - 7 * 3600
        os.utime(old, (hours_ago, hours_ago))
        assert attachments.purge_staged(timedelta(hours=6)) == 1
    assert not Path(old).exists() and Path(young).exists()
    result = app.test_cli_runner().invoke(args=["limpar"])
    assert result.exit_code == 0, result.output
    assert "envio(s) interrompido(s)" in result.output
