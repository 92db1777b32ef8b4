"""Headers every answer carries: a strict Content-Security-Policy, HSTS, and no caching of
anything behind the login.
"""

from __future__ import annotations

from flask import Flask, current_app, request

#: No inline script or style anywhere (the portal, bpmn-js and the manual all load files).
#: bpmn-js draws its watermark from a data: image; the fonts are the portal's own files.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"
#: Files that are the same for everyone: they may be cached.
PUBLIC_FILES = {"static", "vendor"}


def init_app(app: Flask) -> None:
    """Install the headers on every response."""
    app.after_request(_headers)


def _headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    # Downloads must never be sniffed into HTML.
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    # Production, as for the Secure cookie (development and tests speak plain HTTP).
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers.setdefault("Strict-Transport-Security", HSTS)
    endpoint = request.endpoint or ""
    blueprint = endpoint.rpartition(".")[0]
    if endpoint not in PUBLIC_FILES and blueprint != "manual":
        # Pages behind the login (and the login itself) are never kept by a browser or proxy:
        # the back button after "Sair" must not show them.
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    return response
