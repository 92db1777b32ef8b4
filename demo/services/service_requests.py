"""Public-service requests shown on the mapa site."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import ServiceRequest, User


def for_user(user: User) -> list[ServiceRequest]:
    """The user's own requests, newest first."""
    query = (
        select(ServiceRequest)
        .where(ServiceRequest.user_id == user.id)
        .order_by(ServiceRequest.opened_at.desc())
    )
    return list(db.session.scalars(query))


def get_for_user(user: User, request_id: int) -> ServiceRequest | None:
    """One of the user's requests; None for anyone else's."""
    item = db.session.get(ServiceRequest, request_id)
    return item if item is not None and item.user_id == user.id else None
