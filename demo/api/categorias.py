"""categorias: what a ticket may be about, and its deadline (conf/categorias.toml)."""

from __future__ import annotations

from ..services import categories
from . import authenticate, present, schemas
from .base import Blueprint
from .docs import errors_doc

bp = Blueprint(
    "api_categorias",
    __name__,
    tag="categorias",
    description="As categorias de chamado e os seus prazos.",
)
bp.before_request(authenticate)


@bp.get("/categorias")
@bp.response(200, schemas.Category(many=True))
@bp.doc(**errors_doc(401, 429))
def lista():
    """As categorias, com o prazo de solução de cada uma (horas corridas)."""
    return [present.category(c) for c in categories.all_categories()]
