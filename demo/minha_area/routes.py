"""Minha Área and Selecionados."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from ..services import pagination, tasks, teams, tickets
from ..services.errors import Invalid
from .forms import SearchForm

bp = Blueprint("minha_area", __name__, template_folder="templates")


@bp.get("/")
def inicio():
    problems = []
    pages = {}
    for name in ("pagina", "rascunhos", "descartados"):
        try:
            pages[name] = pagination.page_number(request.args.get(name), name)
        except Invalid as error:
            problems.append(error)
            pages[name] = 1
    area = None
    if not problems:
        try:
            area = tickets.my_area(
                current_user, pages["pagina"], pages["rascunhos"], pages["descartados"]
            )
        except Invalid as error:  # a page past the end
            problems.append(error)
    if area is None:
        area = tickets.my_area(current_user)
    support_team = teams.is_support_team(current_user)
    return (
        render_template(
            "minha_area/inicio.html",
            area=area,
            awaiting=[tickets.summary(t) for t in area.awaiting],
            submitted=[tickets.summary(t) for t in area.submitted.items],
            assigned=[tickets.summary(t) for t in tasks.assigned_to(current_user)]
            if support_team
            else [],
            support_team=support_team,
            problems=problems,
        ),
        400 if problems else 200,
    )


@bp.get("/selecionados")
def selecionados():
    form = SearchForm(request.args)
    searched = "numero" in request.args
    results, problem = [], None
    if searched:
        try:
            results = [
                tickets.summary(t) for t in tickets.search_number(current_user, form.numero.data)
            ]
        except Invalid as refusal:
            problem = refusal.message
    return (
        render_template(
            "minha_area/selecionados.html",
            form=form,
            searched=searched,
            results=results,
            problem=problem,
        ),
        400 if problem else 200,
    )
