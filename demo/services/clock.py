"""The portal's clock: real UTC time, or a frozen instant for screenshots and tests."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

#: Where the portal's users are: instants are stored in UTC and shown in this zone.
LOCAL_ZONE = ZoneInfo("America/Sao_Paulo")


def now() -> datetime:
    """Return the current instant as an aware UTC datetime (FROZEN_TIME when configured)."""
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
