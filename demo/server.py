"""gunicorn's settings for the portal (`flask --app demo servir`, which `make run` runs).

Workers and threads come from conf/portal.toml (SERVER_*), like every other setting. The
master process also starts the background process (e-mail delivery, clean-up) when it is
ready and stops it when it exits, so nobody has a second command to remember.
"""

from __future__ import annotations

import os
import subprocess
import sys

from demo.config import settings

_settings = settings()

wsgi_app = "demo:create_app()"
worker_class = "gthread"
workers = int(_settings["SERVER_WORKERS"])
threads = int(_settings["SERVER_THREADS"])
timeout = int(_settings["SERVER_TIMEOUT"])
graceful_timeout = 10
# People pause between clicks for longer than gunicorn's default 2 s: a connection closed just as
# a form is posted loses that POST (browsers do not always resend it). Idle kept-alive
# connections wait in gthread's poller, not in a thread.
keepalive = 75
# The portal alone decides which forwarded headers to believe (PROXY_HOPS, via ProxyFix).
forwarded_allow_ips = ""
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
proc_name = "portal-suporte"
# gunicorn's control socket lives at one fixed path per user: two portals on one machine
# (a class's and a test's) would fight over it, and the portal does not use it.
control_socket_disable = True

_background: list[subprocess.Popen] = []


def when_ready(server) -> None:
    """Start the background process once the server listens."""
    command = [sys.executable, "-m", "flask", "--app", "demo", "segundo-plano"]
    # It stops by itself if the server dies without a chance to stop it.
    environment = {**os.environ, "PORTAL_SERVER_PID": str(os.getpid())}
    _background.append(subprocess.Popen(command, env=environment))
    server.log.info("Processo de segundo plano iniciado (pid %s)", _background[-1].pid)


def on_exit(server) -> None:
    """Stop the background process with the server."""
    for process in _background:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
