"""The support team's queue and task screens; the gestor's dashboard."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..errors import http_status
from ..forms import csrf_checked_by_form
from ..services import dashboard, tasks, teams, tickets
from ..services.errors import Invalid, ServiceError
from .acting import act_from_form
from .forms import ActionForm, NoteForm, VersionForm

bp = Blueprint("atendimento", __name__, template_folder="templates")


@bp.before_request
def _support_team_only():
    if not teams.is_support_team(current_user):
        abort(404)


@bp.get("/")
def fila():
    tasks.record_breaches()
    rows = [tickets.summary(t) for t in tasks.queue(current_user)]
    return render_template(
        "atendimento/fila.html",
        rows=rows,
        groups=sorted(teams.groups_of(current_user)),
        assignees={t.ticket.id: _assignee(t.ticket) for t in rows},
        form=VersionForm(),
    )


@bp.get("/<number>")
def tarefa(number: str):
    ticket = tasks.task_for(current_user, number)
    return _render_task(ticket, ActionForm(versao=ticket.version), NoteForm())


@bp.post("/<number>/assumir")
def assumir(number: str):
    ticket = tasks.task_for(current_user, number)
    form = VersionForm()
    if form.validate_on_submit():
        _attempt(lambda: tasks.claim(ticket, current_user, form.versao.data), "Tarefa assumida.")
    return _back_to(ticket)


@bp.post("/<number>/liberar")
def liberar(number: str):
    ticket = tasks.task_for(current_user, number)
    form = VersionForm()
    if form.validate_on_submit():
        _attempt(
            lambda: tasks.release(ticket, current_user, form.versao.data),
            "Tarefa devolvida à fila do grupo.",
        )
    return _back_to(ticket)


@bp.post("/<number>/acao")
@csrf_checked_by_form
def acao(number: str):
    ticket = tasks.task_for(current_user, number)
    form = ActionForm()
    if form.validate_on_submit():
        refusal = act_from_form(form, ticket)
        if refusal:
            return _render_task(ticket, form, NoteForm(), http_status(refusal))
        flash(f"Chamado {ticket.number}: ação registrada.", "success")
        return redirect(url_for(".fila"))
    return _render_task(ticket, form, NoteForm(), 400)


@bp.post("/<number>/nota")
def nota(number: str):
    # The note form is on the task page: the same rule as the page (another group's task, or
    # one waiting for the requester, stays invisible).
    ticket = tasks.task_for(current_user, number)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            tasks.add_note(ticket, current_user, form.nota.data)
        except Invalid as error:
            form.nota.errors.append(error.message)
        else:
            flash("Nota interna registrada.", "success")
            return redirect(url_for(".tarefa", number=ticket.number))
    return _render_task(ticket, ActionForm(versao=ticket.version), form, 400)


@bp.get("/painel")
def painel():
    report = dashboard.build(current_user, request.args.get("periodo", "30"))
    return render_template("atendimento/painel.html", report=report)


def _back_to(ticket):
    """The task page, or the queue once the task is no longer this user's to see."""
    if tasks.can_act(current_user, ticket):
        return redirect(url_for(".tarefa", number=ticket.number))
    return redirect(url_for(".fila"))


def _attempt(action, success: str) -> None:
    try:
        action()
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(success, "success")


def _assignee(ticket):
    record = tasks.current_record(ticket)
    return record.assignee.name if record and record.assignee else None


def _render_task(ticket, form, note_form, status: int = 200):
    record = tasks.current_record(ticket)
    holder = tasks.held_by_other(ticket, current_user)
    return (
        render_template(
            "atendimento/tarefa.html",
            ticket=ticket,
            form=form,
            note_form=note_form,
            choices=tasks.choices(ticket) if tasks.may_decide(current_user, ticket) else [],
            holder=holder,
            record=record,
            mine=record is not None and record.assignee_id == current_user.id,
            history=tickets.history(ticket),
            notes=tickets.public_notes(ticket),
            internal_notes=tickets.internal_notes(current_user, ticket),
            **_summary(ticket),
        ),
        status,
    )


def _summary(ticket) -> dict:
    found = tickets.summary(ticket)
    return {"category": found.category, "step_name": found.step_name, "deadline": found.deadline}
