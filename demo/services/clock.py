"""The portal's clock: real UTC time, or a frozen instant for screenshots and tests."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

#: Where the portal's users are: instants are stored in UTC and shown in this zone.
LOCAL_ZONE = ZoneInfo("America/Sao_Paulo")


#: An instant set by `at()`: the services then act as if it were that time.
_MOVED: ContextVar[datetime | None] = ContextVar("portal_clock_moved", default=None)


def now() -> datetime:
    """Return the current instant as an aware UTC datetime (FROZEN_TIME when configured)."""
    moved = _MOVED.get()
    if moved is not None:
        return moved
    frozen = current_app.config.get("FROZEN_TIME") if has_app_context() else None
    if frozen:
        return parse_utc(frozen)
    return datetime.now(UTC)


def parse_utc(value: str | datetime) -> datetime:
    """Parse an ISO 8601 instant; a value without offset is taken as UTC."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    """Run the block as if it were `moment` (a class's demo tickets, opened hours ago)."""
    marker = _MOVED.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _MOVED.reset(marker)
