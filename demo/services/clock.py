"""The portal's clock: real UTC time, or a frozen instant for screenshots and tests."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

#: Where the portal's users are: instants are stored in UTC and shown in this zone.
LOCAL_ZONE = ZoneInfo("America/Sao_Paulo")

#: An instant the code running in this context stands at (demo data told in the past).
_standing: ContextVar[datetime | None] = ContextVar("portal_clock_standing", default=None)


def now() -> datetime:
    """Return the current instant as an aware UTC datetime (FROZEN_TIME when configured)."""
    standing = _standing.get()
    if standing is not None:
        return standing
    frozen = current_app.config.get("FROZEN_TIME") if has_app_context() else None
    if frozen:
        return parse_utc(frozen)
    return datetime.now(UTC)


@contextmanager
def standing_at(moment: datetime) -> Iterator[None]:
    """Run a block as if it were `moment` (this thread only): the demo data's history is
    written through the same services, each step at its own time."""
    token = _standing.set(moment)
    try:
        yield
    finally:
        _standing.reset(token)


def parse_utc(value: str | datetime) -> datetime:
    """Parse an ISO 8601 instant; a value without offset is taken as UTC."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
