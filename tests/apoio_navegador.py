"""Helpers of the browser tests: the system Chromium, and the portal served in a thread."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("PASSOS_CHROMIUM", "/usr/bin/chromium")
# Without the networking flags Chromium keeps trying hosts this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IN_CI = os.environ.get("PORTAL_TESTS_REQUIRE_POSTGRES") == "1"


def require_chromium() -> None:
    """Skip on a machine without Chromium or Playwright, but fail in CI."""
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"Chromium não encontrado em {CHROMIUM} (defina PASSOS_CHROMIUM)."
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "Playwright (Python) não está instalado."
    if reason and IN_CI:
        pytest.fail(reason)
    if reason:
        pytest.skip(reason)


@contextmanager
def served(app) -> Iterator[str]:
    """Serve the app on a free loopback port in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@contextmanager
def launched():
    """The system Chromium, headless, driven by Playwright."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def settle(page) -> None:
    """Wait for what a script draws after the load (the flow diagram, the API's reference)."""
    page.wait_for_load_state("load")
    if page.locator("#diagrama").count():
        page.locator("#diagrama[data-pronto=sim]").wait_for()
    if page.locator("#referencia").count():  # the API's reference, drawn by Swagger UI
        page.locator("#referencia[data-pronta=true] .opblock").first.wait_for()
