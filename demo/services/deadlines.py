"""The deadline clock of a ticket: it starts at Aprovar, may stop while the requester is asked,
and counts again when the ticket comes back to the team.

How it is stored, so that the lists can sort and filter on it in SQL:

* `due_at` — when the deadline falls, with every *finished* pause already added;
* `near_at` — from when it counts as near (its last quarter), shifted the same way;
* `paused_at` — set while the clock stands still (then the time left is due_at − paused_at,
  and stays so); `paused_seconds` — the total of finished pauses;
* one `DeadlinePause` row per stop, for the history.

Every function here runs inside the caller's write transaction, on a loaded ticket.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement

from ..models import DeadlinePause, Ticket, TicketStatus
from . import categories, clock

#: The share of the deadline, at its end, during which it counts as near.
NEAR_SHARE = 0.25


def start(ticket: Ticket, hours: int, moment: datetime) -> None:
    """Aprovar: the clock starts now with the category's hours."""
    ticket.deadline_hours = hours
    ticket.paused_at = None
    ticket.paused_seconds = 0
    _place(ticket)


def change_hours(ticket: Ticket, hours: int, moment: datetime) -> None:
    """A new category: the deadline is the new hours from the opening, pauses still added.

    A breach noted under the old deadline no longer holds if the new one is still ahead.
    """
    ticket.deadline_hours = hours
    _place(ticket)
    if ticket.breached_at is not None and not is_over(ticket, moment):
        ticket.breached_at = None


def follow(ticket: Ticket, waiting_on_requester: bool, moment: datetime) -> None:
    """After a move: stop the clock when the ticket now waits on the requester (if its category
    says so), start it again when it comes back to the team or is closed."""
    category = categories.get(ticket.category_code)
    if waiting_on_requester and category is not None and category.pauses:
        pause(ticket, ticket.current_step, moment)
    else:
        resume(ticket, moment)


def pause(ticket: Ticket, step: str | None, moment: datetime) -> None:
    """Stop the clock (nothing happens if it is already stopped)."""
    if ticket.paused_at is not None or ticket.due_at is None:
        return
    ticket.paused_at = moment
    ticket.pauses.append(DeadlinePause(step=step, started_at=moment))


def resume(ticket: Ticket, moment: datetime) -> None:
    """Start the clock again: the deadline moves by the time it stood still."""
    if ticket.paused_at is None:
        return
    stopped = max(moment - ticket.paused_at, timedelta(0))
    ticket.paused_seconds = (ticket.paused_seconds or 0) + int(stopped.total_seconds())
    ticket.paused_at = None
    for stop in ticket.pauses:
        if stop.ended_at is None:
            stop.ended_at = moment
    _place(ticket)


def closed_interval(ticket: Ticket, closed_at: datetime, reopened_at: datetime) -> None:
    """A reopened ticket: the time it spent closed was nobody's to work, so it does not count."""
    ticket.pauses.append(DeadlinePause(step=None, started_at=closed_at, ended_at=reopened_at))
    stopped = max(reopened_at - closed_at, timedelta(0))
    ticket.paused_seconds = (ticket.paused_seconds or 0) + int(stopped.total_seconds())
    _place(ticket)


def is_over(ticket: Ticket, moment: datetime) -> bool:
    """Whether the deadline has passed (a stopped clock counts up to the stop)."""
    if ticket.due_at is None:
        return False
    return ticket.due_at < (ticket.paused_at or moment)


# --- the same conditions in SQL, for the lists' filters ----------------------------------


def overdue(moment: datetime) -> ColumnElement[bool]:
    """The deadline has passed — by now, or, while the clock is stopped, by the stop."""
    return or_(
        and_(Ticket.paused_at.is_(None), Ticket.due_at < moment),
        and_(Ticket.paused_at.is_not(None), Ticket.due_at < Ticket.paused_at),
    )


def near(moment: datetime) -> ColumnElement[bool]:
    """In the deadline's last quarter, the clock running."""
    return and_(Ticket.paused_at.is_(None), Ticket.near_at <= moment, Ticket.due_at >= moment)


def in_time(moment: datetime) -> ColumnElement[bool]:
    """Before the deadline's last quarter, the clock running."""
    return and_(Ticket.paused_at.is_(None), Ticket.near_at > moment)


def stopped() -> ColumnElement[bool]:
    """The clock stands still (the ticket waits on the requester)."""
    return Ticket.paused_at.is_not(None)


def met() -> ColumnElement[bool]:
    """A closed ticket solved within its deadline (pauses left out)."""
    return Ticket.closed_at <= Ticket.due_at


def _place(ticket: Ticket) -> None:
    """due_at and near_at from the opening, the hours and the finished pauses."""
    if ticket.opened_at is None or ticket.deadline_hours is None:
        return
    span = timedelta(hours=ticket.deadline_hours)
    shift = timedelta(seconds=ticket.paused_seconds or 0)
    ticket.due_at = ticket.opened_at + span + shift
    ticket.near_at = ticket.due_at - span * NEAR_SHARE


# --- reading ---------------------------------------------------------------------------


class DeadlineState(enum.StrEnum):
    """Where a ticket stands against its deadline (the rows' highlighting uses the value)."""

    NONE = "sem-prazo"  # a draft: set at Aprovar
    IN_TIME = "no-prazo"
    NEAR = "perto"  # the last quarter of the deadline
    OVERDUE = "vencido"
    PAUSED = "parado"  # the clock stands still: the ticket waits on the requester
    CLOSED = "encerrado"


@dataclass(frozen=True)
class Deadline:
    """The deadline of a ticket at an instant: when, how it stands, and the time left.

    `left` is negative once the deadline has passed; None when there is no running deadline.
    While the clock is stopped `due_at` is None (it moves on when the clock starts again) and
    `left` is the time that was left when it stopped. `met` tells a closed ticket's outcome.
    """

    due_at: datetime | None
    state: DeadlineState
    left: timedelta | None
    met: bool | None = None


def deadline(ticket: Ticket, at: datetime | None = None) -> Deadline:
    """Time left (or over) until the ticket's due instant (horas corridas, pauses left out)."""
    if ticket.due_at is None:
        return Deadline(None, DeadlineState.NONE, None)
    if ticket.status == TicketStatus.CLOSED:
        met = ticket.closed_at is not None and ticket.closed_at <= ticket.due_at
        return Deadline(ticket.due_at, DeadlineState.CLOSED, None, met)
    if ticket.paused_at is not None:
        return Deadline(None, DeadlineState.PAUSED, ticket.due_at - ticket.paused_at)
    moment = at or clock.now()
    left = ticket.due_at - moment
    if left.total_seconds() < 0:
        return Deadline(ticket.due_at, DeadlineState.OVERDUE, left)
    near = ticket.near_at is not None and moment >= ticket.near_at
    return Deadline(ticket.due_at, DeadlineState.NEAR if near else DeadlineState.IN_TIME, left)
