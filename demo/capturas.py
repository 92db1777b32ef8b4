"""The portal as the manual's executable steps see it: fresh, seeded, with a frozen clock."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

from . import create_app
from .services import demo_data

#: The instant at which the portal stands still when the manual does not say otherwise.
CAPTURE_TIME = "2026-11-10T13:00:00Z"

#: The folder of the migrated, seeded portal of each frozen instant (its database and the demo
#: tickets' attachments), built once per process: every portal after the first starts from a
#: copy of it (the manual's build, the tour's test and the benchmarks each want a fresh one).
_SEEDED: dict[str, Path] = {}
#: One portal is built at a time: migrations must not run in two threads at once, and
#: CPython 3.11 before 3.11.8 may fail building ASTs in two threads at once (werkzeug compiles
#: each URL rule so), "SystemError: AST constructor recursion depth mismatch".
_BUILDING = threading.Lock()


def create_capture_app(relogio: str | None = None) -> Flask:
    """A portal on its own temporary SQLite database with the demo data of conf/demo.toml.

    `relogio` is the manual's frozen instant (passos_relogio), so that the server and the
    page agree on what time it is. Safe to call from several threads at once.
    """
    instant = str(relogio or CAPTURE_TIME)
    with _BUILDING:
        if instant not in _SEEDED:
            seeded = _app(instant)
            with seeded.app_context():
                upgrade()
                demo_data.load(with_tickets=True)
            uri = seeded.config["SQLALCHEMY_DATABASE_URI"]
            _SEEDED[instant] = Path(uri.removeprefix("sqlite:///")).parent
            _dispose(seeded)
        return _app(instant, copy_of=_SEEDED[instant])


def _app(instant: str, copy_of: Path | None = None) -> Flask:
    folder = Path(tempfile.mkdtemp(prefix="portal-capturas-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    database = folder / "portal.db"
    if copy_of is not None:
        shutil.copyfile(copy_of / "portal.db", database)
        if (copy_of / "anexos").is_dir():
            shutil.copytree(copy_of / "anexos", folder / "anexos")
    return create_app(
        instance_path=str(folder / "instance"),
        test_config={
            "SECRET_KEY": "capturas-do-manual",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "MAIL_SERVER": "",
            "MAIL_OUTBOX": str(folder / "caixa-de-saida"),
            "UPLOAD_FOLDER": str(folder / "anexos"),
            "FROZEN_TIME": instant,
            "ENVIRONMENT": "development",
            "DEMO_MODE": True,
            "RATELIMIT_ENABLED": False,
            # The class sheet's temporary passwords are random: the figures need the same ones.
            "CLASS_PASSWORD_SEED": "capturas-do-manual",
        },
    )


def _dispose(app: Flask) -> None:
    from .extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


#: The tokens the manual's API examples use, by the variable that holds them.
API_TOKENS = {
    "TOKEN": ("maria.souza@agro.gov.br", "escrita"),
    "TOKEN_EQUIPE": ("joao.lima@suporte.gov.br", "escrita"),
}


def api_tokens(app: Flask) -> dict[str, str]:
    """Personal access tokens for the manual's API examples (docs/api.rst), on this portal."""
    from .extensions import db
    from .services import accounts, api_tokens

    found = {}
    with app.app_context():
        for variable, (email, scope) in API_TOKENS.items():
            created = api_tokens.create(accounts.find_user(email), "manual", scope, None)
            found[variable] = created.secret
        db.session.remove()
    return found
