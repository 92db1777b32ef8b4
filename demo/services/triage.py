"""Triage and ownership: a ticket's category changed, its task reassigned or taken back.

Each change is a move of the ticket (its version bumped, so a stale page is refused), written
with who made it, when and why (a TicketEvent), and told by e-mail to whom it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..database import writing
from ..extensions import db
from ..models import Profile, Ticket, TicketEvent, TicketStatus, User
from . import categories, clock, deadlines, notifications, tasks, teams
from .errors import Conflict, Forbidden, Invalid, NotFound

REASON_MAX = tasks.COMMENT_MAX


def may_triage(user: User, ticket: Ticket) -> bool:
    """Who may change the category or reassign: the gestor on any open ticket; an agent on a
    task of their group that no colleague has taken."""
    if ticket.status != TicketStatus.OPEN or not teams.is_support_team(user):
        return False
    if user.profile == Profile.MANAGER:
        return True
    return tasks.can_act(user, ticket) and tasks.held_by_other(ticket, user) is None


def may_take_back(user: User, ticket: Ticket) -> bool:
    """The gestor may take back a task a colleague holds."""
    return user.profile == Profile.MANAGER and tasks.held_by_other(ticket, user) is not None


@dataclass(frozen=True)
class Target:
    """Someone a task can be reassigned to: a group, and perhaps one of its agents."""

    group: str
    agents: list[User]


def targets(ticket: Ticket) -> list[Target]:
    """The support groups, each with the agent accounts among its members (the class's own
    members for a class's ticket: a sandbox's task never goes to the real team)."""
    found = []
    for group in teams.group_names():
        members = teams.members_of(group, ticket.organization_id)
        agents = list(
            db.session.scalars(
                select(User)
                .where(User.email.in_(members), User.profile == Profile.AGENT)
                .order_by(User.name)
            )
        )
        found.append(Target(group, agents))
    return found


def change_category(ticket: Ticket, user: User, code: str, reason: str, version: int) -> Ticket:
    """Change the category: the deadline is recomputed from the opening with the new hours."""
    if not may_triage(user, ticket):
        raise _not_yours(ticket)
    if version != ticket.version:
        raise tasks.TaskMoved()
    category = categories.get((code or "").strip())
    if category is None:
        raise Invalid("Categoria desconhecida: escolha uma das opções.", "categoria")
    if category.code == ticket.category_code:
        raise Invalid(f"O chamado já está na categoria “{category.name}”.", "categoria")
    reason = _reason(reason)
    old = categories.get(ticket.category_code)
    moment = clock.now()
    with writing():
        tasks.bump(ticket, version, category_code=category.code)
        deadlines.change_hours(ticket, category.hours, moment)
        waiting = ticket.current_group == teams.REQUESTER_LANE
        deadlines.follow(ticket, waiting, moment)
        event = _event(
            ticket, user, TicketEvent.CATEGORY, reason, old.name if old else "—", category.name
        )
        notifications.category_changed(ticket, user, event)
    return ticket


def reassign(
    ticket: Ticket, user: User, group: str, agent_email: str | None, reason: str, version: int
) -> Ticket:
    """Reassign the current task to another group, or to one agent of a group."""
    if not may_triage(user, ticket):
        raise _not_yours(ticket)
    if version != ticket.version:
        raise tasks.TaskMoved()
    if ticket.current_group == teams.REQUESTER_LANE:
        raise Invalid(
            "O chamado aguarda o solicitante: não há tarefa da equipe para reatribuir.", "grupo"
        )
    group = (group or "").strip()
    if group not in teams.group_names():
        raise Invalid("Grupo desconhecido: escolha um dos grupos de suporte.", "grupo")
    agent = None
    email = (agent_email or "").strip().lower()
    if email:
        agent = db.session.scalar(select(User).where(User.email == email))
        if (
            agent is None
            or agent.profile != Profile.AGENT
            or email not in teams.members_of(group, ticket.organization_id)
        ):
            raise Invalid(
                f"{agent.name if agent else email} não é atendente do grupo {group}: "
                "escolha alguém do grupo ou deixe o chamado na fila do grupo.",
                "atendente",
            )
    record = tasks.current_record(ticket)
    if group == ticket.current_group and (agent.id if agent else None) == record.assignee_id:
        raise Invalid("O chamado já está com esse grupo e esse responsável.", "grupo")
    reason = _reason(reason)
    before = _holder_text(ticket.current_group, record.assignee)
    with writing():
        tasks.bump(
            ticket, version, current_group=group, current_assignee_id=agent.id if agent else None
        )
        record = tasks.current_record(ticket)
        record.group = group
        record.assignee = agent
        event = _event(
            ticket, user, TicketEvent.REASSIGNED, reason, before, _holder_text(group, agent)
        )
        notifications.reassigned(ticket, user, agent, event)
    return ticket


def take_back(ticket: Ticket, user: User, reason: str, version: int) -> Ticket:
    """Retomar: the gestor takes over a task a colleague holds."""
    if not may_take_back(user, ticket):
        if user.profile != Profile.MANAGER:
            raise Forbidden("Só o gestor retoma uma tarefa assumida por outra pessoa.")
        raise Conflict("Esta tarefa não está assumida por outra pessoa: não há o que retomar.")
    if version != ticket.version:
        raise tasks.TaskMoved()
    reason = _reason(reason)
    record = tasks.current_record(ticket)
    former = record.assignee
    with writing():
        tasks.bump(ticket, version, current_assignee_id=user.id)
        tasks.current_record(ticket).assignee = user
        event = _event(ticket, user, TicketEvent.TAKEN_BACK, reason, former.name, user.name)
        notifications.taken_back(ticket, user, former, event)
    return ticket


def _not_yours(ticket: Ticket) -> Exception:
    if ticket.status != TicketStatus.OPEN:
        return Conflict("Este chamado não está em atendimento: não há o que ajustar.")
    return NotFound(tasks.TASK_NOT_FOUND)


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Escreva o motivo: ele fica no histórico do chamado.", "motivo")
    if len(reason) > REASON_MAX:
        raise Invalid(f"O motivo deve ter no máximo {REASON_MAX} caracteres.", "motivo")
    return reason


def _holder_text(group: str | None, agent: User | None) -> str:
    return f"{group} ({agent.name})" if agent else (group or "—")


def _event(ticket, user, kind, reason, old, new) -> TicketEvent:
    event = TicketEvent(
        kind=kind,
        actor=user,
        created_at=clock.now(),
        step=ticket.current_step,
        reason=reason,
        old_value=old[:300],
        new_value=new[:300],
    )
    ticket.events.append(event)
    return event
