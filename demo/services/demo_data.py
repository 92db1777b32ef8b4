"""Load the deterministic demo data of conf/demo.toml (trainers and screenshots use it)."""

from __future__ import annotations

from sqlalchemy import func, select

from ..config import read_toml
from ..database import writing
from ..extensions import db
from ..models import Organization, Profile, ServiceRequest, User
from . import accounts, clock, tickets


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
        user = users[item["usuario"]]
        ticket = tickets.open_draft(user)
        tickets.save_draft(
            ticket, tickets.DraftInput(item["categoria"], item["assunto"], item["descricao"])
        )
        tickets.approve(ticket, user)
        opened += 1
    return {"orgaos": len(organizations), "usuarios": len(users), "chamados": opened}
