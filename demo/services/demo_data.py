"""Load the deterministic demo data of conf/demo.toml (trainers and screenshots use it)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from ..config import CONF_DIR, read_toml
from ..database import writing
from ..extensions import db
from ..models import Organization, Profile, ServiceRequest, User
from . import accounts, clock, conversation, tasks, tickets


def is_loaded() -> bool:
    """True when the database already has organisations (demo data or real ones)."""
    return bool(db.session.scalar(select(func.count()).select_from(Organization)))


def load(name: str = "demo.toml", with_tickets: bool = False) -> dict[str, int]:
    """Insert the demo organisations, users and service requests; return the counts.

    With `with_tickets`, also open and approve the demo tickets (through the same service
    a requester uses, so they carry a real process state and history).
    """
    data = read_toml(name)
    organizations = {}
    users = {}
    with writing():
        for item in data.get("orgaos", []):
            org = Organization(acronym=item["sigla"], name=item["nome"])
            db.session.add(org)
            organizations[item["sigla"]] = org
        for item in data.get("usuarios", []):
            user = User(
                email=item["email"].lower(),
                name=item["nome"],
                organization=organizations[item["orgao"]],
                profile=Profile(item["perfil"]),
            )
            if "senha" in item:
                accounts.set_password(user, item["senha"])
            else:
                # A documented temporary password, so trainers can show the first access.
                accounts.set_temporary_password(user, item["senha_temporaria"])
            db.session.add(user)
            users[user.email] = user
        for item in data.get("solicitacoes", []):
            db.session.add(
                ServiceRequest(
                    user=users[item["usuario"]],
                    protocol=item["protocolo"],
                    service=item["servico"],
                    status=item["situacao"],
                    opened_at=clock.parse_utc(item["aberta_em"]),
                )
            )
    opened = 0
    for item in data.get("chamados", []) if with_tickets else []:
        _ticket(item, users)
        opened += 1
    return {"orgaos": len(organizations), "usuarios": len(users), "chamados": opened}


def _ticket(item: dict, users: dict[str, User]) -> None:
    """One demo ticket: opened, then each of its steps, each at its own time before now.

    Everything goes through the services a person's clicks reach (the same rules, e-mails and
    history), the clock standing at the moment the demo data says.
    """
    base = clock.now()
    user = users[item["usuario"]]
    with clock.at(base - timedelta(minutes=item.get("aberto_ha_minutos", 0))):
        ticket = tickets.open_draft(user)
        tickets.save_draft(
            ticket, tickets.DraftInput(item["categoria"], item["assunto"], item["descricao"])
        )
        if item.get("anexos"):
            tickets.add_attachments(ticket, user, _files(item["anexos"]))
        tickets.approve(ticket, user)
    for step in item.get("passos", []):
        who = users[step["quem"]]
        with clock.at(base - timedelta(minutes=step.get("ha_minutos", 0))):
            current = tickets.get_visible(who, ticket.number)
            files = _files(step.get("anexos", []))
            if "decisao" in step:
                tasks.act(
                    current,
                    who,
                    step["decisao"],
                    step.get("comentario", ""),
                    current.version,
                    files,
                    rating=step.get("avaliacao"),
                )
            else:
                conversation.add_comment(current, who, step["comentario"], files)


def _files(names: list[str]) -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO((CONF_DIR / name).read_bytes()), Path(name).name) for name in names]
