"""Minha Área and Selecionados."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from ..services import tasks, teams, tickets
from .forms import SearchForm

bp = Blueprint("minha_area", __name__, template_folder="templates")


@bp.get("/")
def inicio():
    submitted, drafts = tickets.mine(current_user)
    return render_template(
        "minha_area/inicio.html",
        submitted=[tickets.summary(t) for t in submitted],
        drafts=drafts,
        assigned=[tickets.summary(t) for t in tasks.assigned_to(current_user)],
        support_team=teams.is_support_team(current_user),
    )


@bp.get("/selecionados")
def selecionados():
    form = SearchForm(request.args)
    searched = "numero" in request.args
    found = tickets.search(current_user, form.numero.data or "") if searched else []
    results = [tickets.summary(t) for t in found]
    return render_template(
        "minha_area/selecionados.html", form=form, searched=searched, results=results
    )
