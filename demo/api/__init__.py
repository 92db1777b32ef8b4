"""The integration API, /api/v1: a thin client of the same services as the screens.

flask-smorest builds the OpenAPI 3.1 document from the views' schemas; the portal serves it
(JSON and YAML) with an interactive reference page of its own (Swagger UI, from npm).
Callers identify themselves with a personal access token (`Authorization: Bearer`), never with
a cookie, so there is no CSRF to check. Refusals are RFC 9457 problem documents, written by
demo/errors.py like every other error of the portal.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request
from werkzeug.exceptions import UnsupportedMediaType

from ..extensions import csrf
from ..models import User
from ..services import api_tokens, attachments
from .base import PortalApi

PREFIX = "/api/v1"
#: The blueprints that authenticate on their own (demo/auth.py leaves them alone).
BLUEPRINTS = ("api_chamados", "api_tarefas", "api_categorias", "api_docs")
#: A JSON body larger than this is refused unread: the longest valid document (a description
#: of tickets.DESCRIPTION_MAX characters, each escaped as \\uXXXX) fits many times over.
JSON_MAX_BYTES = 256 * 1024
READING = ("GET", "HEAD", "OPTIONS")
#: What a request body may be: a JSON document, or a file upload.
BODY_TYPES = ("application/json", "multipart/form-data")

DESCRIPTION = """\
A API de integração do portal: abrir e acompanhar chamados a partir de outro sistema, com as
mesmas regras das telas. Cada pedido leva um token de acesso pessoal no cabeçalho
`Authorization: Bearer <token>` (criado em Minha Área › Tokens de acesso, ou com
`flask --app demo criar-token`). Os erros são documentos `application/problem+json`
(RFC 9457), com a mensagem em português.
"""


def user() -> User:
    """The owner of the token of the current API call."""
    return g.api_user


def init_app(app: Flask) -> None:
    """Register the API's blueprints, its specification and its reference page."""
    app.config.update(
        API_TITLE="API do Portal de Suporte Técnico",
        API_VERSION="1.0",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX=None,  # the portal serves the document itself (docs.py)
    )
    spec = {
        "info": {"description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "um token de acesso pessoal (pst_…)",
                }
            }
        },
        "security": [{"token": []}],
    }
    api = PortalApi(app, spec_kwargs=spec)
    app.extensions["portal.api"] = api

    from .categorias import bp as categorias_bp
    from .chamados import bp as chamados_bp
    from .docs import bp as docs_bp
    from .tarefas import bp as tarefas_bp

    for blueprint in (chamados_bp, tarefas_bp, categorias_bp):
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix=PREFIX)
    csrf.exempt(docs_bp)
    app.register_blueprint(docs_bp, url_prefix=PREFIX)


def authenticate() -> None:
    """Before every call of a resource: the token, its call counted, and its scope."""
    if request.mimetype == "application/json":
        request.max_content_length = JSON_MAX_BYTES
    else:
        # An upload: room for one file of the largest size, and its multipart framing.
        request.max_content_length = attachments.max_bytes() + 64 * 1024
    has_body = bool(request.content_length) or "chunked" in request.headers.get(
        "Transfer-Encoding", ""
    )
    if has_body and request.mimetype not in BODY_TYPES:
        # A body the API would not read (a form, plain text) must not pass for an empty one.
        raise UnsupportedMediaType()
    token = api_tokens.authenticate(api_tokens.bearer(request.headers.get("Authorization")))
    if request.method not in READING:
        api_tokens.require_write(token)
    g.api_token = token
    g.api_user = token.user


def spec_document() -> dict:
    """The OpenAPI document of the running app."""
    return current_app.extensions["portal.api"].spec.to_dict()


def build_document() -> dict:
    """The OpenAPI document without a running portal (the manual renders it at build time).

    The portal is built on an empty database in a folder of its own, read, and thrown away:
    the document depends on the code and on conf/, never on data.
    """
    import shutil
    import tempfile
    from pathlib import Path

    from .. import create_app
    from ..extensions import db

    folder = Path(tempfile.mkdtemp(prefix="portal-openapi-"))
    try:
        app = create_app(
            {
                "SECRET_KEY": "documento-openapi",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'portal.db'}",
            },
            instance_path=str(folder / "instance"),
        )
        with app.app_context():
            document = spec_document()
            db.engine.dispose()
        return document
    finally:
        shutil.rmtree(folder, ignore_errors=True)
