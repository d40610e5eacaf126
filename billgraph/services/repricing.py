"""Audited re-pricing: recompute logs with the prices in effect at their time, in chunks.

For when a price was entered wrong. The matching logs are walked in chunks by id. A dry
run only reads them (no transaction, no locks) and reports how many logs and how much
money would change. Applying gives every chunk its own short transaction: lock the
chunk's changed logs, rewrite them with one set-based UPDATE, keep each one's previous
values in `usage_repricing_audit`, and move the rollups by the difference, locking the
rollup rows in one sorted order. Ingest therefore waits for one chunk at most, never for
the whole run.

A run is resumable and idempotent: a log already at its current price is not changed
again, so running it again (or from `after_id`, the last id a progress report named)
finishes the work and changes nothing twice.
"""

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from billgraph.models import PricingSource, UsageLog, UsageRepricing
from billgraph.services.api_keys import Caller
from billgraph.services.errors import InvalidInputError, UnavailableError
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.pricing_chain import (
    EnvironmentPrices,
    PricingSnapshot,
    parse_service_tier,
)
from billgraph.services.rollups import ROLLUP_TABLES, RollupTable
from billgraph.services.sql import SQLITE, Dialect, Params, dialect_of_connection
from billgraph.services.usage import UsageFilter, checked_filter, filter_query, priced_columns

DEFAULT_CHUNK = 500
MAX_CHUNK = 10_000
_ATTEMPTS = 5  # per chunk, when the database reports a deadlock or serialization failure
_RETRYABLE_STATES = {"40P01", "40001"}
_TOKEN_COLUMNS = (
    "tokens_input",
    "tokens_output",
    "tokens_cached_input",
    "tokens_cache_write",
    "tokens_reasoning",
)
# The columns re-pricing rewrites, and their PostgreSQL array types.
_PRICED_COLUMNS = {
    "input_token_cost_pico": "bigint",
    "output_token_cost_pico": "bigint",
    "cached_input_token_cost_pico": "bigint",
    "cache_write_token_cost_pico": "bigint",
    "reasoning_token_cost_pico": "bigint",
    "cost_input_pico": "bigint",
    "cost_output_pico": "bigint",
    "cost_cached_input_pico": "bigint",
    "cost_cache_write_pico": "bigint",
    "cost_reasoning_pico": "bigint",
    "cost_total_pico": "bigint",
    "pricing_source": "text",
    "matched_model_name": "text",
    "pricing_id": "integer",
    "priced_service_tier": "text",
    "priced_above_prompt_tokens": "bigint",
}


@dataclass(frozen=True, slots=True)
class RepricingReport:
    dry_run: bool
    logs: int
    changed: int
    cost_total_before_pico: int
    cost_total_after_pico: int
    last_id: int | None = None  # the last log id walked: resume after it

    @property
    def difference_pico(self) -> int:
        return self.cost_total_after_pico - self.cost_total_before_pico


async def count_matching_logs(*, usage_filter: UsageFilter) -> int:
    """Return how many logs a re-pricing with this filter walks (for progress bars)."""
    return await UsageLog.filter(filter_query(checked_filter(usage_filter))).count()


async def reprice_usage(
    *,
    usage_filter: UsageFilter,
    dry_run: bool,
    environment_prices: EnvironmentPrices,
    cache: PricingCache,
    actor: Caller,
    after_id: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    on_chunk: Callable[[RepricingReport], object] = lambda report: None,
) -> RepricingReport:
    """Recompute the matching logs at the prices in effect when each occurred, chunk by chunk."""
    if not 1 <= chunk_size <= MAX_CHUNK:
        raise InvalidInputError(f"{{field}} must be between 1 and {MAX_CHUNK}", field="chunk_size")
    usage_filter = checked_filter(usage_filter)
    snapshot = await cache.snapshot()
    report = RepricingReport(dry_run, 0, 0, 0, 0, after_id)
    while True:
        logs = await _chunk_of_logs(usage_filter, after_id=report.last_id or 0, size=chunk_size)
        if not logs:
            return report
        moved = _reprice(logs, snapshot, environment_prices)
        if not dry_run and moved:
            await _apply_chunk(moved, actor)
        before = sum(log["cost_total_pico"] for log in logs)
        report = RepricingReport(
            dry_run=dry_run,
            logs=report.logs + len(logs),
            changed=report.changed + len(moved),
            cost_total_before_pico=report.cost_total_before_pico + before,
            cost_total_after_pico=report.cost_total_after_pico
            + before
            + sum(columns["cost_total_pico"] - log["cost_total_pico"] for log, columns in moved),
            last_id=logs[-1]["id"],
        )
        on_chunk(report)
        await asyncio.sleep(0)  # pricing a chunk is CPU work: let other requests in


Log = dict[str, Any]  # one log's columns, as read by _chunk_of_logs
_READ_COLUMNS = (
    "id",
    "provider",
    "model",
    "service_tier",
    "user_id",
    "occurred_at",
    *_TOKEN_COLUMNS,
)


async def _chunk_of_logs(usage_filter: UsageFilter, *, after_id: int, size: int) -> list[Log]:
    """Return the next `size` matching logs after `after_id`, by id: one plain read."""
    connection = UsageLog._meta.db
    params = Params(dialect_of_connection(connection))
    where = [f"id > {params.add(after_id)}"]
    for column, value in (
        ("provider", usage_filter.provider),
        ("model", usage_filter.model),
        ("pricing_source", usage_filter.pricing_source),
        ("service_tier", usage_filter.service_tier),
        ("user_id", usage_filter.user_id),
    ):
        if value is not None:
            where.append(f"{column} = {params.add(_plain(value))}")
    if usage_filter.occurred_from is not None:
        where.append(f"occurred_at >= {params.add(usage_filter.occurred_from)}")
    if usage_filter.occurred_to is not None:
        where.append(f"occurred_at < {params.add(usage_filter.occurred_to)}")
    columns = ", ".join((*_READ_COLUMNS, *_PRICED_COLUMNS))
    rows = await connection.execute_query_dict(
        f"SELECT {columns} FROM api_usage_logs WHERE {' AND '.join(where)} "  # noqa: S608
        f"ORDER BY id LIMIT {int(size)}",
        params.values,
    )
    for row in rows:
        moment = row["occurred_at"]
        # SQLite returns the stored ISO 8601 text, PostgreSQL a datetime.
        row["occurred_at"] = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return rows


def _reprice(
    logs: Sequence[Log], snapshot: PricingSnapshot, environment_prices: EnvironmentPrices
) -> list[tuple[Log, dict[str, Any]]]:
    """Return the logs whose priced columns change, each with its new columns."""
    moved = []
    for log in logs:
        price = snapshot.resolve(
            provider=log["provider"],
            model=log["model"],
            environment_prices=environment_prices,
            at=log["occurred_at"],
            service_tier=parse_service_tier(log["service_tier"]),
            prompt_tokens=log["tokens_input"],
        )
        columns = priced_columns({name: log[name] for name in _TOKEN_COLUMNS}, price)
        if any(_plain(log[name]) != _plain(value) for name, value in columns.items()):
            moved.append((log, columns))
    return moved


async def _apply_chunk(moved: list[tuple[Log, dict[str, Any]]], actor: Caller) -> None:
    """Rewrite one chunk's changed logs in its own transaction, retried on lock conflicts."""
    ids = [log["id"] for log, _ in moved]
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            async with in_transaction() as connection:
                current = await _lock_priced_columns(ids, connection)
                # Another run may have re-priced some of them since they were read.
                still_moving = [
                    (log, columns)
                    for log, columns in moved
                    if current.get(log["id"]) == _priced_tuple(log)
                ]
                if still_moving:
                    await _update_logs(still_moving, connection)
                    await _move_rollups(still_moving, connection)
                    await UsageRepricing.bulk_create(
                        [_audit_row(log, columns, actor) for log, columns in still_moving],
                        using_db=connection,
                    )
        except Exception as error:
            if _sqlstate(error) not in _RETRYABLE_STATES and "database is locked" not in str(error):
                raise
            if attempt == _ATTEMPTS:
                raise UnavailableError(
                    "re-pricing kept meeting lock conflicts with other writers; run it again "
                    "to continue (it is idempotent)"
                ) from None
            await asyncio.sleep(0.05 * attempt)
        else:
            return


async def _lock_priced_columns(
    ids: list[int], connection: BaseDBAsyncClient
) -> dict[int, tuple[Any, ...]]:
    """Lock the logs (in id order) and return their priced columns as they are now."""
    columns = ", ".join(("id", *_PRICED_COLUMNS))
    dialect = dialect_of_connection(connection)
    if dialect is SQLITE:
        # Take SQLite's write lock first (waiting for other writers): a read that later
        # upgrades to a write fails at once if another process committed in between.
        await connection.execute_query("UPDATE api_usage_logs SET id = id WHERE id = ?", [ids[0]])
        placeholders = ", ".join(dialect.placeholders(len(ids)))
        sql = f"SELECT {columns} FROM api_usage_logs WHERE id IN ({placeholders})"  # noqa: S608
        rows = await connection.execute_query_dict(sql, list(ids))
    else:
        rows = await connection.execute_query_dict(
            f"SELECT {columns} FROM api_usage_logs WHERE id = ANY($1::bigint[]) "  # noqa: S608
            "ORDER BY id FOR UPDATE",
            [ids],
        )
    return {row["id"]: _priced_tuple(row) for row in rows}


def _priced_tuple(log: Log) -> tuple[Any, ...]:
    return tuple(_plain(log[name]) for name in _PRICED_COLUMNS)


def _sqlstate(error: BaseException) -> str | None:
    cause: BaseException | None = error
    while cause is not None:
        state = getattr(cause, "sqlstate", None)
        if isinstance(state, str):
            return state
        cause = cause.__cause__ or cause.__context__
    return None


async def _update_logs(
    moved: list[tuple[Log, dict[str, Any]]], connection: BaseDBAsyncClient
) -> None:
    """One UPDATE for the whole chunk, joined to its new values by id."""
    dialect = dialect_of_connection(connection)
    params = Params(dialect)
    names = list(_PRICED_COLUMNS)
    rows = [[log["id"], *(_plain(columns[name]) for name in names)] for log, columns in moved]
    assignments = ", ".join(f"{name} = v.{name}" for name in names)
    columns = [("id", "bigint"), *_PRICED_COLUMNS.items()]
    source = dialect.rows_table(params, rows, columns, "v")
    await connection.execute_query(
        f"UPDATE api_usage_logs SET {assignments} FROM {source} "  # noqa: S608
        "WHERE api_usage_logs.id = v.id",
        params.values,
    )


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)  # enums as their stored text


def _rollup_key(table: RollupTable, log: Log, pricing_source: str) -> tuple[object, ...]:
    values = {
        "user_key": log["user_id"] or "",
        "provider": log["provider"],
        "model": log["model"],
        "pricing_source": pricing_source,
        "service_tier": log["service_tier"],
    }
    bucket = int(log["occurred_at"].timestamp()) // table.bucket_seconds
    return (bucket, *(values[column] for column in table.dimensions))


def _rollup_sums(table: RollupTable, log: Log, columns: dict[str, Any]) -> list[int]:
    sums = [
        1,
        log["tokens_input"],
        log["tokens_output"],
        log["tokens_cached_input"],
        log["tokens_cache_write"],
        log["tokens_reasoning"],
        columns["cost_input_pico"],
        columns["cost_output_pico"],
        columns["cost_total_pico"],
    ]
    if table.carries_estimate:
        estimated = _plain(columns["pricing_source"]) == PricingSource.BUILTIN_ESTIMATE.value
        sums.append(columns["cost_total_pico"] if estimated else 0)
    return sums


async def _move_rollups(
    moved: list[tuple[Log, dict[str, Any]]], connection: BaseDBAsyncClient
) -> None:
    """Add each log's new share to the rollups and take its old share out, in key order."""
    dialect = dialect_of_connection(connection)
    for table in ROLLUP_TABLES:
        deltas: dict[tuple[object, ...], list[int]] = {}
        for log, new in moved:
            old = {name: log[name] for name in _PRICED_COLUMNS}
            for sign, columns in ((-1, old), (1, new)):
                key = _rollup_key(table, log, _plain(columns["pricing_source"]))
                sums = deltas.setdefault(key, [0] * len(table.sum_columns))
                for index, value in enumerate(_rollup_sums(table, log, columns)):
                    sums[index] += sign * value
        # One sorted order for every writer that locks several rollup rows.
        changed = sorted(((key, sums) for key, sums in deltas.items() if any(sums)), key=_sort_key)
        if not changed:
            continue
        await connection.execute_many(
            _upsert_sql(table, dialect), [[*key, *sums] for key, sums in changed]
        )
        emptied = [key for key, sums in changed if sums[0] < 0]
        if emptied:
            await connection.execute_many(
                _delete_empty_sql(table, dialect), [list(key) for key in emptied]
            )


def _sort_key(item: tuple[tuple[object, ...], list[int]]) -> tuple[str, ...]:
    return tuple(f"{part:020d}" if isinstance(part, int) else str(part) for part in item[0])


def _upsert_sql(table: RollupTable, dialect: Dialect) -> str:
    columns = (*table.key_columns, *table.sum_columns)
    increments = ", ".join(
        f"{column} = {table.name}.{column} + excluded.{column}" for column in table.sum_columns
    )
    return (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join(dialect.placeholders(len(columns)))}) "
        f"ON CONFLICT ({', '.join(table.key_columns)}) DO UPDATE SET {increments}"
    )


def _delete_empty_sql(table: RollupTable, dialect: Dialect) -> str:
    """A group whose last log moved away disappears, as if the rollup were built from the logs."""
    placeholders = dialect.placeholders(len(table.key_columns))
    matches = " AND ".join(
        f"{column} = {placeholder}"
        for column, placeholder in zip(table.key_columns, placeholders, strict=True)
    )
    return f"DELETE FROM {table.name} WHERE requests = 0 AND {matches}"  # noqa: S608


def _audit_row(log: Log, columns: dict[str, Any], actor: Caller) -> UsageRepricing:
    return UsageRepricing(
        usage_log_id=log["id"],
        api_key_id=actor.key_id,
        api_key_name=actor.name,
        old_values=_values({name: log[name] for name in _PRICED_COLUMNS}),
        new_values=_values(columns),
    )


def _values(columns: dict[str, Any]) -> dict[str, Any]:
    """A log's pricing as the audit keeps it: pico-dollar integers and the chain's answer."""
    return {
        "pricingSource": _plain(columns["pricing_source"]),
        "matchedModelName": columns["matched_model_name"],
        "pricingId": columns["pricing_id"],
        "pricedServiceTier": _plain(columns["priced_service_tier"]),
        "pricedAbovePromptTokens": columns["priced_above_prompt_tokens"],
        **{
            name: columns[name]
            for name in _PRICED_COLUMNS
            if name
            not in {
                "pricing_source",
                "matched_model_name",
                "pricing_id",
                "priced_service_tier",
                "priced_above_prompt_tokens",
            }
        },
    }
