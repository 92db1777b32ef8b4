"""Minha área of the mapa site."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from ..services import service_requests
from .forms import ProtocolSearchForm

bp = Blueprint("mapa", __name__, template_folder="templates")


@bp.get("/")
def minha_area():
    form = ProtocolSearchForm(request.args)
    searched = bool((form.protocolo.data or "").strip())
    requests = service_requests.for_user(current_user, form.protocolo.data or "")
    return render_template("mapa/minha_area.html", requests=requests, form=form, searched=searched)


# Capped at the database's INTEGER: a larger id is a 404 here, not an error in PostgreSQL.
@bp.get("/solicitacoes/<int(max=2147483647):request_id>")
def solicitacao(request_id: int):
    item = service_requests.get_own(current_user, request_id)
    return render_template("mapa/solicitacao.html", item=item)
