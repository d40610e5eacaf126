"""Budget spend per window, kept in the ingest transaction, and the alerts it raises.

`record_spend` is the one call the write path makes, inside its transaction, after the
logs are inserted, with the budgets in force (in_force.py). It adds their costs to every
budget window they fall in (rows updated in (budget id, window start) order, so
concurrent writers cannot deadlock on them), closes the reservations they used, and
creates one alert event per budget, window and threshold crossed (the database's
unique constraint decides races). A window row is created on first use from the logs
already in it, so a budget counts the usage of its current window from the moment it
is created.
"""

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from billgraph.models import Budget, PricingSource, ReservationStatus
from billgraph.services.budgets.rules import parse_thresholds
from billgraph.services.budgets.scope import (
    ESTIMATED_SUM_SQL,
    budget_window,
    covers,
    logs_in_window_sql,
    window_bounds,
)
from billgraph.services.budgets.windows import Window
from billgraph.services.costs import format_decimal, from_pico
from billgraph.services.sql import Params, dialect_of_connection
from billgraph.services.time_buckets import epoch_seconds

ALERT_EVENT_TYPE = "budget.threshold_crossed"


@dataclass(frozen=True, slots=True)
class Spend:
    """The essentials of one newly inserted usage log, as plain values."""

    occurred_at: datetime
    user_id: str | None
    api_key_id: int | None
    provider: str
    model: str
    cost_total_pico: int
    pricing_source: PricingSource | str
    reservation_id: str | None = None


@dataclass(frozen=True, slots=True)
class WindowSpend:
    spent_pico: int
    estimated_pico: int


async def record_spend(
    connection: BaseDBAsyncClient,
    *,
    spends: Sequence[Spend],
    budgets: Sequence[Budget],
    now: datetime | None = None,
) -> None:
    """Add new logs' costs to `budgets` (those in force, see in_force.py) where they
    count; never raises for a budget."""
    if not spends:
        return
    now = now or datetime.now(UTC)
    await _close_reservations(connection, spends, now)
    if not budgets:
        return
    deltas: dict[tuple[int, int], list[int]] = {}
    windows: dict[tuple[int, int], tuple[Budget, Window]] = {}
    for spend in spends:
        for budget in budgets:
            if not covers(
                budget,
                user_id=spend.user_id,
                api_key_id=spend.api_key_id,
                provider=spend.provider,
                model=spend.model,
            ):
                continue
            window = budget_window(budget, spend.occurred_at)
            key = (budget.id, epoch_seconds(window.start))
            windows[key] = (budget, window)
            delta = deltas.setdefault(key, [0, 0])
            delta[0] += spend.cost_total_pico
            if str(spend.pricing_source) == PricingSource.BUILTIN_ESTIMATE.value:
                delta[1] += spend.cost_total_pico
    for key in sorted(deltas):
        budget, window = windows[key]
        spent, estimated = deltas[key]
        totals = await add_to_window(
            connection, budget=budget, window=window, spent_pico=spent, estimated_pico=estimated
        )
        await create_alert_events(connection, budget=budget, window=window, spend=totals, now=now)


async def add_to_window(
    connection: BaseDBAsyncClient,
    *,
    budget: Budget,
    window: Window,
    spent_pico: int,
    estimated_pico: int,
) -> WindowSpend:
    """Add amounts to a window row (created from its logs on first use); return its totals.

    The logs being added must already be inserted in this transaction: a new row sums
    them together with the older ones.
    """
    dialect = dialect_of_connection(connection)
    start, _end = window_bounds(window)
    params = Params(dialect)
    update = (
        f"UPDATE budget_window_spend SET spent_pico = spent_pico + {params.add(spent_pico)}, "  # noqa: S608
        f"estimated_pico = estimated_pico + {params.add(estimated_pico)} "
        f"WHERE budget_id = {params.add(budget.id)} AND window_start = {params.add(start)} "
        "RETURNING spent_pico, estimated_pico"
    )
    rows = await connection.execute_query_dict(update, params.values)
    if not rows:
        rows = await _create_window_row(connection, budget=budget, window=window)
        if not rows:  # another transaction created it meanwhile
            rows = await connection.execute_query_dict(update, params.values)
    return _spend_of(rows[0])


def _spend_of(row: dict[str, Any]) -> WindowSpend:
    return WindowSpend(int(row["spent_pico"]), int(row["estimated_pico"]))


async def _create_window_row(
    connection: BaseDBAsyncClient, *, budget: Budget, window: Window
) -> list[dict[str, Any]]:
    """Insert a window row summing the logs in it; return it, or [] if it already exists."""
    dialect = dialect_of_connection(connection)
    params = Params(dialect)
    start, end = window_bounds(window)
    # Typed placeholders: PostgreSQL cannot infer the type of a bare parameter in a SELECT list.
    head = (
        f"CAST({params.add(budget.id)} AS INTEGER), CAST({params.add(start)} AS BIGINT), "
        f"CAST({params.add(end)} AS BIGINT)"
    )
    where = logs_in_window_sql(budget, window, params)
    sql = (
        "INSERT INTO budget_window_spend "  # noqa: S608
        "(budget_id, window_start, window_end, spent_pico, estimated_pico) "
        f"SELECT {head}, CAST(COALESCE(SUM(cost_total_pico), 0) AS BIGINT), "
        f"CAST({ESTIMATED_SUM_SQL} AS BIGINT) FROM api_usage_logs WHERE {where} "
        "ON CONFLICT (budget_id, window_start) DO NOTHING RETURNING spent_pico, estimated_pico"
    )
    return await connection.execute_query_dict(sql, params.values)


async def window_spend_for_update(
    connection: BaseDBAsyncClient, *, budget: Budget, window: Window
) -> WindowSpend:
    """Return a window's spend with its row locked until the transaction ends.

    On PostgreSQL the row is locked FOR UPDATE; SQLite serializes write transactions,
    and the caller's transaction has already written (see reservations.py).
    """
    dialect = dialect_of_connection(connection)
    params = Params(dialect)
    start, _end = window_bounds(window)
    lock = dialect.for_update
    select = (
        "SELECT spent_pico, estimated_pico FROM budget_window_spend "  # noqa: S608
        f"WHERE budget_id = {params.add(budget.id)} AND window_start = {params.add(start)}{lock}"
    )
    rows = await connection.execute_query_dict(select, params.values)
    if not rows:
        await _create_window_row(connection, budget=budget, window=window)
        rows = await connection.execute_query_dict(select, params.values)
    return WindowSpend(int(rows[0]["spent_pico"]), int(rows[0]["estimated_pico"]))


async def window_spend(
    connection: BaseDBAsyncClient, *, budget: Budget, window: Window
) -> WindowSpend:
    """Return a window's spend without writing (summed from the logs if it has no row)."""
    dialect = dialect_of_connection(connection)
    params = Params(dialect)
    start, _end = window_bounds(window)
    rows = await connection.execute_query_dict(
        "SELECT spent_pico, estimated_pico FROM budget_window_spend "  # noqa: S608
        f"WHERE budget_id = {params.add(budget.id)} AND window_start = {params.add(start)}",
        params.values,
    )
    if not rows:
        params = Params(dialect)
        where = logs_in_window_sql(budget, window, params)
        rows = await connection.execute_query_dict(
            "SELECT COALESCE(SUM(cost_total_pico), 0) AS spent_pico, "  # noqa: S608
            f"{ESTIMATED_SUM_SQL} AS estimated_pico FROM api_usage_logs WHERE {where}",
            params.values,
        )
    return WindowSpend(int(rows[0]["spent_pico"]), int(rows[0]["estimated_pico"]))


async def drop_expired_holds(
    connection: BaseDBAsyncClient, *, budget_id: int, window: Window, now: datetime
) -> None:
    """Delete a window's expired holds (they no longer count; this keeps the table small)."""
    params = Params(dialect_of_connection(connection))
    start, _end = window_bounds(window)
    expired = params.add(epoch_seconds(now))
    await connection.execute_query(
        f"DELETE FROM budget_holds WHERE expires_at <= {expired} "  # noqa: S608
        f"AND budget_id = {params.add(budget_id)} AND window_start = {params.add(start)}",
        params.values,
    )


async def held_in_window(
    connection: BaseDBAsyncClient, *, budget_id: int, window: Window, now: datetime
) -> int:
    """Return the amount live (unexpired) reservations hold in a window."""
    params = Params(dialect_of_connection(connection))
    start, _end = window_bounds(window)
    rows = await connection.execute_query_dict(
        "SELECT COALESCE(SUM(amount_pico), 0) AS held FROM budget_holds "  # noqa: S608
        f"WHERE budget_id = {params.add(budget_id)} AND window_start = {params.add(start)} "
        f"AND expires_at > {params.add(epoch_seconds(now))}",
        params.values,
    )
    return int(rows[0]["held"])


def thresholds_reached(*, spent_pico: int, limit_pico: int, thresholds: Sequence[int]) -> list[int]:
    """Return the thresholds (percent of the limit) that spent_pico has reached."""
    if spent_pico <= 0:
        return []
    return [value for value in thresholds if spent_pico * 100 >= value * limit_pico]


def percent_used(*, spent_pico: int, limit_pico: int) -> str:
    """Return spent as a percentage of the limit, two decimals, rounded down."""
    if limit_pico == 0:
        return "100" if spent_pico > 0 else "0"
    hundredths = spent_pico * 10_000 // limit_pico
    return format_decimal(from_pico(hundredths * 10**10))


async def create_alert_events(
    connection: BaseDBAsyncClient,
    *,
    budget: Budget,
    window: Window,
    spend: WindowSpend,
    now: datetime,
) -> list[int]:
    """Create the events of thresholds reached but not yet alerted; return their row ids.

    Each new event gets one pending delivery per webhook endpoint.
    """
    reached = thresholds_reached(
        spent_pico=spend.spent_pico,
        limit_pico=budget.limit_pico,
        thresholds=parse_thresholds(budget.thresholds),
    )
    if not reached:
        return []
    dialect = dialect_of_connection(connection)
    params = Params(dialect)
    start, _end = window_bounds(window)
    rows = []
    for threshold in reached:
        event_id = f"evt_{uuid.uuid4().hex}"
        payload = alert_payload(
            event_id=event_id,
            budget=budget,
            window=window,
            threshold=threshold,
            spend=spend,
            now=now,
        )
        rows.append(
            f"({params.add(event_id)}, {params.add(budget.id)}, {params.add(start)}, "
            f"{params.add(threshold)}, {params.add(now)}, {params.add(payload)})"
        )
    inserted = await connection.execute_query_dict(
        "INSERT INTO budget_alert_events "  # noqa: S608
        "(event_id, budget_id, window_start, threshold, created_at, payload) "
        f"VALUES {', '.join(rows)} "
        "ON CONFLICT (budget_id, window_start, threshold) DO NOTHING RETURNING id",
        params.values,
    )
    event_ids = [int(row["id"]) for row in inserted]
    if event_ids:
        await queue_deliveries(connection, event_ids=event_ids, now=now)
    return event_ids


async def queue_deliveries(
    connection: BaseDBAsyncClient, *, event_ids: list[int], now: datetime
) -> None:
    """Add one pending delivery per (event, webhook endpoint)."""
    # SQLite placeholders are positional: add the parameters in the order they appear.
    params = Params(dialect_of_connection(connection))
    due = params.add(epoch_seconds(now))
    created = params.add(now)
    events = ", ".join(params.add(event_id) for event_id in event_ids)
    await connection.execute_query(
        "INSERT INTO webhook_deliveries "  # noqa: S608
        "(event_id, endpoint_id, status, attempts, next_attempt_at, created_at) "
        f"SELECT e.id, w.id, 'PENDING', 0, CAST({due} AS BIGINT), {created} "
        f"FROM budget_alert_events e, webhook_endpoints w WHERE e.id IN ({events})",
        params.values,
    )


def alert_payload(
    *,
    event_id: str,
    budget: Budget,
    window: Window,
    threshold: int,
    spend: WindowSpend,
    now: datetime,
) -> str:
    """Return the webhook body of an alert event (Decimals as strings)."""
    remaining = max(0, budget.limit_pico - spend.spent_pico)
    body = {
        "id": event_id,
        "type": ALERT_EVENT_TYPE,
        "createdAt": now.astimezone(UTC).isoformat(),
        "budget": {
            "id": str(budget.id),
            "name": budget.name,
            "mode": budget.mode.value,
            "period": budget.period.value,
            "timeZone": budget.time_zone,
            "userId": budget.user_id,
            "apiKeyId": str(budget.api_key_id) if budget.api_key_id is not None else None,
            "provider": budget.provider,
            "model": budget.model,
            "limit": format_decimal(from_pico(budget.limit_pico)),
        },
        "window": {
            "start": window.start.isoformat(),
            "end": window.end.isoformat() if window.end is not None else None,
        },
        "threshold": threshold,
        "figures": {
            "spent": format_decimal(from_pico(spend.spent_pico)),
            "estimatedSpent": format_decimal(from_pico(spend.estimated_pico)),
            "limit": format_decimal(from_pico(budget.limit_pico)),
            "remaining": format_decimal(from_pico(remaining)),
            "percentUsed": percent_used(spent_pico=spend.spent_pico, limit_pico=budget.limit_pico),
        },
    }
    return json.dumps(body, separators=(",", ":"))


async def _close_reservations(
    connection: BaseDBAsyncClient, spends: Sequence[Spend], now: datetime
) -> None:
    """Drop the holds of the reservations these logs used: the real cost replaces them."""
    reservation_ids = sorted({s.reservation_id for s in spends if s.reservation_id is not None})
    if not reservation_ids:
        return
    params = Params(dialect_of_connection(connection))
    listed = ", ".join(params.add(reservation_id) for reservation_id in reservation_ids)
    await connection.execute_query(
        f"DELETE FROM budget_holds WHERE reservation_id IN ({listed})",  # noqa: S608
        params.values,
    )
    params = Params(params.dialect)
    status = params.add(ReservationStatus.RECORDED.value)
    closed_at = params.add(now)
    listed = ", ".join(params.add(reservation_id) for reservation_id in reservation_ids)
    held = params.add(ReservationStatus.HELD.value)
    await connection.execute_query(
        f"UPDATE budget_reservations SET status = {status}, closed_at = {closed_at} "  # noqa: S608
        f"WHERE id IN ({listed}) AND status = {held}",
        params.values,
    )
