"""The background process: delivers e-mail continuously and cleans up periodically.

`make run` starts it next to the web server (see demo/server.py); a deployment that prefers
cron runs `flask enviar-emails` and `flask limpar` instead.
"""

from __future__ import annotations

import os
import threading
import time

from flask import Flask

from .extensions import db
from .services import delivery, housekeeping


def run(app: Flask, stop: threading.Event, server_pid: int | None = None) -> None:
    """Loop until `stop` is set (or the server `server_pid` is gone); errors do not end it."""
    interval = float(app.config["BACKGROUND_INTERVAL_SECONDS"])
    every = float(app.config["HOUSEKEEPING_INTERVAL_MINUTES"]) * 60
    pause = interval
    next_cleanup = 0.0
    while not stop.is_set():
        if server_pid and os.getppid() != server_pid:
            app.logger.warning("O servidor terminou; o processo de segundo plano também.")
            return
        with app.app_context():
            try:
                report = delivery.deliver_due()
                pause = delivery.next_pause(report, pause, interval)
                if report.server_away:
                    app.logger.warning(
                        "E-mails na fila; nova tentativa em %.0f s: %s", pause, report.server_away
                    )
                if time.monotonic() >= next_cleanup:
                    housekeeping.run()
                    next_cleanup = time.monotonic() + every
            except Exception:  # the loop must outlive any single failure
                app.logger.exception("Falha no processo de segundo plano")
                pause = max(pause, interval)
            finally:
                db.session.remove()
        stop.wait(pause)
