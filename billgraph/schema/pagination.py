"""Opaque cursors for the newest-first usage log order."""

import base64
import binascii
from datetime import UTC, datetime

from billgraph.models import UsageLog
from billgraph.services.errors import InvalidInputError
from billgraph.services.usage import PageAfter

_PREFIX = "usage:"


def encode_cursor(log: UsageLog) -> str:
    """Return the cursor that points just past `log`."""
    raw = f"{_PREFIX}{log.occurred_at.isoformat()}|{log.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> PageAfter:
    """Return the position a cursor names, or raise InvalidInputError naming `after`."""
    not_a_cursor = InvalidInputError("after is not a cursor returned by this API", field="after")
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeError, binascii.Error):
        raise not_a_cursor from None
    if not raw.startswith(_PREFIX) or "|" not in raw:
        raise not_a_cursor
    occurred_at, log_id_text = raw.removeprefix(_PREFIX).rsplit("|", 1)
    log_id = parse_id(log_id_text)
    try:
        moment = datetime.fromisoformat(occurred_at)
    except ValueError:
        raise not_a_cursor from None
    if log_id is None:
        raise not_a_cursor
    if moment.tzinfo is None:
        raise not_a_cursor
    try:
        # e.g. 0001-01-01T00:00+14:00 is before the first day of the calendar in UTC.
        moment = moment.astimezone(UTC)
    except OverflowError:
        raise not_a_cursor from None
    return PageAfter(occurred_at=moment, log_id=log_id)


_AUDIT_PREFIX = "audit:"


def encode_audit_cursor(change_id: int) -> str:
    """Return the cursor that points just past one pricing change."""
    return base64.urlsafe_b64encode(f"{_AUDIT_PREFIX}{change_id}".encode()).decode()


def decode_audit_cursor(cursor: str) -> int:
    """Return the pricing change id a cursor names, or raise InvalidInputError naming `after`."""
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeError, binascii.Error):
        raw = ""
    change_id = parse_id(raw.removeprefix(_AUDIT_PREFIX)) if raw.startswith(_AUDIT_PREFIX) else None
    if change_id is None:
        raise InvalidInputError("after is not a cursor returned by this API", field="after")
    return change_id


def parse_id(text: str) -> int | None:
    """Return a database id written in ASCII digits, or None for anything else."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(2**63)):
        return None
    value = int(text)
    return value if value <= 2**63 - 1 else None


def encode_row_cursor(kind: str, row_id: int) -> str:
    """Return the cursor that points just past one row of a newest-first list of `kind`."""
    return base64.urlsafe_b64encode(f"{kind}:{row_id}".encode()).decode()


def decode_row_cursor(kind: str, cursor: str) -> int:
    """Return the row id a cursor of `kind` names, or raise InvalidInputError naming `after`."""
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeError, binascii.Error):
        raw = ""
    head, _, tail = raw.partition(":")
    row_id = parse_id(tail) if head == kind else None
    if row_id is None:
        raise InvalidInputError("after is not a cursor returned by this API", field="after")
    return row_id
