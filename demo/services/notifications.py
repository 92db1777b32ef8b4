"""E-mails about a ticket's life, in Portuguese, each carrying the número and a link straight to
the ticket (the task page for the team, the ticket's Status for the requester).

Called inside the transaction of the move they tell about: they commit with it or not at all.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Note, Ticket, TicketEvent, User
from . import categories, deadlines, mail, satisfaction, teams, workflow

#: What each event says: subject, the paragraph above the comment (if any), and what the reader
#: should do next, above the link. Placeholders: {step}, {group}, {actor}, {old}, {new},
#: {rating}, {days}.
EVENTS = {
    "nova_tarefa": (
        "nova tarefa na fila do {group}",
        "O chamado chegou à etapa “{step}”, na fila do {group}.",
        "Abra a tarefa para assumi-la:",
    ),
    "andamento": (
        "passou para a etapa “{step}”",
        "O seu chamado passou para a etapa “{step}” ({group}).",
        "Acompanhe o atendimento no chamado:",
    ),
    "informacao": (
        "o suporte precisa de informações",
        "O suporte técnico pediu mais informações para continuar o atendimento:",
        "Responda em “Sua ação”, no chamado:",
    ),
    "solucao": (
        "solução proposta: valide",
        "O suporte técnico propôs uma solução para o seu chamado:",
        "Aceite a solução (e avalie o atendimento) ou recuse-a explicando o motivo, no chamado:",
    ),
    "recusa": (
        "solução recusada pelo solicitante",
        "O solicitante recusou a solução proposta. O motivo que ele escreveu:",
        "O chamado voltou para “{step}”: continue o atendimento na tarefa:",
    ),
    "resposta": (
        "o solicitante respondeu",
        "O solicitante respondeu ao pedido de informações:",
        "O chamado voltou para “{step}”: continue o atendimento na tarefa:",
    ),
    "encerrado": (
        "encerrado",
        "O chamado foi encerrado: você aceitou a solução proposta.",
        "Obrigado por usar o suporte técnico. Se o problema voltar, você pode reabrir o chamado "
        "em até {days} dias, pelo próprio chamado:",
    ),
    "encerrado_equipe": (
        "encerrado: solução aceita",
        "O solicitante aceitou a solução e o chamado foi encerrado.{rating}",
        "O histórico completo continua no chamado:",
    ),
    "comentario_equipe": (
        "novo comentário do solicitante",
        "O solicitante comentou o chamado:",
        "Veja o chamado:",
    ),
    "comentario_solicitante": (
        "novo comentário do suporte técnico",
        "A equipe de suporte técnico comentou o seu chamado:",
        "Veja o chamado (e responda com um comentário, se quiser):",
    ),
    "categoria": (
        "categoria alterada para {new}",
        "A equipe de suporte técnico mudou a categoria do seu chamado de “{old}” para “{new}”, "
        "com este motivo:",
        "O prazo de solução foi recalculado para a nova categoria. Acompanhe no chamado:",
    ),
    "reatribuido": (
        "tarefa reatribuída: {new}",
        "{actor} reatribuiu a tarefa “{step}” de {old} para {new}, com este motivo:",
        "Abra a tarefa:",
    ),
    "retomado": (
        "tarefa retomada pelo gestor",
        "{actor} retomou a tarefa “{step}”, que estava com você, com este motivo:",
        "Veja o chamado:",
    ),
    "reaberto": (
        "reaberto pelo solicitante",
        "O solicitante reabriu o chamado encerrado, com este motivo:",
        "O chamado voltou para “{step}”, na fila do {group}: abra a tarefa:",
    ),
}


def opened(ticket: Ticket, category: categories.Category) -> None:
    """After Aprovar: the requester's receipt, and the first group's new task."""
    _deliver(
        ticket.requester.email,
        "chamado_aberto",
        ticket=ticket,
        category=category,
        link=requester_link(ticket),
    )
    _to_group(ticket)


def moved(ticket: Ticket, actor: User, step: str, decision: str, comment: str) -> None:
    """After a task was completed: tell whoever must act next, and the requester."""
    if ticket.current_step is None:
        _send(ticket, [ticket.requester.email], "encerrado", comment)
        involved = {
            r.assignee.email for r in ticket.steps if r.assignee and r.assignee != ticket.requester
        }
        _send(ticket, sorted(involved), "encerrado_equipe", comment)
        return
    proc = workflow.current_process()
    group = ticket.current_group
    if group == teams.REQUESTER_LANE:
        # A requester's step with decisions is the validation of a solution (accept or
        # refuse); one without asks for information. The BPMN says which is which.
        event = "solucao" if proc.decisions(ticket.current_step) else "informacao"
        _send(ticket, [ticket.requester.email], event, comment)
        return
    if actor.id == ticket.requester_id:
        event = "recusa" if proc.decisions(step) else "resposta"
        _send(ticket, _group_emails(group, ticket), event, comment)
        return
    _to_group(ticket, actor)
    _send(ticket, [ticket.requester.email], "andamento", comment)


def commented(ticket: Ticket, author: User, note: Note) -> None:
    """A public comment: the requester's goes to the team working the ticket, the team's to
    the requester."""
    if author.id == ticket.requester_id:
        _send(ticket, _team_emails(ticket, exclude=author), "comentario_equipe", note.text)
    else:
        _send(ticket, [ticket.requester.email], "comentario_solicitante", note.text)


def category_changed(ticket: Ticket, actor: User, event: TicketEvent) -> None:
    """The requester learns the new category and its deadline."""
    _send(ticket, [ticket.requester.email], "categoria", event.reason, change=event)


def reassigned(ticket: Ticket, actor: User, agent: User | None, event: TicketEvent) -> None:
    """The agent (or the group) the task now belongs to."""
    recipients = [agent.email] if agent else _group_emails(ticket.current_group, ticket)
    recipients = [email for email in recipients if email != actor.email]
    _send(ticket, recipients, "reatribuido", event.reason, change=event, actor=actor)


def taken_back(ticket: Ticket, actor: User, former: User, event: TicketEvent) -> None:
    """The colleague whose task the gestor took over."""
    _send(ticket, [former.email], "retomado", event.reason, change=event, actor=actor)


def reopened(ticket: Ticket, event: TicketEvent) -> None:
    """The group that receives the reopened ticket."""
    _send(
        ticket, _group_emails(ticket.current_group, ticket), "reaberto", event.reason, change=event
    )


def requester_link(ticket: Ticket) -> str:
    """The ticket's Status, where the requester reads and acts."""
    return _address(f"/chamados/{ticket.number}/status")


def team_link(ticket: Ticket) -> str:
    """The ticket's page on the support team's side."""
    return _address(f"/atendimento/{ticket.number}")


def _address(path: str) -> str:
    return current_app.config["SUPPORT_SITE_URL"].rstrip("/") + path


def _to_group(ticket: Ticket, actor: User | None = None) -> None:
    """Tell the group of the current task that it waits (not the one who sent it there)."""
    group = ticket.current_group
    if group and group != teams.REQUESTER_LANE:
        others = [
            email for email in _group_emails(group, ticket) if actor is None or email != actor.email
        ]
        _send(ticket, others, "nova_tarefa", "")


def _team_emails(ticket: Ticket, exclude: User) -> list[str]:
    """Who on the team should read about the ticket now: whoever holds its task, or its
    group; while it waits on the requester, whoever asked (the last agent who acted)."""
    if ticket.current_group and ticket.current_group != teams.REQUESTER_LANE:
        holder = ticket.current_assignee
        emails = [holder.email] if holder else _group_emails(ticket.current_group, ticket)
    else:
        agents = [r.assignee for r in ticket.steps if r.assignee and r.assignee != ticket.requester]
        emails = [agents[-1].email] if agents else []
    return [email for email in emails if email != exclude.email]


def _group_emails(group: str | None, ticket: Ticket) -> list[str]:
    members = teams.members_of(group or "", ticket.organization_id)
    # Only accounts that exist: the teams file may name someone not created yet.
    found = db.session.scalars(select(User.email).where(User.email.in_(members)))
    return sorted(found)


def _send(
    ticket: Ticket,
    recipients: list[str],
    event: str,
    comment: str,
    change: TicketEvent | None = None,
    actor: User | None = None,
) -> None:
    step = workflow.current_process().step(ticket.current_step) if ticket.current_step else None
    values = {
        "step": step.name if step else "Encerrado",
        "group": ticket.current_group or "",
        "actor": actor.name if actor else "",
        "old": change.old_value if change else "",
        "new": change.new_value if change else "",
        "rating": (
            f" Avaliação do atendimento: {ticket.rating} de {satisfaction.RATING_MAX}."
            if ticket.rating
            else ""
        ),
        "days": current_app.config["TICKET_REOPEN_DAYS"],
    }
    subject, intro, hint = (text.format(**values) for text in EVENTS[event])
    to_requester = event in _TO_REQUESTER
    category = categories.get(ticket.category_code)
    deadline = deadlines.deadline(ticket)
    # Say that the clock may stop only while it still runs (a stopped one says so itself).
    running = deadline.state not in (deadlines.DeadlineState.PAUSED, deadlines.DeadlineState.CLOSED)
    for address in recipients:
        _deliver(
            address,
            "chamado_evento",
            ticket=ticket,
            subject=subject,
            intro=intro,
            hint=hint,
            comment=comment,
            link=requester_link(ticket) if to_requester else team_link(ticket),
            deadline=deadline,
            pause_note=bool(category and category.pauses and running),
        )


#: The events whose reader is the requester (their link is the ticket's Status).
_TO_REQUESTER = frozenset(
    {"andamento", "informacao", "solucao", "encerrado", "comentario_solicitante", "categoria"}
)


def _deliver(address: str, template: str, **context) -> None:
    """Queue one notice in the move's transaction (the sender delivers it after the commit)."""
    mail.send(address, template, **context)
