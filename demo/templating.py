"""What every template may use: the current site, settings, and display filters."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, has_request_context
from flask_login import current_user

from .services import delivery
from .services.clock import LOCAL_ZONE
from .sites import current_site


def init_app(app: Flask) -> None:
    """Register the context processor and filters."""
    app.context_processor(_context)
    app.add_template_filter(local_datetime, "data_hora")
    app.add_template_filter(file_size, "tamanho")


def _context() -> dict:
    site = current_site()
    return {
        "site": site,
        "site_name": current_app.config[site.name_setting],
        "site_url": current_app.config[site.url_setting],
        "support_phone": current_app.config["SUPPORT_PHONE"],
        "demo_mode": current_app.config.get("DEMO_MODE"),
        "outbox_link": has_request_context() and delivery.may_read_outbox(current_user),
        "menu": _menu(),
    }


def _menu() -> list[dict]:
    """The menu entries of conf/menu.toml that the current user's profile may use."""
    if not has_request_context() or not current_user.is_authenticated:
        return []
    profile = current_user.profile.value
    return [e for e in current_app.config["MENU"] if profile in e.get("perfis", [profile])]


def local_datetime(moment: datetime | None) -> str:
    """Show a UTC instant in Brasília time, as 29/11/2026 14:05."""
    if moment is None:
        return "—"
    return moment.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M")


def file_size(size: int) -> str:
    """Show a byte count the Brazilian way: 1,5 MB."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            text = f"{size:.0f}" if unit == "bytes" else f"{size:.1f}".replace(".", ",")
            return f"{text} {unit}"
        size /= 1024
    return f"{size} GB"
