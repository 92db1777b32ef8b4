"""The services' objects as the API's documents (the schemas of schemas.py write them out).

Only data is copied here, with the API's Portuguese field names: every decision (what the caller
may see, what they may decide, how a deadline stands) was taken by the services.
"""

from __future__ import annotations

from ..models import Attachment, Note, Ticket, User
from ..services import categories, tasks, tickets, workflow


def category(item: categories.Category) -> dict:
    return {
        "codigo": item.code,
        "nome": item.name,
        "descricao": item.description,
        "horas": item.hours,
        "prazo": item.deadline_text,
    }


def _step(step_id: str | None) -> dict | None:
    if step_id is None:
        return None
    step = workflow.current_process().step(step_id)
    return {"id": step.id, "nome": step.name, "raia": step.lane}


def _deadline(ticket: Ticket) -> dict:
    found = tickets.deadline(ticket)
    return {
        "situacao": found.state.value,
        "vence_em": found.due_at,
        "horas": ticket.deadline_hours,
        "restante_segundos": None if found.left is None else int(found.left.total_seconds()),
    }


def ticket_summary(ticket: Ticket) -> dict:
    return {
        "numero": ticket.number,
        "situacao": ticket.status.value,
        "orgao": ticket.organization.acronym,
        "solicitante": ticket.requester.name,
        "categoria": ticket.category_code,
        "assunto": ticket.subject,
        "etapa": _step(ticket.current_step),
        "criado_em": ticket.created_at,
        "aberto_em": ticket.opened_at,
        "encerrado_em": ticket.closed_at,
        "prazo": _deadline(ticket),
        "versao": ticket.version,
    }


def actions(user: User, ticket: Ticket) -> list[dict]:
    return [
        {"decisao": c.value, "rotulo": c.label, "comentario_obrigatorio": c.comment_required}
        for c in tasks.actions_for(user, ticket)
    ]


def ticket(user: User, item: Ticket) -> dict:
    return {
        **ticket_summary(item),
        "descricao": item.description,
        "anexos": [attachment(a) for a in item.attachments],
        "acoes": actions(user, item),
    }


def page(found: tickets.Page) -> dict:
    return {
        "itens": [ticket_summary(t) for t in found.items],
        "pagina": found.page,
        "por_pagina": found.per_page,
        "total": found.total,
        "paginas": found.pages,
    }


def attachment(item: Attachment) -> dict:
    return {
        "id": item.id,
        "nome": item.original_name,
        "tipo": item.content_type,
        "tamanho": item.size,
        "sha256": item.sha256,
        "etapa": item.step,
        "enviado_em": item.uploaded_at,
        "enviado_por": item.uploaded_by.name,
    }


def history(user: User, item: Ticket) -> dict:
    notes = tickets.public_notes(item) + tickets.internal_notes(user, item)
    return {
        "etapas": [
            {
                "etapa": row.step_name,
                "quem": row.who,
                "inicio": row.started_at,
                "fim": row.finished_at,
                "duracao_segundos": int(row.duration.total_seconds()),
                "desfecho": row.outcome,
                "comentario": row.comment,
            }
            for row in tickets.history(item)
        ],
        "notas": [note(n) for n in sorted(notes, key=lambda n: n.id)],
    }


def note(item: Note) -> dict:
    return {
        "tipo": item.kind,
        "autor": item.author.name if item.author else None,
        "etapa": item.step,
        "texto": item.text,
        "criada_em": item.created_at,
    }


def flow(item: Ticket) -> dict:
    found = tickets.flow(item)
    return {
        "processo": workflow.current_process().name,
        "atual": found.current,
        "concluidas": sorted(found.completed),
        "etapas": [
            {"id": s.id, "nome": s.name, "raia": s.lane, "situacao": state or "pendente"}
            for s, state in found.steps
        ],
    }


def task(user: User, item: Ticket) -> dict:
    record = tasks.current_record(item)
    return {
        **ticket_summary(item),
        "grupo": tasks.current_lane(item),
        "responsavel": record.assignee.name if record and record.assignee else None,
        "acoes": actions(user, item),
    }
