"""Praticar no portal: the guided tour's progress reports, on both sites.

The tour (demo/static/praticar.js) runs on every page of both sites and reports the step each
person reached; each site has its own login session, so each site has its own address for it.
"""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify, request, url_for
from flask_login import current_user

from ..errors import http_status
from ..services import guide
from ..services.errors import ServiceError
from ..sites import MAPA, current_site

bp = Blueprint("praticar", __name__)
#: The name of the mapa site's registration of this blueprint.
MAPA_NAME = "mapa_praticar"


@bp.post("/progresso")
def progresso():
    """The step reached (JSON; the CSRF token in the X-CSRFToken header)."""
    try:
        guide.record(current_user, guide.parse_report(request.get_json(silent=True)))
    except ServiceError as error:
        return jsonify({"erro": error.message}), http_status(error)
    return "", 204


def init_app(app: Flask) -> None:
    app.register_blueprint(bp, url_prefix="/praticar")
    app.register_blueprint(bp, url_prefix=f"{MAPA.prefix}/praticar", name=MAPA_NAME)

    @app.context_processor
    def _progress_address() -> dict:
        def address() -> str:
            name = MAPA_NAME if current_site() is MAPA else "praticar"
            return url_for(f"{name}.progresso")

        return {"tour_progress_url": address}
