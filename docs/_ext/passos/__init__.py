"""passos: the executable steps of the manual.

Modelled on ``sphinx.ext.doctest``: the ``passo`` directive describes a step (its
sentence, read by :mod:`passos.grammar`, and its figure); the ``passos-captura`` and
``passos-verificacao`` builders replay every step in Chromium against a fresh portal and
capture or verify the figures. The HTML build never starts a browser.
"""

from __future__ import annotations

import os
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.typing import ExtensionMetadata

from .builders import CaptureBuilder, VerifyBuilder
from .directives import PassoDirective, SessaoDirective, refusals

__version__ = "1.0"


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value(
        "passos_app",
        "",
        "",
        types=frozenset({str}),
        description='"module:callable" returning the WSGI portal with fresh data',
    )
    app.add_config_value(
        "passos_entrar",
        "",
        "",
        types=frozenset({str}),
        description='"module:callable" (page, base_url, usuario, senha) that logs in',
    )
    app.add_config_value(
        "passos_relogio",
        "2025-01-15T10:00:00-03:00",
        "",
        types=frozenset({str}),
        description="ISO instant at which the page (and a willing portal) is frozen",
    )
    app.add_config_value(
        "passos_viewport",
        (1280, 800),
        "",
        types=frozenset({tuple, list}),
        description="browser viewport (width, height) in CSS pixels",
    )
    app.add_config_value(
        "passos_espera",
        5000,
        "",
        types=frozenset({int}),
        description="milliseconds to wait for a label to appear on the screen",
    )
    app.add_config_value(
        "passos_tolerancia",
        0.0,
        "",
        types=frozenset({float, int}),
        description="fraction of pixels that may differ before a figure has drifted",
    )
    app.add_config_value(
        "passos_paralelo",
        os.cpu_count() or 1,
        "",
        types=frozenset({int}),
        description="documents replayed at once, each on its own fresh portal (one Chromium)",
    )
    app.add_directive("passo", PassoDirective)
    app.add_directive("passos-sessao", SessaoDirective)
    app.add_builder(CaptureBuilder)
    app.add_builder(VerifyBuilder)
    app.connect("builder-inited", _quiet_missing_figures)
    app.connect("env-get-outdated", _reread_refused)
    app.connect("env-purge-doc", _purge_refusals)
    app.connect("env-merge-info", _merge_refusals)
    app.connect("build-finished", _set_exit_status)
    return {
        "version": __version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }


def _quiet_missing_figures(app: Sphinx) -> None:
    # The replay builders create the figures: their absence is expected there. The HTML
    # build keeps Sphinx's warning, so a manual is never published without its figures.
    if app.builder.name in (CaptureBuilder.name, VerifyBuilder.name):
        app.config.suppress_warnings = [*app.config.suppress_warnings, "image.not_readable"]


def _reread_refused(
    app: Sphinx, env: BuildEnvironment, added: Any, changed: Any, removed: Any
) -> list[str]:
    # A refused sentence must fail every build until fixed, not only the first one.
    return [docname for docname in refusals(env) if docname not in removed]


def _purge_refusals(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    refusals(env).pop(docname, None)


def _merge_refusals(
    app: Sphinx, env: BuildEnvironment, docnames: Any, other: BuildEnvironment
) -> None:
    found = refusals(env)
    for docname, count in refusals(other).items():
        if docname in docnames:
            found[docname] = count


def _set_exit_status(app: Sphinx, exception: Exception | None) -> None:
    # Refused sentences and failed steps fail the build even without -W.
    if exception is not None:
        return
    if getattr(app.builder, "passos_failed", False) or refusals(app.env):
        app.statuscode = 1
