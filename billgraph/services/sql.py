"""The little SQL that differs between SQLite and PostgreSQL, a parameter collector, and
the one function through which report queries reach the database."""

import asyncio
import math
import sqlite3
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from tortoise.backends.base.client import BaseDBAsyncClient

from billgraph.db import on_read_connection
from billgraph.models import UsageLog
from billgraph.services.report_limits import report_timeout


def dialect_of_connection(connection: BaseDBAsyncClient) -> str:
    """Return "sqlite" or "postgres"."""
    dialect: str = connection.capabilities.dialect
    return "sqlite" if dialect == "sqlite" else "postgres"


@dataclass
class Params:
    """Collects query parameters and renders each dialect's placeholder for them."""

    dialect: str
    values: list[object] = field(default_factory=list)

    def add(self, value: object) -> str:
        self.values.append(value)
        return "?" if self.dialect == "sqlite" else f"${len(self.values)}"


def epoch_seconds_sql(dialect: str, column: str) -> str:
    """Return SQL for whole seconds since the Unix epoch of a timestamp column (floor)."""
    if dialect == "sqlite":
        # Tortoise stores ISO 8601 text with a UTC offset, which strftime understands.
        return f"CAST(strftime('%s', {column}) AS INTEGER)"
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"


def floor_div_sql(dialect: str, expression: str, divisor: int) -> str:
    """Return SQL for the integer quotient of a non-negative integer or numeric expression."""
    if dialect == "sqlite":
        return f"(({expression}) / {divisor})"
    # SUM(bigint) is numeric on PostgreSQL, where / would keep the fraction.
    return f"div({expression}, {divisor})"


def mod_sql(dialect: str, expression: str, divisor: int) -> str:
    """Return SQL for the remainder of a non-negative integer or numeric expression."""
    if dialect == "sqlite":
        return f"(({expression}) % {divisor})"
    return f"mod({expression}, {divisor})"


def exact_sum_sql(dialect: str, expression: str) -> tuple[str, str]:
    """Return SQL for (whole dollars, remainder) sums of a pico-dollar expression.

    The total is whole * 10^12 + remainder. SQLite's SUM raises on 64-bit overflow, so
    there the amount is split before summing; PostgreSQL sums bigint into an exact
    numeric, so it sums the amount whole (splitting costs a numeric division per row).
    """
    if dialect == "sqlite":
        return (
            f"SUM({floor_div_sql(dialect, expression, _PICO)})",
            f"SUM({mod_sql(dialect, expression, _PICO)})",
        )
    return "0", f"SUM({expression})"


def exact_order_sql(dialect: str, expression: str) -> list[str]:
    """Return ORDER BY terms that sort groups by the exact sum of a pico-dollar expression."""
    if dialect != "sqlite":
        return [f"SUM({expression})"]
    whole, rest = exact_sum_sql(dialect, expression)
    return [f"({whole} + {floor_div_sql(dialect, rest, _PICO)})", mod_sql(dialect, rest, _PICO)]


_PICO = 10**12


async def run_report_query(
    sql: str, values: list[object], *, timeout_seconds: float
) -> list[dict[str, Any]]:
    """Run one read-only report statement; return its rows as dicts.

    Every report and summary query goes through here (the one place to route them, e.g.
    to a replica). It runs under a time limit enforced by the database itself, and when
    the calling task is cancelled (the client went away) the statement is stopped in the
    database too: asyncpg sends PostgreSQL a cancel request, and SQLite's progress
    handler interrupts the statement.
    """

    async def run(connection: BaseDBAsyncClient) -> list[dict[str, Any]]:
        if dialect_of_connection(connection) == "sqlite":
            return await _run_on_sqlite(connection, sql, values, timeout_seconds)
        return await _run_on_postgres(connection, sql, values, timeout_seconds)

    return await on_read_connection(UsageLog._meta.db, run)


async def _run_on_postgres(
    connection: BaseDBAsyncClient, sql: str, values: list[object], timeout_seconds: float
) -> list[dict[str, Any]]:
    milliseconds = max(1, int(timeout_seconds * 1000))
    try:
        async with connection.acquire_connection() as raw:
            if raw.is_in_transaction():
                # Inside the caller's transaction: a SET LOCAL would outlive this query,
                # so asyncpg's own timeout cancels it in the server instead.
                rows = await raw.fetch(sql, *values, timeout=timeout_seconds)
            else:
                async with raw.transaction(readonly=True):
                    # JIT compilation costs more than these short queries take (150 ms
                    # seen here when the planner's estimate of a join of pieces ran high).
                    await raw.execute(
                        f"SET LOCAL statement_timeout = {milliseconds}; SET LOCAL jit = off"
                    )
                    rows = await raw.fetch(sql, *values)
    except (asyncpg.QueryCanceledError, TimeoutError):
        raise report_timeout(timeout_seconds) from None
    return [dict(row) for row in rows]


async def _run_on_sqlite(
    connection: BaseDBAsyncClient, sql: str, values: list[object], timeout_seconds: float
) -> list[dict[str, Any]]:
    async with connection.acquire_connection() as raw:
        guard = _SQLITE_GUARDS.get(raw)
        if guard is None:
            guard = _SQLITE_GUARDS[raw] = _Guard()
            await raw.set_progress_handler(guard.stop_now, _SQLITE_PROGRESS_STEPS)
        # The connection runs one statement at a time (its lock is held here).
        guard.arm(timeout_seconds)
        try:
            rows = await raw.execute_fetchall(sql, values)
        except sqlite3.OperationalError as error:
            if "interrupted" in str(error):
                raise report_timeout(timeout_seconds) from None
            raise
        except asyncio.CancelledError:
            guard.cancel()
            # Queued behind the statement in the database thread, so once this returns
            # the statement has stopped and the flag can no longer stop anything else.
            await asyncio.shield(raw.set_progress_handler(guard.stop_now, _SQLITE_PROGRESS_STEPS))
            raise
        finally:
            guard.disarm()
    return [dict(row) for row in rows]


class _Guard:
    """Tells SQLite's progress handler (one per connection, installed once) when to stop."""

    def __init__(self) -> None:
        self._deadline = math.inf
        self._cancelled = threading.Event()

    def arm(self, timeout_seconds: float) -> None:
        self._cancelled.clear()
        self._deadline = time.monotonic() + timeout_seconds

    def cancel(self) -> None:
        self._cancelled.set()

    def disarm(self) -> None:
        self._deadline = math.inf
        self._cancelled.clear()

    def stop_now(self) -> int:
        # Runs in the database thread every few thousand virtual machine steps.
        return 1 if self._cancelled.is_set() or time.monotonic() > self._deadline else 0


_SQLITE_GUARDS: "weakref.WeakKeyDictionary[Any, _Guard]" = weakref.WeakKeyDictionary()
_SQLITE_PROGRESS_STEPS = 10_000
