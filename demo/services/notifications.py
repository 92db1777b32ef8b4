"""E-mails about a ticket's life, in Portuguese, each carrying the número.

Called inside the transaction of the move they tell about: they commit with it or not at all.
"""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Ticket, User
from . import categories, mail, teams, workflow

#: What each event says: subject, first paragraph, and what the reader should do next.
EVENTS = {
    "nova_tarefa": (
        "nova tarefa na fila do {group}",
        "O chamado chegou à etapa “{step}”, na fila do {group}.",
        "Assuma a tarefa em Atendimento › Fila.",
    ),
    "andamento": (
        "andamento: {step}",
        "O seu chamado passou para a etapa “{step}” ({group}).",
        "Acompanhe em Minha Área › Selecionados.",
    ),
    "informacao": (
        "o suporte precisa de informações",
        "O suporte técnico pediu mais informações para continuar o atendimento.",
        "Abra o chamado e responda em “Sua ação”. O prazo continua contando.",
    ),
    "solucao": (
        "solução proposta: valide",
        "O suporte técnico propôs uma solução para o seu chamado.",
        "Abra o chamado e aceite a solução ou recuse-a explicando o motivo.",
    ),
    "recusa": (
        "solução recusada pelo solicitante",
        "O solicitante recusou a solução proposta; o chamado voltou para “{step}”.",
        "Leia o motivo abaixo e continue o atendimento em Atendimento › Fila.",
    ),
    "resposta": (
        "o solicitante respondeu",
        "O solicitante respondeu ao pedido de informações; o chamado voltou para “{step}”.",
        "Continue o atendimento em Atendimento › Fila.",
    ),
    "encerrado": (
        "encerrado",
        "O chamado foi encerrado após a validação da solução.",
        "Obrigado por usar o suporte técnico.",
    ),
}


def opened(ticket: Ticket, category: categories.Category) -> None:
    """After Aprovar: the requester's receipt, and the first group's new task."""
    _deliver(ticket.requester.email, "chamado_aberto", ticket=ticket, category=category)
    _to_group(ticket)


def moved(ticket: Ticket, actor: User, step: str, decision: str, comment: str) -> None:
    """After a task was completed: tell whoever must act next, and the requester."""
    if ticket.current_step is None:
        _send(ticket, [ticket.requester.email], "encerrado", comment)
        involved = {
            r.assignee.email for r in ticket.steps if r.assignee and r.assignee != ticket.requester
        }
        _send(ticket, sorted(involved), "encerrado", comment)
        return
    proc = workflow.current_process()
    lane = proc.step(ticket.current_step).lane
    if lane == teams.REQUESTER_LANE:
        # A requester's step with decisions is the validation of a solution (accept or
        # refuse); one without asks for information. The BPMN says which is which.
        event = "solucao" if proc.decisions(ticket.current_step) else "informacao"
        _send(ticket, [ticket.requester.email], event, comment)
        return
    if actor.id == ticket.requester_id:
        event = "recusa" if proc.decisions(step) else "resposta"
        _send(ticket, _group_emails(lane, ticket), event, comment)
        return
    _to_group(ticket, actor)
    _send(ticket, [ticket.requester.email], "andamento", comment)


def _to_group(ticket: Ticket, actor: User | None = None) -> None:
    """Tell the group of the current step that a task waits (not the one who sent it there)."""
    lane = (
        workflow.current_process().step(ticket.current_step).lane if ticket.current_step else None
    )
    if lane and lane != teams.REQUESTER_LANE:
        others = [
            email for email in _group_emails(lane, ticket) if actor is None or email != actor.email
        ]
        _send(ticket, others, "nova_tarefa", "")


def _group_emails(group: str, ticket: Ticket) -> list[str]:
    members = teams.members_of(group, ticket.organization_id)
    # Only accounts that exist: the teams file may name someone not created yet.
    found = db.session.scalars(select(User.email).where(User.email.in_(members)))
    return sorted(found)


def _send(ticket: Ticket, recipients: list[str], event: str, comment: str) -> None:
    step = workflow.current_process().step(ticket.current_step) if ticket.current_step else None
    values = {"step": step.name if step else "Encerrado", "group": step.lane if step else ""}
    subject, intro, hint = (text.format(**values) for text in EVENTS[event])
    for address in recipients:
        _deliver(
            address,
            "chamado_evento",
            ticket=ticket,
            subject=subject,
            intro=intro,
            hint=hint,
            comment=comment,
        )


def _deliver(address: str, template: str, **context) -> None:
    """Queue one notice in the move's transaction (the sender delivers it after the commit)."""
    mail.send(address, template, **context)
