"""Serve the portal under test on a free loopback port, in a thread of the build."""

from __future__ import annotations

import importlib
import inspect
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import datetime
from operator import attrgetter
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .errors import PassosError

WSGIApp = Callable[..., Any]


def load_object(dotted: str, option: str) -> Any:
    """Import ``module:attribute`` (or ``module.attribute``) named by a config value."""
    module_name, sep, attribute = dotted.partition(":")
    if not sep:
        module_name, _, attribute = dotted.rpartition(".")
    if not module_name or not attribute:
        raise PassosError(
            f"{option} = “{dotted}” deve ter a forma “módulo:função”, por exemplo “demo:create_app”"
        )
    try:
        module = importlib.import_module(module_name)
    except Exception as err:
        raise PassosError(
            f"não foi possível importar o módulo “{module_name}” indicado em "
            f"{option} = “{dotted}”: {type(err).__name__}: {err}"
        ) from err
    try:
        return attrgetter(attribute)(module)
    except AttributeError as err:
        raise PassosError(
            f"o módulo “{module_name}” não tem “{attribute}” ({option} = “{dotted}”)"
        ) from err


def create_portal(dotted: str, clock: datetime) -> WSGIApp:
    """Call the factory named by ``passos_app`` and return the WSGI app it builds.

    The factory must give a portal with fresh data. If it accepts a ``relogio``
    argument it receives the frozen instant of the build, so that the server's clock
    agrees with the page's.
    """
    if not dotted:
        raise PassosError(
            "defina passos_app no conf.py com a fábrica do portal, "
            "por exemplo passos_app = “demo:create_app”"
        )
    factory = load_object(dotted, "passos_app")
    if not callable(factory):
        raise PassosError(f"passos_app = “{dotted}” não é uma função")
    kwargs = {"relogio": clock} if _accepts(factory, "relogio") else {}
    try:
        app = factory(**kwargs)
    except Exception as err:
        raise PassosError(
            f"a fábrica do portal passos_app = “{dotted}” falhou: {type(err).__name__}: {err}"
        ) from err
    if not callable(app):
        raise PassosError(
            f"passos_app = “{dotted}” não devolveu uma aplicação WSGI "
            f"(devolveu {type(app).__name__})"
        )
    return app


def _accepts(function: Callable[..., Any], name: str) -> bool:
    try:
        return name in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


class _QuietRequestHandler(WSGIRequestHandler):
    """No access log: a replay makes hundreds of requests that say nothing to the reader."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@contextmanager
def serving(app: WSGIApp | Future[WSGIApp]) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 at a free port in a daemon thread; yield its base URL.

    ``app`` may be a future of the portal still being built: the port is bound at once
    (so that browser contexts can be opened with its URL) and requests wait for the
    portal. Then the caller checks the portal with :func:`wait_until_up` once built.
    """
    if isinstance(app, Future):
        building = app

        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            return building.result()(environ, start_response)

        check = False
    else:
        check = True
    try:
        server: BaseWSGIServer = make_server(
            "127.0.0.1", 0, app, threaded=True, request_handler=_QuietRequestHandler
        )
    except OSError as err:
        raise PassosError(
            f"não foi possível servir o portal de passos_app em 127.0.0.1: {err}"
        ) from err
    base_url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="passos-portal"
    )
    thread.daemon = True
    thread.start()
    try:
        if check:
            wait_until_up(base_url)
        yield base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def wait_until_up(base_url: str) -> None:
    """Any HTTP answer (even an error page) means the server is up."""
    try:
        with urllib.request.urlopen(base_url + "/", timeout=10):
            pass
    except urllib.error.HTTPError as err:
        err.close()
    except OSError as err:
        raise PassosError(f"o portal de passos_app não respondeu em {base_url}: {err}") from err
