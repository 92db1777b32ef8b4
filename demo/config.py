"""Layered configuration: conf/*.toml defaults, then PORTAL_* variables, then the test mapping."""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path

from flask import Flask

#: The operator's folder (settings, categories, process, demo data).
CONF_DIR = Path(os.environ.get("PORTAL_CONF_DIR", Path(__file__).resolve().parent.parent / "conf"))


def read_toml(name: str) -> dict:
    """Read one file of the conf/ folder."""
    with open(CONF_DIR / name, "rb") as fh:
        return tomllib.load(fh)


def load(app: Flask, test_config: dict | None) -> None:
    """Fill app.config from the three layers, then derive what depends on them."""
    app.config.from_mapping(read_toml("portal.toml"))
    app.config["CONF_DIR"] = str(CONF_DIR)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get(
        "DATABASE_URL", f"sqlite:///{Path(app.instance_path) / 'portal.db'}"
    )
    app.config.from_prefixed_env("PORTAL")
    if test_config:
        app.config.from_mapping(test_config)

    development = app.config["ENVIRONMENT"] == "development" or app.testing
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not development,
        # Explicit, because Flask-Limiter otherwise inherits the previous app's choice.
        RATELIMIT_ENABLED=app.config.get("RATELIMIT_ENABLED", True),
        # The rate limiter keeps its counters in memory: one process, as `make run` serves.
        RATELIMIT_STORAGE_URI=app.config.get("RATELIMIT_STORAGE_URI", "memory://"),
        RATELIMIT_HEADERS_ENABLED=False,
        # WTForms' own Portuguese messages (Flask-WTF's translations need Flask-Babel).
        WTF_I18N_ENABLED=False,
        SQLALCHEMY_DATABASE_URI=_normalise_db_url(app.config["SQLALCHEMY_DATABASE_URI"]),
    )
    # Room for every attachment of a form in one request; the per-file limit is checked while
    # streaming, so the form can be shown again with what was typed.
    attachments_mb = app.config["ATTACHMENT_MAX_MB"] * app.config["ATTACHMENT_MAX_COUNT"]
    if not app.config.get("MAX_CONTENT_LENGTH"):
        app.config["MAX_CONTENT_LENGTH"] = (attachments_mb + 1) * 1024 * 1024
    app.config["MENU"] = read_toml("menu.toml")["menu"]
    if not app.config.get("MAIL_OUTBOX"):
        app.config["MAIL_OUTBOX"] = str(Path(app.instance_path) / "caixa-de-saida")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))


def _normalise_db_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(instance: Path) -> str:
    """Read the secret key from the instance folder, creating it on first run (never committed)."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
