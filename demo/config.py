"""Layered configuration: conf/portal.toml, then instance/portal.toml, then PORTAL_* variables,
then the test mapping.

instance/portal.toml is where `make run` writes the address at which it serves the portal, so
that every process of this installation (the server, the CLI, the manual's build) agrees on it.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
#: The operator's folder (settings, categories, process, demo data).
CONF_DIR = Path(os.environ.get("PORTAL_CONF_DIR", ROOT / "conf"))
INSTANCE_FILE = "portal.toml"


def read_toml(name: str) -> dict:
    """Read one file of the conf/ folder."""
    with open(CONF_DIR / name, "rb") as fh:
        return tomllib.load(fh)


def instance_path() -> str:
    """The instance folder (secret key, SQLite database, attachments, outbox)."""
    return os.environ.get("PORTAL_INSTANCE_PATH") or str(ROOT / "instance")


def settings(instance: str | Path | None = None) -> dict:
    """conf/portal.toml overlaid with the instance file and the PORTAL_* variables.

    For processes that need the settings without an application (the server's own settings).
    """
    values = read_toml("portal.toml")
    values.update(_instance_settings(Path(instance or instance_path())))
    probe = Flask("settings")
    probe.config.from_mapping(values)
    probe.config.from_prefixed_env("PORTAL")
    return dict(probe.config)


def _instance_settings(instance: Path) -> dict:
    path = instance / INSTANCE_FILE
    if not path.is_file():
        return {}
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def load(app: Flask, test_config: dict | None) -> None:
    """Fill app.config from the layers, then derive what depends on them."""
    app.config.from_mapping(read_toml("portal.toml"))
    app.config.from_mapping(_instance_settings(Path(app.instance_path)))
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
        RATELIMIT_STORAGE_URI=app.config.get("RATELIMIT_STORAGE_URI", "memory://"),
        RATELIMIT_HEADERS_ENABLED=False,
        # WTForms' own Portuguese messages (Flask-WTF's translations need Flask-Babel).
        WTF_I18N_ENABLED=False,
        SQLALCHEMY_DATABASE_URI=_normalise_db_url(app.config["SQLALCHEMY_DATABASE_URI"]),
    )
    # Every thread of the server may hold a connection at once, plus the request that is
    # being timed out; the pool waits rather than fails when they are all in use.
    if ":memory:" not in app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config.setdefault(
            "SQLALCHEMY_ENGINE_OPTIONS",
            {
                "pool_size": int(app.config["SERVER_THREADS"]) + 2,
                "max_overflow": 20,
                "pool_timeout": 60,
            },
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


def write_instance_settings(instance: str | Path, values: dict[str, str | bool | int]) -> Path:
    """Write instance/portal.toml (the settings of this installation that `make run` chose)."""
    folder = Path(instance)
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Escrito por `flask --app demo configurar-instancia` (que o `make run` executa):",
        "# o endereço em que o portal está sendo servido e o modo de demonstração.",
        "# Vale para o servidor, para a linha de comando e para o manual desta instalação.",
    ]
    for key, value in values.items():
        lines.append(f"{key} = {_toml_value(value)}")
    path = folder / INSTANCE_FILE
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _toml_value(value: str | bool | int) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


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
        # Several server processes start at once on the first run: the key is written aside
        # and linked into place, so exactly one wins and nobody reads a half-written file.
        draft = instance / f".secret_key-{os.getpid()}-{secrets.token_hex(4)}"
        draft.write_text(secrets.token_hex(32))
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()
