"""Public-service requests shown on the mapa site."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import ServiceRequest, User
from .errors import NotFound


def for_user(user: User, protocol: str = "") -> list[ServiceRequest]:
    """The user's own requests, newest first; with `protocol`, those whose protocol has it."""
    query = (
        select(ServiceRequest)
        .where(ServiceRequest.user_id == user.id)
        .order_by(ServiceRequest.opened_at.desc())
    )
    wanted = (protocol or "").strip()[:40]
    if "\x00" in wanted:
        return []  # no protocol has one, and PostgreSQL refuses NUL in text
    if wanted:
        query = query.where(ServiceRequest.protocol.icontains(wanted, autoescape=True))
    return list(db.session.scalars(query))


def get_own(user: User, request_id: int) -> ServiceRequest:
    """One of the user's requests; NotFound for anyone else's."""
    item = db.session.get(ServiceRequest, request_id)
    if item is None or item.user_id != user.id:
        raise NotFound("Solicitação não encontrada.")
    return item
