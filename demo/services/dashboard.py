"""The gestor's dashboard: per category and period, counts, the share solved in time (pauses
left out), and the requesters' satisfaction. Counted by the database, whatever the size.

Every figure comes with the filters of the Chamados list that reproduce it (`link`), so the
Painel's numbers click through to exactly the tickets they count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import case, func, select

from ..extensions import db
from ..models import Profile, Ticket, TicketStatus, User
from . import categories, clock, deadlines, satisfaction, tickets
from .errors import NotFound

PERIODS = {"7": "Últimos 7 dias", "30": "Últimos 30 dias", "90": "Últimos 90 dias", "todos": "Tudo"}
DEFAULT_PERIOD = "30"

#: Each figure of a line, and the Chamados filters that list the tickets it counts.
FIGURES = {
    "received": {},
    "in_progress": {"situacao": TicketStatus.OPEN.value},
    "closed": {"situacao": TicketStatus.CLOSED.value},
    "closed_in_time": {"situacao": TicketStatus.CLOSED.value, "prazo": "cumprido"},
    "open_overdue": {"situacao": TicketStatus.OPEN.value, "prazo": "vencido"},
    "rated": {"avaliacao": "todas"},
}


@dataclass(frozen=True)
class CategoryLine:
    """One category's figures in the period (or the total of all, with `code` None)."""

    code: str | None
    name: str
    hours: int | None
    received: int = 0
    in_progress: int = 0
    closed: int = 0
    closed_in_time: int = 0
    open_overdue: int = 0
    ratings: satisfaction.Ratings = field(default_factory=satisfaction.Ratings)
    period: str = DEFAULT_PERIOD

    @property
    def opened(self) -> int:
        """The tickets opened in the period (the old name of `received`)."""
        return self.received

    @property
    def share_in_time(self) -> float | None:
        return self.closed_in_time / self.closed if self.closed else None

    def link(self, figure: str, rating: int | None = None) -> dict[str, str]:
        """The Chamados filters that list what `figure` counts (a rating's own, with `rating`)."""
        filters = {"periodo": self.period, **FIGURES[figure]}
        if self.code:
            filters["categoria"] = self.code
        if rating is not None:
            filters["avaliacao"] = str(rating)
        return filters


@dataclass(frozen=True)
class Report:
    period: str
    period_label: str
    periods: dict[str, str]
    lines: list[CategoryLine]
    total: CategoryLine


def may_see(user: User) -> bool:
    """The dashboard is the gestor's."""
    return user.profile == Profile.MANAGER


def since(period: str):
    """The first instant of a period (None for all time); a period unknown is the default."""
    days = PERIODS.get(period) and period != "todos" and int(period)
    return clock.now() - timedelta(days=days) if days else None


def build(user: User, period: str) -> Report:
    """Count the tickets opened in the period, by category (the gestor's; NotFound for others)."""
    if not may_see(user):
        raise NotFound("Página não encontrada.")
    if period not in PERIODS:
        period = DEFAULT_PERIOD
    now = clock.now()
    start = since(period)
    # The tickets the gestor may see: a class's gestor counts the class's, the real one the rest.
    where = [*tickets.visibility(user), Ticket.status.in_([TicketStatus.OPEN, TicketStatus.CLOSED])]
    if start is not None:
        where.append(Ticket.opened_at >= start)

    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    is_open = Ticket.status == TicketStatus.OPEN
    is_closed = Ticket.status == TicketStatus.CLOSED
    counts = {
        row.code: row
        for row in db.session.execute(
            select(
                Ticket.category_code.label("code"),
                func.count().label("received"),
                count(is_open).label("in_progress"),
                count(is_closed).label("closed"),
                count(is_closed & deadlines.met()).label("closed_in_time"),
                count(is_open & deadlines.overdue(now)).label("open_overdue"),
            )
            .where(*where)
            .group_by(Ticket.category_code)
        )
    }
    ratings: dict[str, dict[int, int]] = {}
    for code, value, number in db.session.execute(
        select(Ticket.category_code, Ticket.rating, func.count())
        .where(*where, Ticket.rating.is_not(None))
        .group_by(Ticket.category_code, Ticket.rating)
    ):
        ratings.setdefault(code, {})[value] = number

    lines = []
    for category in categories.all_categories():
        row = counts.get(category.code)
        found = satisfaction.Ratings()
        found.counts.update(ratings.get(category.code, {}))
        lines.append(
            CategoryLine(
                code=category.code,
                name=category.name,
                hours=category.hours,
                received=row.received if row else 0,
                in_progress=row.in_progress if row else 0,
                closed=row.closed if row else 0,
                closed_in_time=row.closed_in_time if row else 0,
                open_overdue=row.open_overdue if row else 0,
                ratings=found,
                period=period,
            )
        )
    # Every ticket of the period, also any whose category conf/ no longer has: the total's
    # link (no category filter) lists exactly these.
    rows = list(counts.values())
    every = satisfaction.Ratings()
    for found in ratings.values():
        for value, number in found.items():
            every.counts[value] += number
    total = CategoryLine(
        code=None,
        name="Todas as categorias",
        hours=None,
        received=sum(row.received for row in rows),
        in_progress=sum(row.in_progress for row in rows),
        closed=sum(row.closed for row in rows),
        closed_in_time=sum(row.closed_in_time for row in rows),
        open_overdue=sum(row.open_overdue for row in rows),
        ratings=every,
        period=period,
    )
    return Report(period, PERIODS[period], PERIODS, lines, total)
