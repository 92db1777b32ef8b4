"""Screens of one ticket. Every lookup goes through the visibility rule: 404 otherwise."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from ..atendimento.acting import act_from_form
from ..atendimento.forms import ActionForm
from ..errors import http_status, render_error
from ..forms import csrf_checked_by_form
from ..models import Ticket, TicketStatus
from ..services import attachments, categories, tasks, tickets
from ..services.errors import Conflict, NotFound, Problems, ServiceError
from .forms import TicketForm

bp = Blueprint("chamados", __name__, template_folder="templates")


@bp.route("/<number>/formulario", methods=["GET", "POST"])
@csrf_checked_by_form
def formulario(number: str):
    ticket = tickets.get_own(current_user, number)
    if ticket.status != TicketStatus.DRAFT:
        return redirect(url_for(".chamado", number=ticket.number))
    form = TicketForm()
    if request.method == "GET":
        _fill(form, ticket)
    status = 200
    if form.validate_on_submit():
        try:
            problems = _save(form, ticket)
        except Conflict as error:
            # Approved meanwhile (another tab, a double click): show what was sent.
            flash(error.message, "info")
            return redirect(url_for(".chamado", number=ticket.number))
        if problems is None:
            return redirect(url_for(".enviado", number=ticket.number))
        if not problems:
            removed = request.form.get("remover", type=int) is not None
            flash("Anexo removido." if removed else "Rascunho salvo.", "success")
            return redirect(url_for(".formulario", number=ticket.number))
        for problem in problems:
            getattr(form, problem.field or "descricao").errors.append(problem.message)
        status = max(http_status(problem) for problem in problems)
    elif form.errors:
        status = 400
    return _render_form(form, ticket, status)


def _save(form: TicketForm, ticket: Ticket) -> list[ServiceError] | None:
    """Save the typed text and the files, remove or approve; None once approved."""
    problems = tickets.save_draft(
        ticket,
        tickets.DraftInput(form.categoria.data, form.assunto.data, form.descricao.data),
    )
    # A client may send "anexos" as a plain field: only real uploads are files.
    uploads = [
        (f.stream, f.filename)
        for f in form.anexos.data or []
        if isinstance(f, FileStorage) and f.filename
    ]
    problems += tickets.add_attachments(ticket, current_user, uploads)
    removed = request.form.get("remover", type=int)
    if removed is not None:
        try:
            tickets.remove_attachment(ticket, removed)
        except NotFound as error:
            problems.append(error)
    if form.aprovar.data and not problems:
        try:
            tickets.approve(ticket, current_user)
        except Problems as refusal:
            return refusal.problems
        return None
    return problems


def _fill(form: TicketForm, ticket: Ticket) -> None:
    form.categoria.data = ticket.category_code
    form.assunto.data = ticket.subject
    form.descricao.data = ticket.description


def _render_form(form: TicketForm, ticket: Ticket, status: int):
    form.categoria.choices = [(c.code, c.name) for c in categories.all_categories()]
    return (
        render_template(
            "chamados/formulario.html",
            form=form,
            ticket=ticket,
            categories=categories.all_categories(),
            max_mb=attachments.max_bytes() // (1024 * 1024),
            max_count=attachments.max_count(),
        ),
        status,
    )


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error):
    """A body over MAX_CONTENT_LENGTH is never read: show the saved draft, not an error page."""
    if request.endpoint != "chamados.formulario" or not current_user.is_authenticated:
        return render_error(413)
    try:
        ticket = tickets.get_own(current_user, request.view_args.get("number", ""))
    except NotFound:
        return render_error(413)
    if ticket.status != TicketStatus.DRAFT:
        return render_error(413)
    form = TicketForm(formdata=None)  # the request's form would raise 413 again
    _fill(form, ticket)
    form.anexos.errors = [
        f"O envio ultrapassou o limite de {attachments.max_count()} arquivos de "
        f"{attachments.max_bytes() // (1024 * 1024)} MB e não foi recebido. "
        "O formulário abaixo mostra o rascunho salvo: confira o texto e anexe arquivos menores."
    ]
    return _render_form(form, ticket, 413)


@bp.get("/<number>/enviado")
def enviado(number: str):
    ticket = tickets.get_visible(current_user, number)
    if ticket.status == TicketStatus.DRAFT:
        return redirect(url_for(".formulario", number=ticket.number))
    return render_template("chamados/enviado.html", ticket=ticket, **_summary(ticket))


@bp.get("/<number>")
def chamado(number: str):
    ticket = tickets.get_visible(current_user, number)
    if ticket.status == TicketStatus.DRAFT:
        return redirect(url_for(".formulario", number=ticket.number))
    if tasks.requesters_turn(current_user, ticket):
        # The requester has something to do: show it first.
        return redirect(url_for(".status", number=ticket.number))
    return render_template("chamados/chamado.html", ticket=ticket, **_summary(ticket))


@bp.get("/<number>/status")
def status(number: str):
    ticket = tickets.get_visible(current_user, number)
    return _render_status(ticket, _requester_form(ticket))


@bp.post("/<number>/responder")
@csrf_checked_by_form
def responder(number: str):
    """The requester's task: answer a request for information, or validate the solution."""
    try:
        ticket = tasks.requester_task(current_user, number)
    except tasks.TaskMoved as moved:
        # A second click or an old tab: the answer was already recorded.
        flash(moved.message, "info")
        return redirect(url_for(".status", number=tickets.get_visible(current_user, number).number))
    form = ActionForm()
    if form.validate_on_submit():
        refusal = act_from_form(form, ticket)
        if refusal:
            return _render_status(ticket, form, http_status(refusal))
        flash("Ação registrada. O chamado seguiu para a próxima etapa.", "success")
        return redirect(url_for(".status", number=ticket.number))
    return _render_status(ticket, form, 400)


def _requester_form(ticket: Ticket) -> ActionForm | None:
    if not tasks.requesters_turn(current_user, ticket):
        return None
    return ActionForm(versao=ticket.version)


def _render_status(ticket: Ticket, action_form: ActionForm | None, code: int = 200):
    record = tasks.current_record(ticket)
    previous = [r for r in ticket.steps if r.finished_at is not None]
    return (
        render_template(
            "chamados/status.html",
            ticket=ticket,
            tab="status",
            history=tickets.history(ticket),
            notes=tickets.public_notes(ticket),
            action_form=action_form if tasks.requesters_turn(current_user, ticket) else None,
            requester_choices=tasks.choices(ticket) if record else [],
            last_comment=previous[-1].comment if previous else "",
            **_summary(ticket),
        ),
        code,
    )


@bp.get("/<number>/acessar")
def acessar(number: str):
    ticket = tickets.get_visible(current_user, number)
    return render_template(
        "chamados/acessar.html", ticket=ticket, tab="acessar", **_summary(ticket)
    )


@bp.get("/<number>/listagem")
def listagem(number: str):
    ticket = tickets.get_visible(current_user, number)
    return render_template(
        "chamados/listagem.html",
        ticket=ticket,
        tab="listagem",
        rows=tickets.consolidated_steps(ticket),
        **_summary(ticket),
    )


@bp.get("/<number>/fluxo")
def fluxo(number: str):
    ticket = tickets.get_visible(current_user, number)
    flow = tickets.flow(ticket)
    return render_template("chamados/fluxo.html", ticket=ticket, flow=flow, **_summary(ticket))


@bp.get("/<number>/fluxo.json")
def fluxo_dados(number: str):
    flow = tickets.flow(tickets.get_visible(current_user, number))
    return {"bpmn": flow.bpmn_xml, "concluidas": sorted(flow.completed), "atual": flow.current}


@bp.get("/<number>/anexos/<int:attachment_id>")
def anexo(number: str, attachment_id: int):
    ticket = tickets.get_visible(current_user, number)
    item = tickets.attachment_of(ticket, attachment_id)
    return send_file(
        attachments.path_of(item.stored_name),
        mimetype=item.content_type,
        as_attachment=True,
        download_name=item.original_name,
        max_age=0,
    )


def _summary(ticket: Ticket) -> dict:
    found = tickets.summary(ticket)
    return {"category": found.category, "step_name": found.step_name, "deadline": found.deadline}
