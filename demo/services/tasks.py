"""Moving a ticket through its process: the support team's tasks and the requester's answers.

Every move is one transaction: the conditional UPDATE of the ticket (on its version), the
end of the current step's record and the start of the next one. Two people acting on the
same task at once: the first wins, the second matches no row and is told the task moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import select, update

from ..database import writing
from ..extensions import db
from ..models import Note, StepRecord, Ticket, TicketStatus, User
from . import (
    attachments,
    clock,
    deadlines,
    notifications,
    satisfaction,
    teams,
    tickets,
    workflow,
)
from .errors import Conflict, Invalid, NotFound

COMMENT_MAX = 10_000
#: The requester's answer to a request for information (a step without a decision).
ANSWER = "responder"


TASK_NOT_FOUND = "Tarefa não encontrada."


class TaskMoved(Conflict):
    """Somebody else moved the ticket since the page was shown."""

    default_message = (
        "Este chamado já foi movido por outra pessoa enquanto você o via. "
        "Confira a situação atual antes de agir de novo."
    )


def current_lane(ticket: Ticket) -> str | None:
    """The group (a lane of the process, unless reassigned) whose task the ticket waits on."""
    if ticket.status != TicketStatus.OPEN or ticket.current_step is None:
        return None
    return ticket.current_group


def current_record(ticket: Ticket) -> StepRecord | None:
    """The open record of the current step."""
    return next((r for r in reversed(ticket.steps) if r.finished_at is None), None)


def can_act(user: User, ticket: Ticket) -> bool:
    """Whether the ticket's current task is this user's to do."""
    lane = current_lane(ticket)
    if lane is None:
        return False
    if lane == teams.REQUESTER_LANE:
        return ticket.requester_id == user.id
    return lane in teams.groups_of(user)


def requesters_turn(user: User, ticket: Ticket) -> bool:
    """Whether the current task is this user's own, as requester ("Sua ação" on Status).

    An agent whose group holds the task acts on the task page, never through this form.
    """
    return current_lane(ticket) == teams.REQUESTER_LANE and can_act(user, ticket)


def requester_task(user: User, number: str) -> Ticket:
    """The ticket whose current task is this requester's own (an answer, a validation).

    Another person's ticket is NotFound; the requester's own ticket whose turn has passed (a
    second click, an old tab, a script that answered already) is TaskMoved.
    """
    ticket = tickets.get_visible(user, number)
    if not requesters_turn(user, ticket):
        if ticket.requester_id != user.id:
            raise NotFound(tickets.NOT_FOUND)
        raise TaskMoved()
    return ticket


def queue(user: User) -> list[Ticket]:
    """Open tickets whose current task belongs to one of the user's groups, by deadline."""
    groups = teams.groups_of(user)
    if not groups:
        return []
    # Among the tickets the user may see: a class's team works its own tickets only, and the
    # real team never a class's.
    query = (
        tickets.visible(user)
        .where(Ticket.status == TicketStatus.OPEN, Ticket.current_group.in_(sorted(groups)))
        .order_by(Ticket.due_at, Ticket.id)
    )
    return list(db.session.scalars(query))


def task_for(user: User, number: str) -> Ticket:
    """The ticket whose current task the user may work on; 404 for anyone else."""
    ticket = tickets.get_visible(user, number)
    if not can_act(user, ticket):
        raise NotFound(TASK_NOT_FOUND)
    return ticket


def claim(ticket: Ticket, user: User, version: int) -> None:
    """Assumir: the current task becomes this agent's (unless a colleague already took it)."""
    if version != ticket.version:
        raise TaskMoved()
    record = current_record(ticket)
    if record.assignee_id not in (None, user.id):
        raise Conflict(
            f"Esta tarefa já foi assumida por {record.assignee.name}. "
            "Peça que ela seja liberada antes de assumi-la."
        )
    with writing():
        bump(ticket, version, current_assignee_id=user.id)
        current_record(ticket).assignee = user


def release(ticket: Ticket, user: User, version: int) -> None:
    """Liberar: give the task back to the group's queue."""
    if version != ticket.version:
        raise TaskMoved()
    record = current_record(ticket)
    if record.assignee_id != user.id:
        raise Conflict("Só quem assumiu a tarefa pode liberá-la.")
    with writing():
        bump(ticket, version, current_assignee_id=None)
        current_record(ticket).assignee = None


def may_decide(user: User, ticket: Ticket) -> bool:
    """Whether the user may decide the current task now: theirs to do, and not a colleague's.

    After a refused stale action the ticket may have left the user's groups; a task a colleague
    took is theirs to decide.
    """
    return can_act(user, ticket) and held_by_other(ticket, user) is None


def held_by_other(ticket: Ticket, user: User) -> str | None:
    """The name of the colleague who took (assumir) the current task, if not this user."""
    record = current_record(ticket)
    if record is None or record.assignee_id in (None, user.id):
        return None
    if current_lane(ticket) == teams.REQUESTER_LANE:
        return None
    return record.assignee.name


@dataclass(frozen=True)
class Choice:
    """A decision offered on the current task, with its button label."""

    value: str
    label: str
    comment_required: bool
    #: The decision closes the ticket (accepting a solution): it asks for a rating.
    closes: bool = False


def actions_for(user: User, ticket: Ticket) -> list[Choice]:
    """What this user may decide on the ticket now ([] when it is not their turn)."""
    return choices(ticket) if may_decide(user, ticket) else []


def choices(ticket: Ticket) -> list[Choice]:
    """What can be decided on the ticket's current step, read from the BPMN."""
    proc = workflow.current_process()
    step = ticket.current_step
    if step is None:
        return []
    values = proc.decisions(step) or [ANSWER]
    closing = set(proc.closing_decisions(step))
    return [
        Choice(
            value,
            proc.decision_label(step, value) if value != ANSWER else "Enviar resposta",
            teams.comment_required(value) or value == ANSWER,
            value in closing,
        )
        for value in values
    ]


def _missing_comment(ticket: Ticket, decision: str) -> Invalid:
    """Why a comment is needed, in the words of whoever is acting."""
    if decision == ANSWER:
        return Invalid("Escreva a sua resposta ao pedido de informações.", "comentario")
    if current_lane(ticket) == teams.REQUESTER_LANE:
        return Invalid(
            "Explique o motivo: o que ainda não funciona? A equipe de suporte vai ler.",
            "comentario",
        )
    return Invalid("Escreva um comentário: ele explica a ação a quem vai ler.", "comentario")


def check_rating(rating: int | str | None, closes: bool) -> int | None:
    """A rating of 1 to 5, only when the decision closes the ticket; None when not given.

    A rating typed as text (a form's value) is read as a whole number first.
    """
    if isinstance(rating, str):
        rating = rating.strip()
        if not rating:
            return None
        rating = int(rating) if rating.isdigit() and len(rating) < 3 else -1
    if rating is None:
        return None
    if not closes:
        raise Invalid("A avaliação só é pedida ao aceitar a solução.", "avaliacao")
    low, high = satisfaction.RATING_MIN, satisfaction.RATING_MAX
    if not isinstance(rating, int) or isinstance(rating, bool) or not low <= rating <= high:
        raise Invalid(f"A avaliação é uma nota de {low} a {high}: escolha uma delas.", "avaliacao")
    return rating


def act(
    ticket: Ticket,
    user: User,
    decision: str,
    comment: str,
    version: int,
    files: list[tuple[BinaryIO, str | None]] | None = None,
    rating: int | str | None = None,
) -> Ticket:
    """Complete the current task with a decision: the ticket moves on through the BPMN.

    Accepting a solution (a decision that ends the process) may carry a satisfaction rating.
    """
    if not can_act(user, ticket):
        raise NotFound(TASK_NOT_FOUND)
    # Judge the decision against the state the person saw, not a newer one.
    if version != ticket.version:
        raise TaskMoved()
    holder = held_by_other(ticket, user)
    if holder:
        raise Conflict(
            f"Esta tarefa foi assumida por {holder}. Peça que ela seja liberada antes de agir."
        )
    offered = {choice.value: choice for choice in choices(ticket)}
    if decision not in offered:
        raise Invalid("Ação inválida para a etapa atual.", "decisao")
    comment = (comment or "").strip()
    if offered[decision].comment_required and not comment:
        raise _missing_comment(ticket, decision)
    if len(comment) > COMMENT_MAX:
        raise Invalid(f"O comentário deve ter no máximo {COMMENT_MAX} caracteres.", "comentario")
    rating = check_rating(rating, offered[decision].closes)
    # The limit is per ticket, as on the form; the version check below keeps the count current.
    staged = stage_files(ticket, files or [])
    proc = workflow.current_process()
    step = ticket.current_step
    moment = clock.now()
    try:
        new_state = workflow.complete(
            proc, ticket.process_state, step, None if decision == ANSWER else decision, {}
        )
    except workflow.StepNotReady:
        # The state lives in its own row, read after the ticket's: when someone moved the
        # ticket in between, the state is already past `step`. The same race as a stale
        # version, and the same answer (bump's version check covers the other interleavings).
        raise TaskMoved() from None
    next_step = workflow.ready_step(proc, new_state)
    with attachments.placed_after_commit(staged):
        bump(
            ticket,
            version,
            process_state=new_state,
            current_step=next_step,
            status=TicketStatus.OPEN if next_step else TicketStatus.CLOSED,
            closed_at=None if next_step else moment,
        )
        record = current_record(ticket)
        record.finished_at = moment
        record.decision = decision
        record.comment = comment
        record.assignee = user  # who really acted
        if rating is not None:
            record.rating = rating
            ticket.rating = rating
        tickets.enter_step(ticket, proc, next_step, moment)
        waiting = next_step is not None and ticket.current_group == teams.REQUESTER_LANE
        deadlines.follow(ticket, waiting, moment)
        ticket.attachments.extend(
            attachments.row(item, user, step, step_record=record) for item in staged
        )
        # The notices commit with the move, or not at all.
        notifications.moved(ticket, user, step, decision, comment)
    return ticket


def add_note(ticket: Ticket, user: User, text: str) -> Note:
    """An internal note of the support team (never shown to the requester)."""
    text = (text or "").strip()
    if not text:
        raise Invalid("Escreva a nota interna.", "nota")
    if len(text) > COMMENT_MAX:
        raise Invalid(f"A nota deve ter no máximo {COMMENT_MAX} caracteres.", "nota")
    with writing():
        note = Note(
            ticket=ticket, author=user, kind=Note.INTERNAL, step=ticket.current_step, text=text
        )
        db.session.add(note)
    return note


def record_breaches() -> int:
    """Write a history note on each open ticket that passed its deadline; return how many.

    Every queue view calls this: it writes only when there is something new to write, and then
    marks each ticket with a conditional UPDATE, so that two views at once note a breach once.
    """
    moment = clock.now()
    query = select(Ticket.id).where(
        Ticket.status == TicketStatus.OPEN,
        deadlines.overdue(moment),
        Ticket.breached_at.is_(None),
    )
    if db.session.scalars(query.limit(1)).first() is None:
        return 0
    with writing():
        late = []
        for ticket_id in db.session.scalars(query).all():
            marked = db.session.execute(
                update(Ticket)
                .where(Ticket.id == ticket_id, Ticket.breached_at.is_(None))
                .values(breached_at=moment)
                .execution_options(synchronize_session=False)
            )
            if marked.rowcount == 1:
                late.append(db.session.get(Ticket, ticket_id))
        for ticket in late:
            when = ticket.due_at.astimezone(clock.LOCAL_ZONE).strftime("%d/%m/%Y %H:%M")
            db.session.add(
                Note(
                    ticket=ticket,
                    kind=Note.SYSTEM,
                    step=ticket.current_step,
                    text=f"Prazo de solução vencido em {when}.",
                )
            )
    return len(late)


def too_many_files(ticket: Ticket) -> Invalid:
    return Invalid(
        f"O chamado já tem {len(ticket.attachments)} anexo(s) e o limite é de "
        f"{attachments.max_count()} arquivos por chamado.",
        "anexos",
    )


def stage_files(
    ticket: Ticket, files: list[tuple[BinaryIO, str | None]]
) -> list[attachments.StagedFile]:
    """Check and copy a message's files, within the ticket's limit (refused as a whole)."""
    if files and len(ticket.attachments) + len(files) > attachments.max_count():
        raise too_many_files(ticket)
    return _stage(files)


def _stage(files: list[tuple[BinaryIO, str | None]]) -> list[attachments.StagedFile]:
    staged = []
    try:
        for stream, name in files:
            staged.append(attachments.stage(stream, name))
    except Invalid:
        for item in staged:
            item.discard()
        raise
    return staged


def bump(ticket: Ticket, version: int, **values) -> None:
    """Inside a write transaction: move the ticket only if nobody moved it since `version`.

    A stale version matches no row: TaskMoved, and the caller's transaction rolls back. A new
    `process_state` is written to its own table, in the same transaction.
    """
    state = values.pop("process_state", None)
    result = db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.version == version)
        .values(version=Ticket.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise TaskMoved()
    db.session.refresh(ticket)
    if state is not None:
        ticket.process_state = state


def assigned_to(user: User) -> list[Ticket]:
    """Open tickets whose current task this user has taken (assumir), by deadline."""
    query = (
        select(Ticket)
        .where(
            Ticket.status == TicketStatus.OPEN,
            Ticket.current_assignee_id == user.id,
            Ticket.current_group != teams.REQUESTER_LANE,
        )
        .order_by(Ticket.due_at, Ticket.id)
    )
    return list(db.session.scalars(query))
