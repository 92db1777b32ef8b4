"""Screens of one ticket. Every lookup goes through the visibility rule: 404 otherwise."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from ..models import Ticket, TicketStatus
from ..services import attachments, categories, tickets, workflow
from .forms import TicketForm

bp = Blueprint("chamados", __name__, template_folder="templates")


def _visible_or_404(number: str) -> Ticket:
    ticket = tickets.get_visible(current_user, number)
    if ticket is None:
        abort(404)
    return ticket


@bp.route("/<number>/formulario", methods=["GET", "POST"])
def formulario(number: str):
    ticket = tickets.get_draft(current_user, number)
    if ticket is None:
        abort(404)
    if ticket.status != TicketStatus.DRAFT:
        return redirect(url_for(".chamado", number=ticket.number))
    form = TicketForm()
    form.categoria.choices = [(c.code, c.name) for c in categories.all_categories()]
    if request.method == "GET":
        form.categoria.data = ticket.category_code
        form.assunto.data = ticket.subject
        form.descricao.data = ticket.description
    status = 200
    if form.validate_on_submit():
        problems = tickets.save_draft(
            ticket,
            tickets.DraftInput(form.categoria.data, form.assunto.data, form.descricao.data),
        )
        uploads = [(f.stream, f.filename) for f in form.anexos.data or [] if f and f.filename]
        problems += tickets.add_attachments(ticket, current_user, uploads)
        removed = request.form.get("remover", type=int)
        if removed is not None:
            tickets.remove_attachment(ticket, removed)
        if form.aprovar.data and not problems:
            try:
                tickets.approve(ticket, current_user)
            except tickets.ApprovalRefused as refusal:
                problems = refusal.problems
            else:
                return redirect(url_for(".enviado", number=ticket.number))
        if not problems:
            flash("Anexo removido." if removed is not None else "Rascunho salvo.", "success")
            return redirect(url_for(".formulario", number=ticket.number))
        for problem in problems:
            getattr(form, problem.field or "descricao").errors.append(problem.message)
        status = max(problem.status for problem in problems)
    elif form.errors:
        status = 400
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


@bp.get("/<number>/enviado")
def enviado(number: str):
    ticket = _visible_or_404(number)
    return render_template("chamados/enviado.html", ticket=ticket, **_summary(ticket))


@bp.get("/<number>")
def chamado(number: str):
    ticket = _visible_or_404(number)
    if ticket.status == TicketStatus.DRAFT:
        return redirect(url_for(".formulario", number=ticket.number))
    return render_template("chamados/chamado.html", ticket=ticket, **_summary(ticket))


@bp.get("/<number>/status")
def status(number: str):
    ticket = _visible_or_404(number)
    return render_template(
        "chamados/status.html",
        ticket=ticket,
        tab="status",
        ticket_history=tickets.history(ticket),
        **_summary(ticket),
    )


@bp.get("/<number>/acessar")
def acessar(number: str):
    ticket = _visible_or_404(number)
    return render_template(
        "chamados/acessar.html", ticket=ticket, tab="acessar", **_summary(ticket)
    )


@bp.get("/<number>/listagem")
def listagem(number: str):
    ticket = _visible_or_404(number)
    return render_template(
        "chamados/listagem.html",
        ticket=ticket,
        tab="listagem",
        rows=tickets.consolidated_steps(ticket),
        **_summary(ticket),
    )


@bp.get("/<number>/fluxo")
def fluxo(number: str):
    ticket = _visible_or_404(number)
    process = tickets.process()
    done = set(workflow.completed_steps(process, ticket.process_state))
    steps = [
        (
            step,
            "atual" if step.id == ticket.current_step else "concluida" if step.id in done else "",
        )
        for step in process.steps
    ]
    return render_template("chamados/fluxo.html", ticket=ticket, steps=steps, **_summary(ticket))


@bp.get("/<number>/fluxo.json")
def fluxo_dados(number: str):
    ticket = _visible_or_404(number)
    process = tickets.process()
    return {
        "bpmn": process.bpmn_xml,
        "concluidas": sorted(set(workflow.completed_steps(process, ticket.process_state))),
        "atual": ticket.current_step,
    }


@bp.get("/<number>/anexos/<int:attachment_id>")
def anexo(number: str, attachment_id: int):
    ticket = _visible_or_404(number)
    item = next((a for a in ticket.attachments if a.id == attachment_id), None)
    if item is None or not attachments.path_of(item.stored_name).is_file():
        abort(404)
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
