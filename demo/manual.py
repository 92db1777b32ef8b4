"""The portal as the manual's executable steps see it: fresh, seeded, with a frozen clock."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

from . import create_app
from .services import demo_data

#: The instant at which the portal (and the browser page) stand still for screenshots.
CAPTURE_TIME = os.environ.get("PASSOS_RELOGIO", "2026-11-10T13:00:00Z")


def create_capture_app() -> Flask:
    """A portal on its own temporary SQLite database with the demo data of conf/demo.toml."""
    folder = Path(tempfile.mkdtemp(prefix="portal-capturas-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    app = create_app(
        {
            "SECRET_KEY": "capturas-do-manual",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'portal.db'}",
            "MAIL_SERVER": "",
            "MAIL_OUTBOX": str(folder / "caixa-de-saida"),
            "UPLOAD_FOLDER": str(folder / "anexos"),
            "FROZEN_TIME": CAPTURE_TIME,
            "ENVIRONMENT": "development",
            "DEMO_MODE": True,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
        demo_data.load(with_tickets=True)
    return app
