"""Minha Área, Selecionados and the API's personal access tokens."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..services import api_tokens, pagination, tasks, teams, tickets
from ..services.errors import Invalid, Problems
from .forms import RevokeForm, SearchForm, TokenForm

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


@bp.route("/tokens", methods=["GET", "POST"])
def tokens():
    """Tokens de acesso: create one (shown once, on this answer only) and list them."""
    form = TokenForm()
    if request.method == "GET":
        form.validade.data = str(api_tokens.default_days())
    created = None
    status = 200
    if form.validate_on_submit():
        try:
            created = api_tokens.create(
                current_user, form.nome.data, form.escopo.data, form.validade.data
            )
        except Problems as refusal:
            for problem in refusal.problems:
                getattr(form, problem.field).errors.append(problem.message)
            status = 400
        else:
            form = TokenForm(formdata=None, validade=str(api_tokens.default_days()))
    elif form.errors:
        status = 400
    return _render_tokens(form, created, status)


@bp.post("/tokens/<int:token_id>/revogar")
def revogar(token_id: int):
    if RevokeForm().validate_on_submit():
        token = api_tokens.revoke(current_user, token_id)
        flash(f"Token “{token.name}” revogado: ele não abre mais a API.", "success")
    return redirect(url_for(".tokens"))


def _render_tokens(form, created, status: int):
    found = api_tokens.tokens_of(current_user)
    return (
        render_template(
            "minha_area/tokens.html",
            form=form,
            created=created,
            tokens=[(token, api_tokens.state(token)) for token in found],
            revoke_form=RevokeForm(),
            max_days=api_tokens.max_days(),
        ),
        status,
    )
