"""The API's own documentation: the OpenAPI document (JSON and YAML) and its reference page.

None of it needs a token: an integrator reads the reference before having one.
"""

from __future__ import annotations

import yaml
from flask import Blueprint, Response, abort, jsonify, redirect, render_template, url_for

from ..errors import HTTP_KINDS
from ..services import attachments
from .base import response_name

bp = Blueprint("api_docs", __name__, template_folder="templates")


def errors_doc(*codes: int, **responses) -> dict:
    """The problem responses an operation may give (every one is a problem document)."""
    return {"responses": {**responses, **{str(code): response_name(code) for code in codes}}}


def file_response() -> dict:
    """A download: the file itself, of one of the types an attachment may have."""
    types = sorted(
        {kind for kinds in attachments.ACCEPTED.values() for kind in kinds if kind}
        | set(attachments.TEXT_TYPES.values())
    )
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "description": "O arquivo, com o nome original em Content-Disposition",
        "content": {kind: binary for kind in types},
    }


def _document() -> dict:
    from . import spec_document

    return spec_document()


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(_document())


@bp.get("/openapi.yaml")
def openapi_yaml():
    text = yaml.safe_dump(_document(), allow_unicode=True, sort_keys=False)
    return Response(text, mimetype="application/yaml")


@bp.get("/")
def inicio():
    return redirect(url_for(".referencia"))


@bp.get("/referencia")
def referencia():
    """The interactive reference (Swagger UI), served from the portal's own files."""
    return render_template("api/referencia.html")


@bp.get("/problemas/<kind>")
def problema(kind: str):
    """A problem type's URI leads to its explanation in the manual."""
    if kind not in set(HTTP_KINDS.values()):
        abort(404)
    return redirect(url_for("manual.pagina", filename="api.html", _anchor="problemas"))
