"""Which database failures a caller should retry, and which are lock conflicts to retry here.

Tortoise wraps some driver errors (OperationalError, IntegrityError) and passes others
through, so each test looks at the error and the chain of its causes.
"""

import sqlite3
from collections.abc import Iterator

import asyncpg
from tortoise.exceptions import DBConnectionError

# SQLSTATEs of lock conflicts that a fresh attempt of the same transaction resolves.
_LOCK_CONFLICT_STATES = frozenset({"40P01", "40001", "55P03"})
# SQLSTATEs of a server that is starting, stopping, overloaded or timed out.
_UNAVAILABLE_STATE_CLASSES = ("08", "53", "57")
_OVERFLOW_STATE = "22003"


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        if current.args and isinstance(current.args[0], BaseException):
            yield current.args[0]
        current = current.__cause__ or current.__context__


def _sqlstate(error: BaseException) -> str:
    state = getattr(error, "sqlstate", None)
    return state if isinstance(state, str) else ""


def is_lock_conflict(error: BaseException) -> bool:
    """Return True for a deadlock, serialization failure or busy SQLite database."""
    for cause in _chain(error):
        if _sqlstate(cause) in _LOCK_CONFLICT_STATES:
            return True
        if isinstance(cause, sqlite3.OperationalError) and "locked" in str(cause):
            return True
        if "database is locked" in str(cause):
            return True
    return False


def is_unavailable(error: BaseException) -> bool:
    """Return True when the database is unreachable, restarting, overloaded or timed out."""
    for cause in _chain(error):
        if isinstance(cause, OSError | TimeoutError | DBConnectionError):
            return True
        if isinstance(cause, asyncpg.InterfaceError) and "closed" in str(cause):
            return True  # "connection is closed", "pool is closed"
        if isinstance(cause, asyncpg.InternalClientError) and "cannot switch to state" in str(
            cause
        ):
            # The server cut the connection mid-statement (a fast shutdown): asyncpg's
            # protocol state is left half-way, and the same write succeeds on a new one.
            return True
        if _sqlstate(cause).startswith(_UNAVAILABLE_STATE_CLASSES):
            return True
    return is_lock_conflict(error)


def is_numeric_overflow(error: BaseException) -> bool:
    """Return True when a sum left the range of a 64-bit column."""
    for cause in _chain(error):
        if _sqlstate(cause) == _OVERFLOW_STATE:
            return True
        text = str(cause)
        if "integer overflow" in text or (
            "NOT NULL constraint failed" in text and "usage_rollup" in text
        ):
            return True
    return False
