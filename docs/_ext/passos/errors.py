"""Errors of the extension that stop a replay before any step runs."""

from __future__ import annotations

from sphinx.errors import SphinxError


class PassosError(SphinxError):
    """A setup problem (browser, portal, configuration); the message is in pt-BR."""

    category = "Erro nos passos"
