"""The conversation of a ticket: one thread of everything said on it, comments at any time,
and reopening a closed ticket.

The thread is read from what the ticket already records — the form, each pass through a step
(the request for information, the answer, the solution, its acceptance or refusal, with their
comments and their own files), the comments, the changes made in triage, the portal's own
notes — so it can never disagree with the history.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import BinaryIO

from flask import current_app

from ..database import writing
from ..extensions import db
from ..models import Attachment, Note, Profile, Ticket, TicketEvent, TicketStatus, User
from . import attachments, clock, deadlines, notifications, tasks, teams, tickets, workflow
from .errors import Conflict, Forbidden, Invalid

COMMENT_MAX = tasks.COMMENT_MAX


# --- comments ------------------------------------------------------------------------------


def may_comment(user: User, ticket: Ticket) -> bool:
    """Who comments on an open ticket: whoever opened it, and the support team."""
    if ticket.status != TicketStatus.OPEN:
        return False
    return ticket.requester_id == user.id or teams.is_support_team(user)


def add_comment(
    ticket: Ticket, user: User, text: str, files: list[tuple[BinaryIO, str | None]] | None = None
) -> Note:
    """A public comment, with its own files: the requester's is sent to the team working the
    ticket, the team's to the requester. It does not move the ticket."""
    if ticket.requester_id != user.id and not teams.is_support_team(user):
        raise Forbidden("Só quem abriu o chamado e a equipe de suporte comentam nele.")
    if ticket.status == TicketStatus.CLOSED:
        hint = " Para continuar o atendimento, reabra-o." if ticket.requester_id == user.id else ""
        raise Conflict(f"Este chamado está encerrado: não recebe mais comentários.{hint}")
    if ticket.status != TicketStatus.OPEN:
        raise Conflict("Este chamado ainda não foi enviado ao suporte.")
    text = (text or "").strip()
    if not text:
        raise Invalid("Escreva o comentário.", "comentario")
    if len(text) > COMMENT_MAX:
        raise Invalid(f"O comentário deve ter no máximo {COMMENT_MAX} caracteres.", "comentario")
    files = files or []
    staged = tasks.stage_files(ticket, files)
    with attachments.placed_after_commit(staged):
        # The ticket's row, held: the attachment limit is counted on what is there now.
        db.session.refresh(ticket, with_for_update=True)
        if len(ticket.attachments) + len(staged) > attachments.max_count():
            raise tasks.too_many_files(ticket)
        note = Note(
            ticket=ticket,
            author=user,
            kind=Note.PUBLIC,
            step=ticket.current_step,
            text=text,
            created_at=clock.now(),
        )
        db.session.add(note)
        step = ticket.current_step or ""
        ticket.attachments.extend(attachments.row(item, user, step, note=note) for item in staged)
        notifications.commented(ticket, user, note)
    return note


# --- reopening -----------------------------------------------------------------------------


def reopen_days() -> int:
    """How many days after closing the requester may reopen (conf: TICKET_REOPEN_DAYS)."""
    return int(current_app.config["TICKET_REOPEN_DAYS"])


def reopen_until(ticket: Ticket) -> datetime | None:
    """Until when a closed ticket may be reopened (None when it is not closed)."""
    if ticket.status != TicketStatus.CLOSED or ticket.closed_at is None:
        return None
    return ticket.closed_at + timedelta(days=reopen_days())


def may_reopen(user: User, ticket: Ticket) -> bool:
    """The requester, within the period after closing."""
    until = reopen_until(ticket)
    return until is not None and ticket.requester_id == user.id and clock.now() <= until


def reopen(ticket: Ticket, user: User, reason: str, version: int) -> Ticket:
    """Reabrir: the requester sends a closed ticket back to the team, with the reason.

    The process starts again (the form is the one already sent): the ticket returns to the first
    team step, and the deadline goes on from where it stood at closing.
    """
    if ticket.requester_id != user.id:
        raise Forbidden("Só quem abriu o chamado pode reabri-lo.")
    if ticket.status != TicketStatus.CLOSED:
        raise Conflict("Este chamado não está encerrado: não há o que reabrir.")
    if version != ticket.version:
        raise tasks.TaskMoved()
    until = reopen_until(ticket)
    if clock.now() > until:
        when = until.astimezone(clock.LOCAL_ZONE).strftime("%d/%m/%Y %H:%M")
        raise Conflict(
            f"O prazo para reabrir este chamado terminou em {when} ({reopen_days()} dias após o "
            "encerramento). Se o problema voltou, abra um novo chamado e cite este número."
        )
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Explique por que reabre o chamado: a equipe de suporte vai ler.", "motivo")
    if len(reason) > COMMENT_MAX:
        raise Invalid(f"O motivo deve ter no máximo {COMMENT_MAX} caracteres.", "motivo")
    proc = workflow.current_process()
    state = workflow.start(proc)
    opening = workflow.ready_step(proc, state)
    state = workflow.complete(proc, state, opening, None, {})
    step = workflow.ready_step(proc, state)
    moment = clock.now()
    closed_at = ticket.closed_at
    with writing():
        tasks.bump(
            ticket,
            version,
            process_state=state,
            status=TicketStatus.OPEN,
            closed_at=None,
            current_step=step,
        )
        deadlines.closed_interval(ticket, closed_at, moment)
        tickets.enter_step(ticket, proc, step, moment)
        event = TicketEvent(
            kind=TicketEvent.REOPENED,
            actor=user,
            created_at=moment,
            step=step,
            reason=reason,
            old_value="Encerrado",
            new_value=proc.step(step).name,
        )
        ticket.events.append(event)
        notifications.reopened(ticket, event)
    return ticket


# --- the thread ----------------------------------------------------------------------------


class Kind(enum.StrEnum):
    """What a message of the thread is (its presentation follows)."""

    OPENING = "abertura"
    STEP = "etapa"  # a pass through a step: a decision, an answer, with its comment
    COMMENT = "comentario"
    INTERNAL = "interna"  # the team's internal note
    CHANGE = "alteracao"  # a change made outside the process (category, owner, reopening)
    PORTAL = "portal"  # the portal's own note (a deadline passed)


@dataclass(frozen=True)
class Message:
    """One message of the thread, as the ticket's screens show it."""

    kind: Kind
    at: datetime
    author: str  # a person's name, or "Portal"
    role: str  # "Solicitante", a group's name, "Gestor"…
    step_name: str | None
    title: str  # what happened: "Abertura do chamado", "Solicitar informações", "Comentário"…
    text: str = ""
    rating: int | None = None
    files: list[Attachment] = field(default_factory=list)


#: How each change made outside the process is titled in the thread.
CHANGE_TITLES = {
    TicketEvent.CATEGORY: "Categoria alterada",
    TicketEvent.REASSIGNED: "Tarefa reatribuída",
    TicketEvent.TAKEN_BACK: "Tarefa retomada pelo gestor",
    TicketEvent.REOPENED: "Chamado reaberto",
}
#: Changes only the team reads (who holds a task is the team's business).
TEAM_ONLY_CHANGES = {TicketEvent.REASSIGNED, TicketEvent.TAKEN_BACK}


def thread(user: User, ticket: Ticket) -> list[Message]:
    """Everything said on the ticket, oldest first, as `user` may read it."""
    proc = workflow.current_process()
    team = teams.is_support_team(user)
    found: list[tuple[datetime, int, Message]] = []

    def add(order: int, message: Message) -> None:
        found.append((message.at, order, message))

    records = list(ticket.steps)
    if records and records[0].finished_at is not None:
        first = records[0]
        add(
            0,
            Message(
                Kind.OPENING,
                ticket.opened_at or first.finished_at,
                ticket.requester.name,
                _role(ticket, ticket.requester),
                first.step_name,
                "Abertura do chamado",
                ticket.description,
                files=tickets.opening_attachments(ticket),
            ),
        )
    for index, record in enumerate(records[1:], start=1):
        if record.finished_at is None or record.assignee is None:
            continue
        add(
            index,
            Message(
                Kind.STEP,
                record.finished_at,
                record.assignee.name,
                _role(ticket, record.assignee, record.group),
                record.step_name,
                _step_title(proc, record),
                record.comment,
                record.rating,
                list(record.attachments),
            ),
        )
    for note in ticket.notes:
        if note.kind == Note.INTERNAL and not team:
            continue
        kind = {Note.PUBLIC: Kind.COMMENT, Note.INTERNAL: Kind.INTERNAL}.get(note.kind, Kind.PORTAL)
        title = {
            Kind.COMMENT: "Comentário",
            Kind.INTERNAL: "Nota interna (só a equipe vê)",
            Kind.PORTAL: "Aviso do portal",
        }[kind]
        add(
            10_000 + note.id,
            Message(
                kind,
                note.created_at,
                note.author.name if note.author else "Portal",
                _role(ticket, note.author) if note.author else "",
                _name_of(proc, note.step),
                title,
                note.text,
                files=list(note.attachments),
            ),
        )
    for event in ticket.events:
        if event.kind in TEAM_ONLY_CHANGES and not team:
            continue
        add(
            20_000 + event.id,
            Message(
                Kind.CHANGE,
                event.created_at,
                event.actor.name if event.actor else "Portal",
                _role(ticket, event.actor) if event.actor else "",
                _name_of(proc, event.step),
                f"{CHANGE_TITLES.get(event.kind, event.kind)}: "
                f"{event.old_value} → {event.new_value}",
                event.reason,
            ),
        )
    found.sort(key=lambda item: (item[0], item[1]))
    return [message for _at, _order, message in found]


def _role(ticket: Ticket, person: User | None, group: str | None = None) -> str:
    if person is None:
        return ""
    if person.id == ticket.requester_id:
        return tickets.REQUESTER_GROUP
    if person.profile == Profile.MANAGER:
        return "Gestor"
    if group and group != tickets.REQUESTER_GROUP:
        return group
    mine = sorted(teams.groups_of(person))
    return ", ".join(mine) or "Equipe de suporte"


def _step_title(proc: workflow.Process, record) -> str:
    if record.decision == tasks.ANSWER:
        return "Resposta ao pedido de informações"
    if record.decision and record.decision in proc.decisions(record.step):
        return proc.decision_label(record.step, record.decision)
    return proc.completion_label(record.step) or "Etapa concluída"


def _name_of(proc: workflow.Process, step_id: str | None) -> str | None:
    if step_id is None:
        return None
    try:
        return proc.step(step_id).name
    except KeyError:
        return step_id
