"""Audited re-pricing: recompute logs with the prices in effect at their time, in chunks.

For when a price was entered wrong. The matching logs are walked in chunks by id. A dry
run only reads them (no transaction, no locks) and reports how many logs and how much
money would change. Applying gives every chunk its own short transaction: lock the
chunk's changed logs, rewrite them with one set-based UPDATE, keep each one's previous
values in `usage_repricing_audit`, and move the rollups by the difference, locking the
rollup rows in one sorted order (only logs already folded have a share to move; see
rollup_folding). Ingest therefore waits for one chunk at most, never for the whole run.

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

from billgraph.models import UsageLog, UsageRepricing
from billgraph.services.api_keys import Caller
from billgraph.services.errors import InvalidInputError, UnavailableError
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.pricing_chain import (
    EnvironmentPrices,
    PricingSnapshot,
    parse_service_tier,
)
from billgraph.services.rollups import (
    PENDING_COLUMNS,
    PENDING_TABLE,
    ROLLUP_TABLES,
    delete_emptied_sql,
    folded_condition,
    lock_out_folds,
    move_logs_sql,
)
from billgraph.services.sql import SQLITE, Params, dialect_of_connection
from billgraph.services.token_counts import TokenCounts
from billgraph.services.usage import UsageFilter, checked_filter, filter_query, priced_columns
from billgraph.services.usage_fields import LOG_COLUMNS, TOKEN_COLUMNS

DEFAULT_CHUNK = 500
MAX_CHUNK = 10_000
_ATTEMPTS = 5  # per chunk, when the database reports a deadlock or serialization failure
_RETRYABLE_STATES = {"40P01", "40001"}
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
    *TOKEN_COLUMNS,
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
        columns = priced_columns(TokenCounts.of_columns(log), price)
        if any(_plain(log[name]) != _plain(value) for name, value in columns.items()):
            moved.append((log, columns))
    return moved


async def _apply_chunk(moved: list[tuple[Log, dict[str, Any]]], actor: Caller) -> None:
    """Rewrite one chunk's changed logs in its own transaction, retried on lock conflicts."""
    ids = [log["id"] for log, _ in moved]
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            async with in_transaction() as connection:
                # First: which logs are folded must not change under the move below.
                await lock_out_folds(connection)
                current = await _lock_priced_columns(ids, connection)
                # Another run may have re-priced some of them since they were read.
                still_moving = [
                    (log, columns)
                    for log, columns in moved
                    if current.get(log["id"]) == _priced_tuple(log)
                ]
                if still_moving:
                    await _move_rollups(still_moving, connection)  # reads the stored prices
                    await _update_logs(still_moving, connection)
                    await _refresh_pending_copies(still_moving, connection)
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


async def _refresh_pending_copies(
    moved: list[tuple[Log, dict[str, Any]]], connection: BaseDBAsyncClient
) -> None:
    """Copy the rewritten logs to their pending rows, for those not folded yet: the fold
    adds a pending row as it is, so it must hold the new prices."""
    dialect = dialect_of_connection(connection)
    params = Params(dialect)
    ids = dialect.rows_table(params, [[log["id"]] for log, _ in moved], [("id", "bigint")], "o")
    assignments = ", ".join(f"{column} = l.{column}" for column in PENDING_COLUMNS)
    await connection.execute_query(
        f"UPDATE {PENDING_TABLE} SET {assignments} FROM api_usage_logs AS l, {ids} "  # noqa: S608
        f"WHERE {PENDING_TABLE}.log_id = l.id AND l.id = o.id",
        params.values,
    )


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)  # enums as their stored text


async def _move_rollups(
    moved: list[tuple[Log, dict[str, Any]]], connection: BaseDBAsyncClient
) -> None:
    """Move each folded log's share of the rollups from its stored prices to its new ones;
    run before the logs are rewritten. Per table: one net upsert in key order
    (rollups.move_logs_sql), then the groups whose last log moved away are deleted. A
    log still pending has no share yet: the fold adds it at its new prices."""
    dialect = dialect_of_connection(connection)
    ids = [[log["id"]] for log, _ in moved]
    new_values = [
        [log["id"], *(_plain(columns[name]) for name in _PRICED_COLUMNS)] for log, columns in moved
    ]
    # The log as it will be: its new priced columns, the others as stored.
    as_repriced = ", ".join(
        f"n.{column}" if column in _PRICED_COLUMNS else f"l.{column}" for column in LOG_COLUMNS
    )
    for table in ROLLUP_TABLES:
        params = Params(dialect)
        stored = dialect.rows_table(params, ids, [("id", "bigint")], "o")
        repriced = dialect.rows_table(
            params, new_values, [("id", "bigint"), *_PRICED_COLUMNS.items()], "n"
        )
        folded = folded_condition("l")
        before = (
            f"(SELECT l.* FROM api_usage_logs AS l, {stored} "  # noqa: S608
            f"WHERE l.id = o.id AND {folded}) AS b"
        )
        after = (
            f"(SELECT {as_repriced} FROM api_usage_logs AS l, {repriced} "  # noqa: S608
            f"WHERE l.id = n.id AND {folded}) AS a"
        )
        groups = await connection.execute_query_dict(
            move_logs_sql(table, dialect, before=before, after=after), params.values
        )
        emptied = [
            [group[column] for column in table.key_columns]
            for group in groups
            if group["requests"] == 0
        ]
        if emptied:
            await connection.execute_many(delete_emptied_sql(table, dialect), emptied)


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
