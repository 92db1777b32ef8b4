"""The portal as the manual's executable steps see it: fresh, seeded, with a frozen clock."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

from . import create_app
from .services import demo_data

#: The instant at which the portal stands still when the manual does not say otherwise.
CAPTURE_TIME = "2026-11-10T13:00:00Z"


def create_capture_app(relogio: str | None = None) -> Flask:
    """A portal on its own temporary SQLite database with the demo data of conf/demo.toml.

    `relogio` is the manual's frozen instant (passos_relogio), so that the server and the
    page agree on what time it is.
    """
    folder = Path(tempfile.mkdtemp(prefix="portal-capturas-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    app = create_app(
        instance_path=str(folder / "instance"),
        test_config={
            "SECRET_KEY": "capturas-do-manual",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'portal.db'}",
            "MAIL_SERVER": "",
            "MAIL_OUTBOX": str(folder / "caixa-de-saida"),
            "UPLOAD_FOLDER": str(folder / "anexos"),
            "FROZEN_TIME": relogio or CAPTURE_TIME,
            "ENVIRONMENT": "development",
            "DEMO_MODE": True,
            "RATELIMIT_ENABLED": False,
            # The class sheet's temporary passwords are random: the figures need the same ones.
            "CLASS_PASSWORD_SEED": "capturas-do-manual",
        },
    )
    with app.app_context():
        upgrade()
        demo_data.load(with_tickets=True)
    return app


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
