"""Periodic clean-up: what nobody asks for but a portal running for months needs.

Run by the background process (`flask segundo-plano`, which `make run` starts) every
HOUSEKEEPING_INTERVAL_MINUTES, or by cron with `flask limpar`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from . import accounts, attachments, clock, tasks, throttling


@dataclass(frozen=True)
class Report:
    """What one clean-up did."""

    sessions_ended: int
    staged_removed: int
    counters_removed: int
    breaches: int


def run() -> Report:
    """End expired sessions, drop stale uploads and counters, record deadline breaches."""
    hours = float(current_app.config["STAGED_UPLOAD_MAX_HOURS"])
    return Report(
        sessions_ended=accounts.end_expired_sessions(),
        staged_removed=attachments.purge_staged(timedelta(hours=hours)),
        counters_removed=throttling.purge(clock.now()),
        breaches=tasks.record_breaches(),
    )
