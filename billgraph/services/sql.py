"""Every SQL difference between SQLite and PostgreSQL (`Dialect`), a parameter collector,
and the one function through which report queries reach the database."""

import asyncio
import json
import math
import sqlite3
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
from tortoise.backends.base.client import BaseDBAsyncClient

from billgraph.db import on_read_connection
from billgraph.models import PricingSource, UsageLog
from billgraph.services.report_limits import report_timeout


@dataclass(frozen=True)
class Dialect:
    """Every piece of SQL that differs between SQLite and PostgreSQL.

    There are two: `SQLITE` and `POSTGRES`; compare with `is`.
    """

    name: str  # "sqlite" or "postgres", as Tortoise names them

    @property
    def is_sqlite(self) -> bool:
        return self.name == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.name == "postgres"

    def placeholder(self, position: int) -> str:
        """The placeholder of the `position`-th (1-based) parameter of a statement."""
        return "?" if self.is_sqlite else f"${position}"

    def placeholders(self, count: int) -> list[str]:
        """The placeholders of a statement's first `count` parameters."""
        return [self.placeholder(position) for position in range(1, count + 1)]

    def moment(self, value: datetime) -> object:
        """A timestamp parameter: SQLite compares the ISO 8601 text Tortoise stores
        ("2026-03-25 00:00:00+00:00"); PostgreSQL takes the datetime."""
        return value.isoformat(sep=" ") if self.is_sqlite else value

    @property
    def locks_rows(self) -> bool:
        """Whether SELECT ... FOR UPDATE exists (SQLite has none: it serializes writers)."""
        return not self.is_sqlite

    @property
    def for_update(self) -> str:
        """The row-lock suffix of a SELECT, "" where rows cannot be locked."""
        return " FOR UPDATE" if self.locks_rows else ""

    def epoch_seconds(self, column: str) -> str:
        """SQL for whole seconds since the Unix epoch of a timestamp column (floor)."""
        if self.is_sqlite:
            # Tortoise stores ISO 8601 text with a UTC offset ("2026-03-01
            # 07:59:59.999999+00:00"), which strftime understands. The fraction is cut
            # off first: strftime rounds it to milliseconds, and 07:59:59.9996 became
            # 08:00:00, a log counted in the next hour's (and day's) rollup.
            return (
                f"CAST(strftime('%s', substr({column}, 1, 19) || substr({column}, -6)) AS INTEGER)"
            )
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"

    def floor_div(self, expression: str, divisor: int) -> str:
        """SQL for the integer quotient of a non-negative integer or numeric expression."""
        if self.is_sqlite:
            return f"(({expression}) / {divisor})"
        # SUM(bigint) is numeric on PostgreSQL, where / would keep the fraction.
        return f"div({expression}, {divisor})"

    def mod(self, expression: str, divisor: int) -> str:
        """SQL for the remainder of a non-negative integer or numeric expression."""
        if self.is_sqlite:
            return f"(({expression}) % {divisor})"
        return f"mod({expression}, {divisor})"

    def exact_sum(self, expression: str) -> tuple[str, str]:
        """SQL for (whole dollars, remainder) sums of a pico-dollar expression.

        The total is whole * 10^12 + remainder. SQLite's SUM raises on 64-bit overflow, so
        there the amount is split before summing; PostgreSQL sums bigint into an exact
        numeric, so it sums the amount whole (splitting costs a numeric division per row).
        """
        if self.is_sqlite:
            return (
                f"SUM({self.floor_div(expression, _PICO)})",
                f"SUM({self.mod(expression, _PICO)})",
            )
        return "0", f"SUM({expression})"

    def exact_order(self, expression: str) -> list[str]:
        """ORDER BY terms that sort groups by the exact sum of a pico-dollar expression."""
        if not self.is_sqlite:
            return [f"SUM({expression})"]
        whole, rest = self.exact_sum(expression)
        return [f"({whole} + {self.floor_div(rest, _PICO)})", self.mod(rest, _PICO)]

    def checked_add(self, stored: str, added: str) -> str:
        """SQL for stored + added that is NULL, not wrong, past the 64-bit range.

        PostgreSQL raises "bigint out of range" by itself; SQLite would turn the sum into
        a float, so there it becomes NULL (and a NOT NULL constraint refuses it).
        """
        total = f"{stored} + {added}"
        if not self.is_sqlite:
            return total
        return (
            f"CASE WHEN {added} > 0 AND {stored} > {_MAX_BIGINT} - {added} "
            f"THEN NULL ELSE {total} END"
        )

    def rows_table(
        self,
        params: "Params",
        rows: Sequence[Sequence[object]],
        columns: Sequence[tuple[str, str]],
        alias: str,
    ) -> str:
        """A table `alias`(columns) of rows, passed as parameters so the text stays the
        same size: SQLite reads a JSON document with json_each, PostgreSQL unnests one
        typed array per column. `columns` are (name, PostgreSQL type) pairs."""
        if self.is_sqlite:
            document = params.add(json.dumps(rows, separators=(",", ":")))
            selected = ", ".join(
                f"value ->> {index} AS {name}" for index, (name, _kind) in enumerate(columns)
            )
            return f"(SELECT {selected} FROM json_each({document})) AS {alias}"  # noqa: S608
        arrays = ", ".join(
            f"{params.add([row[index] for row in rows])}::{kind}[]"
            for index, (_name, kind) in enumerate(columns)
        )
        names = ", ".join(name for name, _kind in columns)
        return f"unnest({arrays}) AS {alias}({names})"


SQLITE = Dialect("sqlite")
POSTGRES = Dialect("postgres")


def dialect_of_connection(connection: BaseDBAsyncClient) -> Dialect:
    """Return the dialect of a Tortoise connection: SQLITE or POSTGRES."""
    return SQLITE if connection.capabilities.dialect == "sqlite" else POSTGRES


def estimated_cost_sql(prefix: str = "") -> str:
    """The part of a log's (or rollup row's) cost priced by the built-in estimate.

    `prefix` is a table alias with its dot ("l."), or "" for none.
    """
    return (
        f"CASE WHEN {prefix}pricing_source = '{PricingSource.BUILTIN_ESTIMATE.value}' "
        f"THEN {prefix}cost_total_pico ELSE 0 END"
    )


@dataclass
class Params:
    """Collects query parameters and renders the dialect's placeholder for them."""

    dialect: Dialect
    values: list[object] = field(default_factory=list)

    def add(self, value: object) -> str:
        self.values.append(value)
        return self.dialect.placeholder(len(self.values))


_PICO = 10**12
_MAX_BIGINT = 2**63 - 1


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
        if dialect_of_connection(connection) is SQLITE:
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
                # One round trip opens the transaction and sets its limits: under ingest
                # each round trip's answer waits its turn on the event loop. JIT
                # compilation costs more than these short queries take (150 ms seen here
                # when the planner's estimate of a join of pieces ran high), and so do
                # parallel workers: under ingest the planner gave the 30-day report two,
                # and its statement took 20-27 ms instead of 13-16 ms without them.
                await raw.execute(
                    f"BEGIN READ ONLY; SET LOCAL statement_timeout = {milliseconds}; "
                    "SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0"
                )
                try:
                    rows = await raw.fetch(sql, *values)
                # A cancelled task (not an Exception) leaves the rollback to the pool's
                # release, which waits for the cancel to go through.
                except Exception:
                    if not raw.is_closed() and raw.is_in_transaction():
                        await raw.execute("ROLLBACK")
                    raise
                await raw.execute("COMMIT")
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
