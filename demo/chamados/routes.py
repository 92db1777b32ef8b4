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

from ..atendimento.acting import act_from_form, uploads
from ..atendimento.forms import ActionForm, CommentForm
from ..errors import http_status, render_error
from ..forms import csrf_checked_by_form
from ..models import Ticket, TicketStatus
from ..services import (
    attachments,
    categories,
    conversation,
    satisfaction,
    tasks,
    tickets,
)
from ..services.errors import Conflict, Invalid, NotFound, Problems, ServiceError
from .forms import DiscardForm, ReopenForm, TicketForm

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


@bp.route("/<number>/descartar", methods=["GET", "POST"])
def descartar(number: str):
    """Descartar rascunho: a confirmation page, then the draft is marked discarded."""
    ticket = tickets.get_own(current_user, number)
    if ticket.status != TicketStatus.DRAFT:
        return redirect(url_for(".chamado", number=ticket.number))
    form = DiscardForm()
    if form.validate_on_submit():
        try:
            tickets.discard_draft(ticket, current_user)
        except Conflict as error:
            flash(error.message, "info")
            return redirect(url_for(".chamado", number=ticket.number))
        flash(
            f"Rascunho {ticket.number} descartado. O número fica registrado como descartado e "
            "não será usado por outro chamado.",
            "success",
        )
        return redirect(url_for("minha_area.inicio"))
    return render_template("chamados/descartar.html", ticket=ticket, form=form)


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
    if ticket.status == TicketStatus.DISCARDED:
        return render_template("chamados/descartado.html", ticket=ticket)
    if tasks.requesters_turn(current_user, ticket):
        # The requester has something to do: show it first.
        return redirect(url_for(".status", number=ticket.number))
    return render_template("chamados/chamado.html", ticket=ticket, **_summary(ticket))


@bp.get("/<number>/status")
def status(number: str):
    ticket = _sent(number)
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
        decision = request.form.get("decisao", "")
        refusal = act_from_form(form, ticket)
        if refusal:
            return _render_status(ticket, form, code=http_status(refusal))
        flash(_done_message(ticket, decision), "success")
        return redirect(url_for(".status", number=ticket.number))
    return _render_status(ticket, form, code=400)


def _done_message(ticket: Ticket, decision: str) -> str:
    """What the requester reads once their action is recorded: where the ticket went."""
    if ticket.status == TicketStatus.CLOSED:
        thanks = " Obrigado pela avaliação." if ticket.rating else ""
        return f"Solução aceita: o chamado {ticket.number} foi encerrado.{thanks}"
    if decision == tasks.ANSWER:
        return f"Resposta enviada: o chamado voltou para “{tickets.step_name(ticket)}”."
    return f"Ação registrada: o chamado voltou para “{tickets.step_name(ticket)}”."


@bp.post("/<number>/comentar")
@csrf_checked_by_form
def comentar(number: str):
    """A comment by the requester, at any moment of an open ticket."""
    ticket = _sent(number)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            conversation.add_comment(ticket, current_user, form.comentario.data, uploads(form))
        except ServiceError as error:
            if http_status(error) == 404:
                raise
            if isinstance(error, Invalid):
                target = getattr(form, error.field or "comentario", None) or form.comentario
                target.errors = [*target.errors, error.message]
            else:  # closed meanwhile, or not theirs to comment on: said on top of the page
                flash(error.message, "danger")
            return _render_status(
                ticket, _requester_form(ticket), comment_form=form, code=http_status(error)
            )
        flash("Comentário enviado à equipe de suporte.", "success")
        return redirect(url_for(".status", number=ticket.number))
    return _render_status(ticket, _requester_form(ticket), comment_form=form, code=400)


@bp.post("/<number>/reabrir")
def reabrir(number: str):
    """Reabrir: the requester sends a closed ticket back to the team."""
    ticket = _sent(number)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            conversation.reopen(ticket, current_user, form.motivo.data, form.versao.data)
        except ServiceError as error:
            if http_status(error) == 404:
                raise
            if isinstance(error, tasks.TaskMoved):
                form.versao.data = ticket.version
                form.versao.raw_data = None
            if isinstance(error, Invalid):
                form.motivo.errors = [*form.motivo.errors, error.message]
            else:
                flash(error.message, "danger")
            return _render_status(ticket, None, reopen_form=form, code=http_status(error))
        flash(f"Chamado {ticket.number} reaberto: ele voltou para a equipe de suporte.", "success")
        return redirect(url_for(".status", number=ticket.number))
    return _render_status(ticket, None, reopen_form=form, code=400)


def _sent(number: str) -> Ticket:
    """A ticket already sent, that the user may see (drafts live in their form)."""
    ticket = tickets.get_visible(current_user, number)
    if ticket.status in tickets.PRIVATE:
        raise NotFound(tickets.NOT_FOUND)
    return ticket


def _requester_form(ticket: Ticket) -> ActionForm | None:
    if not tasks.requesters_turn(current_user, ticket):
        return None
    return ActionForm(versao=ticket.version)


def _render_status(
    ticket: Ticket,
    action_form: ActionForm | None,
    comment_form: CommentForm | None = None,
    reopen_form: ReopenForm | None = None,
    code: int = 200,
):
    record = tasks.current_record(ticket)
    previous = [r for r in ticket.steps if r.finished_at is not None]
    may_reopen = conversation.may_reopen(current_user, ticket)
    return (
        render_template(
            "chamados/status.html",
            ticket=ticket,
            tab="status",
            history=tickets.history(ticket),
            pauses=tickets.pauses(ticket),
            messages=conversation.thread(current_user, ticket),
            action_form=action_form if tasks.requesters_turn(current_user, ticket) else None,
            requester_choices=tasks.choices(ticket) if record else [],
            rating_labels=satisfaction.LABELS,
            last_comment=previous[-1].comment if previous else "",
            comment_form=comment_form or CommentForm(),
            may_comment=conversation.may_comment(current_user, ticket)
            and ticket.requester_id == current_user.id,
            reopen_form=reopen_form or (ReopenForm(versao=ticket.version) if may_reopen else None),
            may_reopen=may_reopen,
            reopen_until=conversation.reopen_until(ticket)
            if ticket.requester_id == current_user.id
            else None,
            **_summary(ticket),
        ),
        code,
    )


@bp.get("/<number>/acessar")
def acessar(number: str):
    ticket = _sent(number)
    return render_template(
        "chamados/acessar.html",
        ticket=ticket,
        tab="acessar",
        opening_files=tickets.opening_attachments(ticket),
        **_summary(ticket),
    )


@bp.get("/<number>/listagem")
def listagem(number: str):
    ticket = _sent(number)
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


#: The preview of a file is a document of its own that runs nothing and loads nothing.
PREVIEW_POLICY = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
#: A PDF needs the browser's own viewer, which a sandboxed document may not start.
PDF_PREVIEW_POLICY = "default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'"


@bp.get("/<number>/anexos/<int:attachment_id>")
def anexo(number: str, attachment_id: int):
    """An attachment, downloaded; with ?modo=ver an image or a PDF is shown in the browser."""
    ticket = tickets.get_visible(current_user, number)
    item = tickets.attachment_of(ticket, attachment_id)
    if request.args.get("modo") == "ver":
        try:
            content_type = attachments.preview_type(item)
        except Invalid as refusal:
            return render_error(415, refusal.message, title="Arquivo sem visualização")
        response = send_file(
            attachments.path_of(item.stored_name),
            mimetype=content_type,
            as_attachment=False,
            download_name=item.original_name,
            max_age=0,
        )
        response.headers["Content-Security-Policy"] = (
            PDF_PREVIEW_POLICY if content_type == "application/pdf" else PREVIEW_POLICY
        )
        return response
    return send_file(
        attachments.path_of(item.stored_name),
        mimetype=item.content_type,
        as_attachment=True,
        download_name=item.original_name,
        max_age=0,
    )


def _summary(ticket: Ticket) -> dict:
    found = tickets.summary(ticket)
    return {
        "category": found.category,
        "step_name": found.step_name,
        "deadline": found.deadline,
        "responsible": found.responsible,
    }
