"""Support groups (conf/equipes.toml): who works the tasks of each lane of the process."""

from __future__ import annotations

from flask import current_app

from ..config import read_toml
from ..models import Profile, User

#: The lane whose tasks belong to the ticket's own requester.
REQUESTER_LANE = "Solicitante"


def load(path: str = "equipes.toml") -> dict:
    """Parse the teams file: {"groups": {name: set(emails)}, "comment_required": set}."""
    data = read_toml(path)
    return {
        "groups": {
            group["nome"]: {email.lower() for email in group.get("membros", [])}
            for group in data.get("grupos", [])
        },
        "comment_required": set(data.get("regras", {}).get("comentario_obrigatorio", [])),
    }


def _teams() -> dict:
    return current_app.extensions["portal.teams"]


def is_support_team(user: User) -> bool:
    """Whether the user works on the support team's side (its screens, its internal notes)."""
    return user.profile in (Profile.AGENT, Profile.MANAGER)


def groups_of(user: User) -> set[str]:
    """The support groups a user works in (the gestor oversees all of them)."""
    groups = _teams()["groups"]
    if user.profile == Profile.MANAGER:
        return set(groups)
    if user.profile != Profile.AGENT:
        return set()
    return {name for name, members in groups.items() if user.email in members}


def group_names() -> list[str]:
    """The support groups, in the order of conf/equipes.toml."""
    return list(_teams()["groups"])


def members_of(group: str) -> set[str]:
    """E-mails of a group's members."""
    return set(_teams()["groups"].get(group, set()))


def comment_required(decision: str | None) -> bool:
    """Whether acting with this decision needs an explanation."""
    return decision in _teams()["comment_required"]
