"""The gestor's dashboard: per category and period, counts and the share solved in time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ..extensions import db
from ..models import Profile, Ticket, TicketStatus, User
from . import categories, clock, tickets
from .errors import NotFound

PERIODS = {"7": "Últimos 7 dias", "30": "Últimos 30 dias", "90": "Últimos 90 dias", "todos": "Tudo"}


@dataclass(frozen=True)
class CategoryLine:
    """One category's figures in the period."""

    name: str
    hours: int
    opened: int
    closed: int
    closed_in_time: int
    open_overdue: int

    @property
    def share_in_time(self) -> float | None:
        return self.closed_in_time / self.closed if self.closed else None


@dataclass(frozen=True)
class Report:
    period: str
    period_label: str
    periods: dict[str, str]
    lines: list[CategoryLine]


def may_see(user: User) -> bool:
    """The dashboard is the gestor's."""
    return user.profile == Profile.MANAGER


def build(user: User, period: str) -> Report:
    """Count the tickets opened in the period, by category (the gestor's; NotFound for others)."""
    if not may_see(user):
        raise NotFound("Página não encontrada.")
    if period not in PERIODS:
        period = "30"
    now = clock.now()
    # The tickets the gestor may see: a class's gestor counts the class's, the real one the rest.
    query = tickets.visible(user).where(Ticket.status != TicketStatus.DRAFT)
    if period != "todos":
        query = query.where(Ticket.opened_at >= now - timedelta(days=int(period)))
    found = list(db.session.scalars(query))
    lines = []
    for category in categories.all_categories():
        mine = [t for t in found if t.category_code == category.code]
        closed = [t for t in mine if t.status == TicketStatus.CLOSED]
        lines.append(
            CategoryLine(
                name=category.name,
                hours=category.hours,
                opened=len(mine),
                closed=len(closed),
                closed_in_time=sum(1 for t in closed if t.closed_at <= t.due_at),
                open_overdue=sum(
                    1 for t in mine if t.status == TicketStatus.OPEN and t.due_at < now
                ),
            )
        )
    return Report(period, PERIODS[period], PERIODS, lines)
