"""The support team's screens: the queue, the Chamados list, a ticket's page (its task, triage,
the conversation), the gestor's dashboard."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from ..errors import http_status
from ..forms import csrf_checked_by_form
from ..models import Ticket, TicketStatus
from ..services import (
    categories,
    clock,
    conversation,
    dashboard,
    satisfaction,
    search_text,
    tasks,
    teams,
    ticket_list,
    tickets,
    triage,
)
from ..services.errors import Invalid, Problems, ServiceError
from .acting import act_from_form, uploads
from .forms import (
    ActionForm,
    CategoryForm,
    CommentForm,
    NoteForm,
    ReassignForm,
    TakeBackForm,
    VersionForm,
)

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
        form=VersionForm(),
    )


# --- Chamados ------------------------------------------------------------------------------


@bp.get("/chamados")
def chamados():
    try:
        filters = ticket_list.parse(request.args)
        found = ticket_list.page(current_user, filters)
    except Problems as refusal:
        return _render_list(None, refusal.problems, 400)
    except Invalid as refusal:  # a page past the end
        return _render_list(None, [refusal], 400)
    return _render_list(found, [], 200)


@bp.get("/chamados.csv")
def exportar():
    try:
        filters = ticket_list.parse(request.args)
        total = ticket_list.check_export(current_user, filters)
    except Problems as refusal:
        return _render_list(None, refusal.problems, 400)
    except Invalid as refusal:
        return _render_list(None, [refusal], 400)
    name = f"chamados-{clock.now().astimezone(clock.LOCAL_ZONE):%Y-%m-%d}.csv"
    return Response(
        stream_with_context(ticket_list.export(current_user, filters)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Content-Type": "text/csv; charset=utf-8",
            "X-Total-Chamados": str(total),
        },
    )


def _render_list(found, problems: list[ServiceError], code: int):
    typed = {
        name: request.args.get(name, "")[: search_text.QUERY_MAX] for name in ticket_list.FIELDS
    }
    errors = {problem.field: problem.message for problem in problems}
    return (
        render_template(
            "atendimento/chamados.html",
            found=found,
            typed=typed,
            errors=errors,
            problems=problems,
            options=_list_options(),
            default_order=ticket_list.DEFAULT_ORDER,
            query_max=search_text.QUERY_MAX,
        ),
        code,
    )


def _list_options() -> dict[str, list[tuple[str, str]]]:
    """The (value, label) choices of each filter of the Chamados form."""
    found = ticket_list.choices(current_user)
    return {
        "situacao": list(ticket_list.STATES.items()),
        "etapa": [(step.id, step.name) for step in found.steps],
        "categoria": [(c.code, c.name) for c in found.categories],
        "orgao": [(org.acronym, f"{org.acronym} – {org.name}") for org in found.organizations],
        "grupo": [(group, group) for group in found.groups],
        "responsavel": [(ticket_list.NOBODY, "Ninguém (na fila)")]
        + [(person.email, person.name) for person in found.team],
        "prazo": list(ticket_list.DEADLINES.items()),
        "periodo": list(dashboard.PERIODS.items()),
        "avaliacao": [(ticket_list.ANY_RATING, "Com avaliação")]
        + [(str(value), f"{value} – {label}") for value, label in satisfaction.LABELS.items()],
        "ordem": list(ticket_list.ORDERS.items()),
    }


# --- one ticket ----------------------------------------------------------------------------


@bp.get("/<number>")
def tarefa(number: str):
    ticket = tickets.get_visible(current_user, number)
    return _render_task(ticket)


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
            return _render_task(ticket, {"form": form}, http_status(refusal))
        flash(f"Chamado {ticket.number}: ação registrada.", "success")
        return redirect(url_for(".fila"))
    return _render_task(ticket, {"form": form}, 400)


@bp.post("/<number>/nota")
def nota(number: str):
    # Internal notes are written on a task of one's own group (the page shows the form there).
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
    return _render_task(ticket, {"note_form": form}, 400)


@bp.post("/<number>/comentar")
@csrf_checked_by_form
def comentar(number: str):
    ticket = tickets.get_visible(current_user, number)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            conversation.add_comment(ticket, current_user, form.comentario.data, uploads(form))
        except ServiceError as error:
            if isinstance(error, Invalid):
                _field_error(form, error, "comentario")
            else:
                flash(error.message, "danger")
            return _render_task(ticket, {"comment_form": form}, http_status(error))
        flash("Comentário enviado ao solicitante.", "success")
        return redirect(url_for(".tarefa", number=ticket.number))
    return _render_task(ticket, {"comment_form": form}, 400)


@bp.post("/<number>/categoria")
def categoria(number: str):
    ticket = tickets.get_visible(current_user, number)
    form = CategoryForm()
    return _triage(
        ticket,
        form,
        "category_form",
        lambda: triage.change_category(
            ticket, current_user, form.categoria.data, form.motivo.data, form.versao.data
        ),
        "Categoria alterada; o prazo foi recalculado e o solicitante, avisado.",
    )


@bp.post("/<number>/reatribuir")
def reatribuir(number: str):
    ticket = tickets.get_visible(current_user, number)
    form = ReassignForm()
    return _triage(
        ticket,
        form,
        "reassign_form",
        lambda: triage.reassign(
            ticket,
            current_user,
            form.grupo.data,
            form.atendente.data,
            form.motivo.data,
            form.versao.data,
        ),
        "Tarefa reatribuída.",
    )


@bp.post("/<number>/retomar")
def retomar(number: str):
    ticket = tickets.get_visible(current_user, number)
    form = TakeBackForm()
    return _triage(
        ticket,
        form,
        "take_back_form",
        lambda: triage.take_back(ticket, current_user, form.motivo.data, form.versao.data),
        "Tarefa retomada: agora ela é sua.",
    )


def _triage(ticket: Ticket, form, name: str, action, success: str):
    if not form.validate_on_submit():
        return _render_task(ticket, {name: form}, 400)
    try:
        action()
    except tasks.TaskMoved as moved:
        flash(moved.message, "danger")
        form.versao.data = ticket.version
        form.versao.raw_data = None
        return _render_task(ticket, {name: form}, http_status(moved))
    except ServiceError as error:
        if http_status(error) == 404:
            raise
        if isinstance(error, Invalid):  # a field to fix, shown next to it
            _field_error(form, error, "motivo")
        else:  # not this person's to do, or no longer possible: said on top of the page
            flash(error.message, "danger")
        return _render_task(ticket, {name: form}, http_status(error))
    flash(success, "success")
    return redirect(url_for(".tarefa", number=ticket.number))


def _field_error(form, error: ServiceError, default: str) -> None:
    field = getattr(form, error.field or default, None) or getattr(form, default)
    field.errors = [*field.errors, error.message]


@bp.get("/painel")
def painel():
    report = dashboard.build(current_user, request.args.get("periodo", dashboard.DEFAULT_PERIOD))
    return render_template("atendimento/painel.html", report=report, labels=satisfaction.LABELS)


def _back_to(ticket):
    """The ticket's page, or the queue once the task is no longer this user's to see."""
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


def _render_task(ticket: Ticket, forms: dict | None = None, status: int = 200):
    record = tasks.current_record(ticket)
    holder = tasks.held_by_other(ticket, current_user)
    may_decide = tasks.may_decide(current_user, ticket)
    may_triage = triage.may_triage(current_user, ticket)
    can_act = tasks.can_act(current_user, ticket)
    awaiting_requester = tasks.current_lane(ticket) == teams.REQUESTER_LANE
    forms = forms or {}
    category_form = forms.get("category_form") or CategoryForm(versao=ticket.version)
    category_form.categoria.choices = [
        (c.code, c.name) for c in categories.all_categories() if c.code != ticket.category_code
    ]
    targets = triage.targets(ticket) if may_triage else []
    reassign_form = forms.get("reassign_form") or ReassignForm(
        versao=ticket.version, grupo=ticket.current_group
    )
    reassign_form.grupo.choices = [(t.group, t.group) for t in targets]
    reassign_form.atendente.choices = [("", "Ninguém: fica na fila do grupo")] + [
        (agent.email, f"{agent.name} ({target.group})")
        for target in targets
        for agent in target.agents
    ]
    return (
        render_template(
            "atendimento/tarefa.html",
            ticket=ticket,
            form=forms.get("form") or ActionForm(versao=ticket.version),
            note_form=forms.get("note_form") or NoteForm(),
            comment_form=forms.get("comment_form") or CommentForm(),
            category_form=category_form,
            reassign_form=reassign_form,
            take_back_form=forms.get("take_back_form") or TakeBackForm(versao=ticket.version),
            version_form=VersionForm(),
            choices=tasks.choices(ticket) if may_decide else [],
            can_act=can_act,
            team_task=can_act and not awaiting_requester,
            awaiting_requester=awaiting_requester,
            closed=ticket.status == TicketStatus.CLOSED,
            may_decide=may_decide,
            may_triage=may_triage,
            may_take_back=triage.may_take_back(current_user, ticket),
            may_comment=conversation.may_comment(current_user, ticket),
            holder=holder,
            record=record,
            mine=record is not None and record.assignee_id == current_user.id,
            messages=conversation.thread(current_user, ticket),
            history=tickets.history(ticket),
            pauses=tickets.pauses(ticket),
            **_summary(ticket),
        ),
        status,
    )


def _summary(ticket) -> dict:
    found = tickets.summary(ticket)
    return {
        "category": found.category,
        "step_name": found.step_name,
        "deadline": found.deadline,
        "responsible": found.responsible,
    }
