"""Keeping the rollup tables in step with the logs: add, move (re-pricing), verify, rebuild.

SQLite's ingest adds logs with `add_from_logs_sql` inside the transaction that inserts
them. PostgreSQL's ingest lists them in `usage_rollup_pending` instead, and
`rollup_folding` adds them after the commit. Either way a log is, in any snapshot,
either pending or in the rollups: verify and rebuild work on the folded logs.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from billgraph.models import PricingSource, UsageLog
from billgraph.services.sql import SQLITE, Dialect, dialect_of_connection, estimated_cost_sql
from billgraph.services.time_buckets import SECONDS_PER_DAY, SECONDS_PER_HOUR, epoch_seconds
from billgraph.services.token_counts import TokenCounts
from billgraph.services.usage_fields import TOKEN_COLUMNS

PENDING_TABLE = "usage_rollup_pending"
# pg_advisory_xact_lock key that folds take shared, and re-pricing and rebuild exclusively.
FOLD_LOCK_KEY = 0x62696C6C666F6C64

SUM_COLUMNS = (
    "requests",
    *TOKEN_COLUMNS,
    "cost_input_pico",
    "cost_output_pico",
    "cost_total_pico",
)
# The columns of a log that its share of the rollups depends on: what the pending table
# copies, so that folds and reports read no log.
PENDING_COLUMNS = (
    "occurred_at",
    "user_id",
    "provider",
    "model",
    "pricing_source",
    "service_tier",
    *SUM_COLUMNS[1:],
)


@dataclass(frozen=True)
class RollupTable:
    """One rollup table: its name, its bucket column and width, and its dimensions."""

    name: str
    bucket_column: str
    bucket_seconds: int
    dimensions: tuple[str, ...]
    # Tables without a pricing_source dimension carry the estimated part as a column.
    carries_estimate: bool = False

    @property
    def key_columns(self) -> tuple[str, ...]:
        return (self.bucket_column, *self.dimensions)

    @property
    def sum_columns(self) -> tuple[str, ...]:
        extra = ("estimated_cost_total_pico",) if self.carries_estimate else ()
        return (*SUM_COLUMNS, *extra)


HOURLY = RollupTable(
    name="usage_rollup_hourly",
    bucket_column="bucket_hour",
    bucket_seconds=SECONDS_PER_HOUR,
    dimensions=("provider", "model", "pricing_source", "service_tier"),
)
DAILY_USER = RollupTable(
    name="usage_rollup_daily_user",
    bucket_column="bucket_day",
    bucket_seconds=SECONDS_PER_DAY,
    dimensions=("user_key", "provider", "model", "pricing_source", "service_tier"),
)
DAILY_USER_TOTAL = RollupTable(
    name="usage_rollup_daily_user_total",
    bucket_column="bucket_day",
    bucket_seconds=SECONDS_PER_DAY,
    dimensions=("user_key",),
    carries_estimate=True,
)
ROLLUP_TABLES = (HOURLY, DAILY_USER, DAILY_USER_TOTAL)


def log_key(table: RollupTable, log: UsageLog) -> tuple[object, ...]:
    values = {
        "user_key": log.user_id or "",
        "provider": log.provider,
        "model": log.model,
        "pricing_source": log.pricing_source.value,
        "service_tier": log.service_tier.value,
    }
    bucket = epoch_seconds(log.occurred_at) // table.bucket_seconds
    return (bucket, *(values[column] for column in table.dimensions))


def log_sums(table: RollupTable, log: UsageLog) -> tuple[int, ...]:
    sums = (
        1,
        *TokenCounts.of_row(log).as_tuple(),
        log.cost_input_pico,
        log.cost_output_pico,
        log.cost_total_pico,
    )
    if not table.carries_estimate:
        return sums
    estimated = log.cost_total_pico if log.pricing_source is PricingSource.BUILTIN_ESTIMATE else 0
    return (*sums, estimated)


def _on_conflict_add(table: RollupTable, dialect: Dialect) -> str:
    """Return the ON CONFLICT clause that adds the new sums to the stored ones.

    A sum past the 64-bit range must fail, not be stored wrong (the NOT NULL columns
    refuse the NULL `checked_add` gives SQLite there).
    """
    increments = ", ".join(
        f"{column} = {dialect.checked_add(f'{table.name}.{column}', f'excluded.{column}')}"
        for column in table.sum_columns
    )
    return f"ON CONFLICT ({', '.join(table.key_columns)}) DO UPDATE SET {increments}"


def add_from_logs_sql(table: RollupTable, dialect: Dialect, *, source: str, where: str = "") -> str:
    """Return an upsert adding the logs of `source` (a table or CTE of log rows) to `table`.

    Groups are upserted in key order, so concurrent writers lock rows in one order.
    """
    columns = ", ".join((*table.key_columns, *table.sum_columns))
    select = rollup_rows_sql(table, dialect, source=source, where=where)
    positions = ", ".join(str(position) for position in range(1, len(table.key_columns) + 1))
    return (
        f"INSERT INTO {table.name} ({columns}) {select} ORDER BY {positions} "
        + _on_conflict_add(table, dialect)
    )


def move_logs_sql(table: RollupTable, dialect: Dialect, *, before: str, after: str) -> str:
    """Return an upsert moving logs within `table`: their shares as `before` holds them
    come out, as `after` holds them go in (each a table or an aliased subquery of log
    rows, with the columns of api_usage_logs).

    Each group gets its net change in one row, in key order like every other writer's;
    a group whose change is zero is not touched. It returns the key and `requests` of
    every group it changed: one left with no request must then be deleted
    (`delete_emptied_sql`), as if the rollup were built from the logs.
    """
    keys = table.key_columns
    positions = ", ".join(str(position) for position in range(1, len(keys) + 1))
    taken_out = ", ".join((*keys, *(f"-{column} AS {column}" for column in table.sum_columns)))
    net = ", ".join(f"SUM({column}) AS {column}" for column in table.sum_columns)
    changed = " OR ".join(f"SUM({column}) <> 0" for column in table.sum_columns)
    return (
        f"INSERT INTO {table.name} ({', '.join((*keys, *table.sum_columns))}) "  # noqa: S608
        f"SELECT {', '.join(keys)}, {net} FROM ("
        f"SELECT {taken_out} FROM ({rollup_rows_sql(table, dialect, source=before)}) AS old "
        f"UNION ALL {rollup_rows_sql(table, dialect, source=after)}"
        f") AS moved GROUP BY {positions} HAVING {changed} ORDER BY {positions} "
        + _on_conflict_add(table, dialect)
        + f" RETURNING {', '.join(keys)}, requests"
    )


def delete_emptied_sql(table: RollupTable, dialect: Dialect) -> str:
    """Return a DELETE of the group whose key is the parameters, if it holds no request."""
    matches = " AND ".join(
        f"{column} = {placeholder}"
        for column, placeholder in zip(
            table.key_columns, dialect.placeholders(len(table.key_columns)), strict=True
        )
    )
    return f"DELETE FROM {table.name} WHERE requests = 0 AND {matches}"  # noqa: S608


def rollup_rows_sql(
    table: RollupTable, dialect: Dialect, *, source: str = "api_usage_logs", where: str = ""
) -> str:
    """SELECT the rollup rows the logs of `source` add up to (same columns as the table)."""
    bucket = f"{dialect.epoch_seconds('occurred_at')} / {table.bucket_seconds}"
    dimension_sql = {
        "user_key": "COALESCE(user_id, '')",
        "provider": "provider",
        "model": "model",
        "pricing_source": "pricing_source",
        "service_tier": "service_tier",
    }
    keys = [bucket, *(dimension_sql[column] for column in table.dimensions)]
    sums = ["COUNT(*)", *(f"SUM({column})" for column in SUM_COLUMNS[1:])]
    if table.carries_estimate:
        sums.append(f"SUM({estimated_cost_sql()})")
    selected = ", ".join(
        f"{expression} AS {name}"
        for expression, name in zip(
            [*keys, *sums], [*table.key_columns, *table.sum_columns], strict=True
        )
    )
    group_by = ", ".join(str(position) for position in range(1, len(keys) + 1))
    where_clause = f" WHERE {where}" if where else ""
    return f"SELECT {selected} FROM {source}{where_clause} GROUP BY {group_by}"  # noqa: S608


def folded_condition(logs: str = "api_usage_logs") -> str:
    """SQL that holds for a row of `logs` (the log table or its alias) already folded."""
    return f"NOT EXISTS (SELECT 1 FROM {PENDING_TABLE} AS q WHERE q.log_id = {logs}.id)"  # noqa: S608


async def lock_out_folds(connection: BaseDBAsyncClient) -> None:
    """Wait for folds in flight and keep new ones out until the transaction ends.

    PostgreSQL only (SQLite folds in the inserting transaction). Call it first in the
    transaction: its later statements then see every fold that will ever touch the logs
    they read as either committed or not started.
    """
    if dialect_of_connection(connection) is not SQLITE:
        await connection.execute_query("SELECT pg_advisory_xact_lock($1::int8)", [FOLD_LOCK_KEY])


@dataclass(frozen=True)
class RollupDifference:
    table: str
    key: tuple[object, ...]
    in_rollup: tuple[int, ...] | None
    from_logs: tuple[int, ...] | None


async def verify_rollups(connection: BaseDBAsyncClient) -> list[RollupDifference]:
    """Return every group where a rollup table differs from the sums of the folded logs,
    and every pending copy that differs from its log.

    Logs, pending rows and rollups are read from one snapshot, so ingest and folds in
    flight (committed between two of the reads) never show up as drift.
    """
    dialect = dialect_of_connection(connection)
    differences: list[RollupDifference] = []
    async with _snapshot(connection) as fetch:
        for table in ROLLUP_TABLES:
            columns = ", ".join((*table.key_columns, *table.sum_columns))
            stored = _by_key(table, await fetch(f"SELECT {columns} FROM {table.name}"))  # noqa: S608
            expected = _by_key(
                table, await fetch(rollup_rows_sql(table, dialect, where=folded_condition()))
            )
            differences.extend(
                RollupDifference(table.name, key, stored.get(key), expected.get(key))
                for key in sorted(stored.keys() | expected.keys(), key=repr)
                if stored.get(key) != expected.get(key)
            )
        differences.extend(await _stale_pending_copies(fetch))
    return differences


async def _stale_pending_copies(fetch: "Fetch") -> list[RollupDifference]:
    """Return each pending row that differs from its log (or has none), as a difference
    of its sums: the fold would add the copy, not the log."""
    sums = SUM_COLUMNS[1:]
    differs = " OR ".join(
        f"COALESCE(q.{column}, '') <> COALESCE(l.{column}, '')"
        if column == "user_id"
        else f"q.{column} <> l.{column}"
        for column in PENDING_COLUMNS
    )
    selected = ", ".join(
        [*(f"q.{column} AS q_{column}" for column in sums)]
        + [f"l.{column} AS l_{column}" for column in sums]
    )
    rows = await fetch(
        f"SELECT q.log_id AS log_id, l.id AS found, {selected} FROM {PENDING_TABLE} AS q "  # noqa: S608
        f"LEFT JOIN api_usage_logs AS l ON l.id = q.log_id WHERE l.id IS NULL OR {differs} "
        "ORDER BY q.log_id"
    )
    return [
        RollupDifference(
            PENDING_TABLE,
            (row["log_id"],),
            tuple(int(row[f"q_{column}"]) for column in sums),
            None if row["found"] is None else tuple(int(row[f"l_{column}"]) for column in sums),
        )
        for row in rows
    ]


Fetch = Callable[[str], Awaitable[list[dict[str, Any]]]]


@asynccontextmanager
async def _snapshot(connection: BaseDBAsyncClient) -> AsyncIterator[Fetch]:
    """Yield a reader whose queries all see one snapshot of the database, locking nothing.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction. SQLite (WAL): one read
    transaction, which sees the database as of its first read.
    """
    async with connection.acquire_connection() as raw:
        if dialect_of_connection(connection) is SQLITE:

            async def fetch_sqlite(sql: str) -> list[dict[str, Any]]:
                return [dict(row) for row in await raw.execute_fetchall(sql)]

            if raw.in_transaction:  # already inside the caller's transaction
                yield fetch_sqlite
                return
            await raw.execute("BEGIN")
            try:
                yield fetch_sqlite
            finally:
                await raw.execute("COMMIT")
            return

        async def fetch_postgres(sql: str) -> list[dict[str, Any]]:
            return [dict(row) for row in await raw.fetch(sql)]

        if raw.is_in_transaction():
            yield fetch_postgres
            return
        async with raw.transaction(isolation="repeatable_read", readonly=True):
            yield fetch_postgres


def _by_key(
    table: RollupTable, rows: list[dict[str, object]]
) -> dict[tuple[object, ...], tuple[int, ...]]:
    return {
        tuple(
            int(row[column]) if column == table.bucket_column else row[column]  # type: ignore[call-overload]
            for column in table.key_columns
        ): tuple(int(row[column]) for column in table.sum_columns)  # type: ignore[call-overload]
        for row in rows
    }


async def rebuild_rollups(connection: BaseDBAsyncClient) -> None:
    """Recompute every rollup table from the folded logs; run it inside a transaction.

    Pending logs stay pending (the folder adds them later); ingest may go on meanwhile,
    since a new log and its pending row commit together.
    """
    dialect = dialect_of_connection(connection)
    await lock_out_folds(connection)
    for table in ROLLUP_TABLES:
        columns = ", ".join((*table.key_columns, *table.sum_columns))
        select = rollup_rows_sql(table, dialect, where=folded_condition())
        await connection.execute_script(f"DELETE FROM {table.name}")  # noqa: S608
        await connection.execute_query(f"INSERT INTO {table.name} ({columns}) {select}")
