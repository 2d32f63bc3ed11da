"""UTC time helpers and a column type that always hands back aware UTC datetimes."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def iso(value: date | datetime | None) -> str | None:
    """Return a date or time as ISO 8601 (None stays None), as JSON and exports carry it."""
    return value.isoformat() if value is not None else None


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Store datetimes as naive UTC and load them as aware UTC, the same on every database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def zone(name: str | None) -> ZoneInfo:
    """Return the named time zone, or UTC when the name is empty or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def format_local(
    value: datetime | None, tz_name: str | None = None, fmt: str = "%Y-%m-%d %H:%M"
) -> str:
    """Format an aware datetime in the given zone, naming the zone."""
    if value is None:
        return ""
    tz = zone(tz_name)
    return f"{value.astimezone(tz).strftime(fmt)} {tz.key}"
