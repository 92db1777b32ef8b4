"""Support groups (conf/equipes.toml): who works the tasks of each lane of the process."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from ..config import read_toml
from ..extensions import db
from ..models import Classroom, GroupMembership, Profile, User

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
    """The support groups a user works in (the gestor oversees all of them).

    A class's trainees work in the class's own groups (the database), everyone else in those
    of conf/equipes.toml; the names are the lanes of the process either way.
    """
    if user.profile not in (Profile.AGENT, Profile.MANAGER):
        return set()
    groups = _teams()["groups"]
    in_class = user.organization is not None and user.organization.classroom is not None
    if user.profile == Profile.MANAGER:
        return set(groups) | (_class_lanes() if in_class else set())
    if in_class:
        query = select(GroupMembership.lane).where(GroupMembership.user_id == user.id)
        return set(db.session.scalars(query))
    return {name for name, members in groups.items() if user.email in members}


def group_names() -> list[str]:
    """The support groups, in the order of conf/equipes.toml."""
    return list(_teams()["groups"])


def _class_lanes() -> set[str]:
    from . import workflow

    return {
        step.lane
        for step in workflow.current_process().steps
        if step.lane and step.lane != REQUESTER_LANE
    }


def members_of(group: str, organization_id: int | None = None) -> set[str]:
    """E-mails of a group's members: of a class's group when the órgão is a class."""
    if organization_id is not None and db.session.scalar(
        select(Classroom.id).where(Classroom.organization_id == organization_id)
    ):
        return set(
            db.session.scalars(
                select(User.email)
                .join(GroupMembership, GroupMembership.user_id == User.id)
                .where(
                    GroupMembership.organization_id == organization_id,
                    GroupMembership.lane == group,
                )
            )
        )
    return set(_teams()["groups"].get(group, set()))


def comment_required(decision: str | None) -> bool:
    """Whether acting with this decision needs an explanation."""
    return decision in _teams()["comment_required"]
