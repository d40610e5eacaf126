"""Checking the times callers send."""

from datetime import UTC, datetime

from billgraph.services.errors import InvalidInputError


def require_aware(value: datetime, *, field: str) -> datetime:
    """Return `value` in UTC if it carries a UTC offset; naive times are ambiguous for billing."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError(
            "{field} must include a UTC offset, e.g. 2026-01-31T12:00:00Z", field=field
        )
    try:
        return value.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:00-14:00 is past the end of the calendar
        raise InvalidInputError("{field} is out of range", field=field) from None
