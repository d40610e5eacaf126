"""Grouped cost reports and time series: rollups for the aligned interior, logs for the edges.

A report groups the matching usage by dimensions (provider, model, user, pricing source,
service tier)
and at most one calendar bucket (hour, day, week, month in an IANA zone). Its range is
cut once into pieces of one bucket each (`bucket_plan`); each piece is read from the
rollup table that fits the question, for the whole rollup buckets it contains, and from
the logs for what is left at its edges (from=10:42:47, India's :30 day boundaries):

- `usage_rollup_hourly` (whole UTC hours) when no user is involved;
- `usage_rollup_daily_user_total` (whole UTC days) when a user is involved and no
  provider, model, pricing source or service tier is grouped or filtered (top users);
- `usage_rollup_daily_user` (whole UTC days) otherwise.

On PostgreSQL the logs not yet folded into the rollups (`usage_rollup_pending`, see
rollup_folding) are added to the rollup part. One statement sums all parts, joining the
pieces as a small table of bounds, so the totals are exact and the SQL does not grow
with the range.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from billgraph.models import PricingSource, ServiceTier, UsageLog
from billgraph.services.api_keys import Caller
from billgraph.services.bucket_plan import (
    BucketPlan,
    Piece,
    bucket_range,
    plan_buckets,
    split_for_rollup,
)
from billgraph.services.costs import PICO_PER_USD
from billgraph.services.errors import InvalidInputError
from billgraph.services.report_limits import MAX_BUCKETS, ReportBudget
from billgraph.services.rollups import (
    DAILY_USER,
    DAILY_USER_TOTAL,
    HOURLY,
    PENDING_TABLE,
    RollupTable,
    rollup_rows_sql,
)
from billgraph.services.sql import (
    POSTGRES,
    Dialect,
    Params,
    dialect_of_connection,
    estimated_cost_sql,
    run_report_query,
)
from billgraph.services.time_buckets import (
    Granularity,
    bucket_start,
    epoch_seconds,
    from_epoch_seconds,
    parse_zone,
)
from billgraph.services.token_counts import TokenCounts
from billgraph.services.usage import UsageFilter, checked_filter, narrow_to_caller
from billgraph.services.usage_fields import TOKEN_COLUMNS
from billgraph.services.usage_totals import UsageTotals

MAX_REPORT_ROWS = 10_000
MAX_REPORT_FIRST = 1000


class UsageDimension(StrEnum):
    PROVIDER = "PROVIDER"
    MODEL = "MODEL"
    USER = "USER"
    PRICING_SOURCE = "PRICING_SOURCE"
    SERVICE_TIER = "SERVICE_TIER"
    HOUR = "HOUR"
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


class CostReportOrder(StrEnum):
    COST_DESC = "COST_DESC"
    COST_ASC = "COST_ASC"
    KEY_ASC = "KEY_ASC"


_TIME_DIMENSIONS = {
    UsageDimension.HOUR: Granularity.HOUR,
    UsageDimension.DAY: Granularity.DAY,
    UsageDimension.WEEK: Granularity.WEEK,
    UsageDimension.MONTH: Granularity.MONTH,
}


@dataclass(frozen=True, slots=True)
class ReportKey:
    """The group a report row totals; dimensions not grouped by are None."""

    provider: str | None = None
    model: str | None = None
    user_id: str | None = None
    pricing_source: PricingSource | None = None
    service_tier: ServiceTier | None = None
    bucket_start: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReportRow:
    key: ReportKey
    totals: UsageTotals


@dataclass(frozen=True, slots=True)
class CostReport:
    rows: list[ReportRow]
    answered_from: str  # the table the planner chose, for tests and diagnostics


@dataclass(frozen=True, slots=True)
class _Plan:
    """What to group, and which pieces of the range to read from the rollup and the logs."""

    dimensions: tuple[UsageDimension, ...]
    buckets: BucketPlan
    rollup: RollupTable
    rollup_pieces: list[Piece]  # in the rollup's bucket numbers
    log_pieces: list[Piece]  # in epoch seconds


_COLUMN_OF = {
    UsageDimension.PROVIDER: "provider",
    UsageDimension.MODEL: "model",
    UsageDimension.PRICING_SOURCE: "pricing_source",
    UsageDimension.SERVICE_TIER: "service_tier",
}
_YIELD_EVERY = 250  # rows converted between returns to the event loop


async def cost_report(
    *,
    usage_filter: UsageFilter,
    group_by: Sequence[UsageDimension],
    time_zone: str,
    order: CostReportOrder,
    first: int | None,
    caller: Caller,
    budget: ReportBudget | None = None,
) -> CostReport:
    """Return one row of exact totals per group of the matching usage."""
    if first is not None and not 1 <= first <= MAX_REPORT_FIRST:
        raise InvalidInputError(f"first must be between 1 and {MAX_REPORT_FIRST}", field="first")
    usage_filter = checked_filter(narrow_to_caller(usage_filter, caller))
    budget = budget if budget is not None else ReportBudget()
    plan = await _plan(usage_filter, group_by, time_zone, budget)
    limit = first if first is not None else MAX_REPORT_ROWS + 1
    rows = await _run(plan, usage_filter, order=order, limit=limit, budget=budget)
    if first is None and len(rows) > MAX_REPORT_ROWS:
        raise InvalidInputError(
            f"the report has more than {MAX_REPORT_ROWS} groups: ask for the top ones with "
            "{first}, or narrow the filter",
            field="group_by",
            mentions=("first",),
        )
    return CostReport(rows=rows, answered_from=_source_name(plan))


async def cost_summary(
    *, usage_filter: UsageFilter, caller: Caller, budget: ReportBudget | None = None
) -> UsageTotals:
    """Return exact totals of the matching usage the caller may see: a report with no groups."""
    report = await cost_report(
        usage_filter=usage_filter,
        group_by=[],
        time_zone="UTC",
        order=CostReportOrder.COST_DESC,
        first=None,
        caller=caller,
        budget=budget,
    )
    return report.rows[0].totals if report.rows else _ZERO


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    bucket_start: datetime
    totals: UsageTotals


async def cost_time_series(
    *,
    usage_filter: UsageFilter,
    granularity: Granularity,
    time_zone: str,
    caller: Caller,
    budget: ReportBudget | None = None,
) -> list[SeriesPoint]:
    """Return one point per bucket between from and to, empty buckets as zeros."""
    if usage_filter.occurred_from is None:
        raise InvalidInputError("a time series needs filter.{field}", field="occurred_from")
    if usage_filter.occurred_to is None:
        raise InvalidInputError("a time series needs filter.{field}", field="occurred_to")
    dimension = next(key for key, value in _TIME_DIMENSIONS.items() if value is granularity)
    usage_filter = checked_filter(narrow_to_caller(usage_filter, caller))
    budget = budget if budget is not None else ReportBudget()
    plan = await _plan(usage_filter, [dimension], time_zone, budget)
    rows = await _run_raw(
        plan, usage_filter, order=CostReportOrder.KEY_ASC, limit=MAX_BUCKETS + 1, budget=budget
    )
    by_ordinal = {int(row["k0"]): _totals(row) for row in rows}
    points = []
    for index, ordinal in enumerate(plan.buckets.ordinals):
        start = bucket_start(ordinal, granularity, plan.buckets.zone)
        points.append(SeriesPoint(start, by_ordinal.get(ordinal, _ZERO)))
        if index % _YIELD_EVERY == _YIELD_EVERY - 1:
            await asyncio.sleep(0)
    return points


_ZERO = UsageTotals(0, TokenCounts(0, 0), 0, 0, 0, 0)


def _source_name(plan: _Plan) -> str:
    parts = []
    if plan.rollup_pieces:
        parts.append(plan.rollup.name)
    if plan.log_pieces:
        parts.append("api_usage_logs")
    return "+".join(parts) or "nothing"


async def _plan(
    usage_filter: UsageFilter,
    group_by: Sequence[UsageDimension],
    time_zone: str,
    budget: ReportBudget,
) -> _Plan:
    """Check the question, count its buckets, charge the budget, then cut the range once."""
    dimensions = tuple(dict.fromkeys(group_by))
    if len(dimensions) != len(group_by):
        raise InvalidInputError("{field} names a dimension twice", field="group_by")
    time_dimensions = [dimension for dimension in dimensions if dimension in _TIME_DIMENSIONS]
    if len(time_dimensions) > 1:
        raise InvalidInputError(
            "{field} may name at most one of HOUR, DAY, WEEK, MONTH", field="group_by"
        )
    zone = parse_zone(time_zone)
    granularity = _TIME_DIMENSIONS[time_dimensions[0]] if time_dimensions else None
    start = _seconds(usage_filter.occurred_from)
    end = _seconds(usage_filter.occurred_to)
    if granularity is None:
        budget.charge(buckets=1)
        bucket_plan = plan_buckets(start, end, None, zone)
    else:
        data = await _data_range() if start is None or end is None else None
        if data is not None:
            start = start if start is not None else data[0]
            end = end if end is not None else data[1]
        if start is None or end is None:  # no logs at all: an empty report
            start = end = 0
        ordinals = bucket_range(start, end, granularity, zone)
        if len(ordinals) > MAX_BUCKETS:
            raise InvalidInputError(
                f"{len(ordinals)} {granularity.value.lower()} buckets between "
                f"{{occurred_from}} and {{field}}; at most {MAX_BUCKETS}: narrow the range or "
                "use a coarser granularity",
                field="occurred_to",
                mentions=("occurred_from",),
            )
        budget.charge(buckets=max(len(ordinals), 1))
        if data is None and len(ordinals) > _CLIP_ABOVE_BUCKETS:
            data = await _data_range()
        read = None
        if data is not None:
            read = (0, 0) if data[0] is None or data[1] is None else (data[0], data[1])
        bucket_plan = plan_buckets(start, end, granularity, zone, ordinals=ordinals, read=read)
    rollup = _rollup_for(dimensions, usage_filter)
    rollup_pieces, log_pieces = split_for_rollup(bucket_plan.pieces, rollup.bucket_seconds)
    return _Plan(dimensions, bucket_plan, rollup, rollup_pieces, log_pieces)


def _seconds(moment: datetime | None) -> int | None:
    return epoch_seconds(moment) if moment is not None else None


async def _data_range() -> tuple[int, int] | tuple[None, None]:
    """Return [earliest, latest + 1 s] of all logs: two index look-ups."""
    rows = await run_report_query(
        "SELECT (SELECT MIN(occurred_at) FROM api_usage_logs) AS earliest, "
        "(SELECT MAX(occurred_at) FROM api_usage_logs) AS latest",
        [],
        timeout_seconds=_DATA_RANGE_SECONDS,
    )
    earliest, latest = rows[0]["earliest"], rows[0]["latest"]
    if earliest is None or latest is None:
        return None, None
    return _stored_seconds(earliest), _stored_seconds(latest) + 1


def _stored_seconds(value: datetime | str) -> int:
    # SQLite returns the stored ISO 8601 text, PostgreSQL a datetime.
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return epoch_seconds(moment)


# Wider ranges than this are cut down to where logs exist before they are planned.
_CLIP_ABOVE_BUCKETS = 400
_DATA_RANGE_SECONDS = 5.0


def _rollup_for(dimensions: tuple[UsageDimension, ...], usage_filter: UsageFilter) -> RollupTable:
    """Return the smallest rollup table that holds every dimension the question names."""
    involves_user = UsageDimension.USER in dimensions or usage_filter.user_id is not None
    if not involves_user:
        return HOURLY
    breaks_down = any(dimension in _COLUMN_OF for dimension in dimensions) or any(
        value is not None
        for value in (
            usage_filter.provider,
            usage_filter.model,
            usage_filter.pricing_source,
            usage_filter.service_tier,
        )
    )
    return DAILY_USER if breaks_down else DAILY_USER_TOTAL


# Rollup bucket numbers stand for "unbounded" on an open side of the range.
_NO_LOWER_BUCKET = -(2**62)
_NO_UPPER_BUCKET = 2**62


async def _run(
    plan: _Plan,
    usage_filter: UsageFilter,
    *,
    order: CostReportOrder,
    limit: int,
    budget: ReportBudget,
) -> list[ReportRow]:
    rows = await _run_raw(plan, usage_filter, order=order, limit=limit, budget=budget)
    keys = list(plan.dimensions)
    converted = []
    for index, row in enumerate(rows):
        if keys or row["requests"]:
            converted.append(_row(plan, keys, row))
        if index % _YIELD_EVERY == _YIELD_EVERY - 1:
            await asyncio.sleep(0)
    return converted


async def _run_raw(
    plan: _Plan,
    usage_filter: UsageFilter,
    *,
    order: CostReportOrder,
    limit: int,
    budget: ReportBudget,
) -> list[dict[str, Any]]:
    if not plan.rollup_pieces and not plan.log_pieces:
        return []
    dialect = dialect_of_connection(UsageLog._meta.db)
    sql, values = _report_sql(plan, usage_filter, dialect, order=order, limit=limit)
    return await run_report_query(sql, values, timeout_seconds=budget.seconds_left())


def _report_sql(
    plan: _Plan, usage_filter: UsageFilter, dialect: Dialect, *, order: CostReportOrder, limit: int
) -> tuple[str, list[object]]:
    """Return one statement summing the rollup pieces and the log pieces, and its values."""
    params = Params(dialect)
    branches = []
    if plan.rollup_pieces:
        branches.append(_rollup_branch(plan, usage_filter, params))
        if params.dialect is POSTGRES:  # SQLite adds logs to the rollups as it inserts them
            branches.append(_pending_branch(plan, usage_filter, params))
    if plan.log_pieces:
        branches.append(_logs_branch(plan, usage_filter, params))
    keys = [_branch_column(dimension) for dimension in plan.dimensions]
    selected = [f"{column} AS k{index}" for index, column in enumerate(keys)]
    selected += ["SUM(requests) AS requests", *(f"SUM({name}) AS {name}" for name in TOKEN_COLUMNS)]
    for name in ("cost_input", "cost_output", "cost_total", "estimated"):
        whole, rest = dialect.exact_sum(f"{name}_pico")
        selected.append(f"{whole} AS {name}_usd")
        selected.append(f"{rest} AS {name}_rest")
    key_order = [f"k{index}" for index in range(len(keys))]
    if order is CostReportOrder.KEY_ASC:
        order_sql = key_order
    else:
        direction = "DESC" if order is CostReportOrder.COST_DESC else "ASC"
        order_sql = [
            f"{term} {direction}" for term in dialect.exact_order("cost_total_pico")
        ] + key_order
    # Only identifiers and integers built here go into the text; values are parameters.
    sql = f"SELECT {', '.join(selected)} FROM ({' UNION ALL '.join(branches)}) AS u"  # noqa: S608
    if keys:
        sql += " GROUP BY " + ", ".join(key_order)
    if order_sql:
        sql += " ORDER BY " + ", ".join(order_sql)
    sql += f" LIMIT {int(limit)}"
    return sql, params.values


def _branch_column(dimension: UsageDimension) -> str:
    if dimension in _COLUMN_OF:
        return _COLUMN_OF[dimension]
    return "user_id" if dimension is UsageDimension.USER else "bucket"


_AMOUNTS = (*TOKEN_COLUMNS, "cost_input_pico", "cost_output_pico")


def _rollup_branch(
    plan: _Plan, usage_filter: UsageFilter, params: Params, *, rows: str | None = None
) -> str:
    """SELECT the rollup rows of the rollup pieces, each tagged with its bucket.

    `rows`: a subquery of rows shaped like the rollup table's to read instead of it.
    """
    table = plan.rollup
    pieces = _rollup_bounds(plan)
    columns = _dimension_columns(plan, user_column="r.user_key")
    columns += ["r.requests AS requests", *(f"r.{name} AS {name}" for name in _AMOUNTS)]
    columns.append("r.cost_total_pico AS cost_total_pico")
    columns.append(
        "r.estimated_cost_total_pico AS estimated_pico"
        if table.carries_estimate
        else f"{estimated_cost_sql('r.')} AS estimated_pico"
    )
    source = _pieces_sql(pieces, params, "bigint")  # its values come first in the text
    where = [f"r.{table.bucket_column} >= p.lo", f"r.{table.bucket_column} < p.hi"]
    where += _filters(usage_filter, params, prefix="r.", user_column="r.user_key")
    # Values go in the order of the text: those of `rows` were added before the pieces'.
    tables = (
        f"{rows} AS r CROSS JOIN {source}" if rows else f"{source} CROSS JOIN {table.name} AS r"
    )
    return f"SELECT {', '.join(columns)} FROM {tables} WHERE {' AND '.join(where)}"  # noqa: S608


def _rollup_bounds(plan: _Plan) -> list[tuple[int, int, int]]:
    """(first bucket, bucket after the last, ordinal) of each rollup piece; an open side
    of the range becomes a bucket number far past any date."""
    return [
        (
            _NO_LOWER_BUCKET if piece.start is None else piece.start,
            _NO_UPPER_BUCKET if piece.end is None else piece.end,
            piece.ordinal,
        )
        for piece in plan.rollup_pieces
    ]


def _pending_branch(plan: _Plan, usage_filter: UsageFilter, params: Params) -> str:
    """SELECT what the logs not folded into the rollups yet add to the rollup pieces.

    Few: the folder takes them within a fraction of a second (rollup_folding). Their
    pending rows (copies of the columns the rollups sum) within the pieces' span are
    first summed into rows shaped like the rollup table's, so each one's bucket is
    computed once, then read like the table. The same snapshot sees each log either
    here or in the rollup table, never both or neither.
    """
    bounds = _rollup_bounds(plan)
    width = plan.rollup.bucket_seconds
    # On occurred_at itself, whose statistics the planner has (on the bucket expression
    # it guessed 0.5% of the rows and sorted them to group them: 24 ms of a 35 ms report
    # under ingest, 7 ms hashed), one bucket wider on each side than the pieces. A
    # superset is enough, whatever the bucket arithmetic does before 1970: the rollup
    # branch keeps each row to its piece. Parameters keep the text the same over ranges.
    lowest = min(low for low, _, _ in bounds)
    highest = max(high for _, high, _ in bounds)
    span = []
    if lowest != _NO_LOWER_BUCKET:
        span.append(f"occurred_at >= {params.add(_moment(params.dialect, (lowest - 1) * width))}")
    if highest != _NO_UPPER_BUCKET:
        span.append(f"occurred_at < {params.add(_moment(params.dialect, (highest + 1) * width))}")
    rows = rollup_rows_sql(
        plan.rollup, params.dialect, source=PENDING_TABLE, where=" AND ".join(span)
    )
    return _rollup_branch(plan, usage_filter, params, rows=f"({rows})")


def _logs_branch(plan: _Plan, usage_filter: UsageFilter, params: Params) -> str:
    """SELECT the logs of the edge pieces, each tagged with its bucket."""
    pieces = [
        (_moment(params.dialect, piece.start), _moment(params.dialect, piece.end), piece.ordinal)
        for piece in plan.log_pieces
    ]
    columns = _dimension_columns(plan, user_column="COALESCE(l.user_id, '')")
    columns += ["1 AS requests", *(f"l.{name} AS {name}" for name in _AMOUNTS)]
    columns.append("l.cost_total_pico AS cost_total_pico")
    columns.append(f"{estimated_cost_sql('l.')} AS estimated_pico")
    source = _pieces_sql(pieces, params, "timestamptz")  # its values come first in the text
    if params.dialect is POSTGRES:
        # Each edge is an index range scan of its own: LATERAL with OFFSET 0 keeps the
        # planner from flattening the join. Flattened, it guessed a third of the log per
        # edge and, once the log's rows were out of time order (backfills, re-pricing,
        # a migration's UPDATE), scanned the whole log: 320 ms instead of 5 at 1M logs.
        logs = (
            "CROSS JOIN LATERAL (SELECT * FROM api_usage_logs AS e "
            "WHERE e.occurred_at >= p.lo AND e.occurred_at < p.hi OFFSET 0) AS l"
        )
        where = _filters(usage_filter, params, prefix="l.", user_column="l.user_id")
    else:
        # SQLite keeps a CROSS JOIN's order: the pieces drive index look-ups of the log.
        logs = "CROSS JOIN api_usage_logs AS l"
        where = ["l.occurred_at >= p.lo", "l.occurred_at < p.hi"]
        where += _filters(usage_filter, params, prefix="l.", user_column="l.user_id")
    return (
        f"SELECT {', '.join(columns)} FROM {source} {logs}"  # noqa: S608
        + (f" WHERE {' AND '.join(where)}" if where else "")
    )


def _dimension_columns(plan: _Plan, *, user_column: str) -> list[str]:
    prefix = "r." if user_column.startswith("r.") else "l."
    columns = []
    for dimension in plan.dimensions:
        if dimension in _COLUMN_OF:
            columns.append(f"{prefix}{_COLUMN_OF[dimension]} AS {_COLUMN_OF[dimension]}")
        elif dimension is UsageDimension.USER:
            columns.append(f"{user_column} AS user_id")
        else:
            columns.append("p.b AS bucket")
    return columns


def _filters(
    usage_filter: UsageFilter, params: Params, *, prefix: str, user_column: str
) -> list[str]:
    where = []
    for column, value in (
        ("provider", usage_filter.provider),
        ("model", usage_filter.model),
        ("pricing_source", usage_filter.pricing_source),
        ("service_tier", usage_filter.service_tier),
    ):
        if value is not None:
            where.append(f"{prefix}{column} = {params.add(getattr(value, 'value', value))}")
    if usage_filter.user_id is not None:
        where.append(f"{user_column} = {params.add(usage_filter.user_id)}")
    return where


def _moment(dialect: Dialect, seconds: int | None) -> object:
    if seconds is None:  # edges are cut at finite bounds only
        raise ValueError("an edge piece has both ends")
    return dialect.moment(from_epoch_seconds(seconds))


def _pieces_sql(
    pieces: Sequence[tuple[object, object, int]], params: Params, bound_type: str
) -> str:
    """A table p(lo, hi, b) of the pieces, passed as values so the text stays the same size."""
    columns = [("lo", bound_type), ("hi", bound_type), ("b", "bigint")]
    return params.dialect.rows_table(params, pieces, columns, "p")


def _row(plan: _Plan, keys: list[UsageDimension], row: dict[str, Any]) -> ReportRow:
    values: dict[str, object] = {}
    for index, dimension in enumerate(keys):
        value = row[f"k{index}"]
        if dimension is UsageDimension.PROVIDER:
            values["provider"] = value
        elif dimension is UsageDimension.MODEL:
            values["model"] = value
        elif dimension is UsageDimension.USER:
            values["user_id"] = value or None
        elif dimension is UsageDimension.PRICING_SOURCE:
            values["pricing_source"] = PricingSource(value)
        elif dimension is UsageDimension.SERVICE_TIER:
            values["service_tier"] = ServiceTier(value)
        else:
            granularity = plan.buckets.granularity
            if granularity is None:
                raise ValueError("a time dimension was grouped without a granularity")
            values["bucket_start"] = bucket_start(int(value), granularity, plan.buckets.zone)

    totals = _totals(row)
    return ReportRow(key=ReportKey(**values), totals=totals)  # type: ignore[arg-type]


def _totals(row: dict[str, Any]) -> UsageTotals:
    def amount(name: str) -> int:
        return _int(row[f"{name}_usd"]) * PICO_PER_USD + _int(row[f"{name}_rest"])

    return UsageTotals(
        requests=_int(row["requests"]),
        tokens=TokenCounts(*(_int(row[column]) for column in TOKEN_COLUMNS)),
        cost_input_pico=amount("cost_input"),
        cost_output_pico=amount("cost_output"),
        cost_total_pico=amount("cost_total"),
        estimated_cost_total_pico=amount("estimated"),
    )


def _int(value: Any) -> int:
    # SUM over no rows is NULL; PostgreSQL returns numeric (an exact Decimal).
    return 0 if value is None else int(value)
