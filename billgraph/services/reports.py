"""Grouped cost reports and time series, answered from rollups whenever the question allows.

A report groups the matching usage by dimensions (provider, model, user, pricing source)
and at most one calendar bucket (hour, day, week, month in an IANA zone). The planner
picks the smallest table that answers it exactly:

- `usage_rollup_hourly` when no user is involved and every boundary (from, to, and the
  zone's bucket edges) falls on a whole UTC hour;
- `usage_rollup_daily_user_total` when every boundary falls on a UTC midnight and no
  provider, model or pricing source is grouped or filtered (top users);
- `usage_rollup_daily_user` when every boundary falls on a UTC midnight;
- the logs otherwise (e.g. a Europe/Berlin day grouped by user, or from=10:30).

All three give the same exact totals.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from billgraph.db import read_connection
from billgraph.models import PricingSource, Provider, UsageLog
from billgraph.services.api_keys import Caller
from billgraph.services.costs import PICO_PER_USD
from billgraph.services.errors import InvalidInputError
from billgraph.services.rollups import DAILY_USER, DAILY_USER_TOTAL, HOURLY, RollupTable
from billgraph.services.sql import (
    Params,
    dialect_of_connection,
    epoch_seconds_sql,
    exact_order_sql,
    exact_sum_sql,
)
from billgraph.services.time_buckets import (
    SECONDS_PER_DAY,
    SECONDS_PER_HOUR,
    Granularity,
    OffsetSegment,
    bucket_ordinals,
    bucket_start,
    epoch_seconds,
    offset_segments,
    parse_zone,
)
from billgraph.services.usage import UsageFilter, checked_filter, filter_query, narrow_to_caller
from billgraph.services.usage_totals import UsageTotals

MAX_BUCKETS = 3000
MAX_REPORT_ROWS = 10_000
MAX_REPORT_FIRST = 1000


class UsageDimension(StrEnum):
    PROVIDER = "PROVIDER"
    MODEL = "MODEL"
    USER = "USER"
    PRICING_SOURCE = "PRICING_SOURCE"
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

    provider: Provider | None = None
    model: str | None = None
    user_id: str | None = None
    pricing_source: PricingSource | None = None
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
    """What to group and where to read it from."""

    dimensions: tuple[UsageDimension, ...]
    granularity: Granularity | None
    zone: ZoneInfo
    start: int | None  # epoch seconds, inclusive
    end: int | None  # epoch seconds, exclusive
    segments: list[OffsetSegment]
    months: list[int] | None
    source: RollupTable | None  # None: the logs


_COLUMN_OF = {
    UsageDimension.PROVIDER: "provider",
    UsageDimension.MODEL: "model",
    UsageDimension.PRICING_SOURCE: "pricing_source",
}


async def cost_report(
    *,
    usage_filter: UsageFilter,
    group_by: Sequence[UsageDimension],
    time_zone: str,
    order: CostReportOrder,
    first: int | None,
    caller: Caller,
) -> CostReport:
    """Return one row of exact totals per group of the matching usage."""
    if first is not None and not 1 <= first <= MAX_REPORT_FIRST:
        raise InvalidInputError(f"first must be between 1 and {MAX_REPORT_FIRST}", field="first")
    usage_filter = checked_filter(narrow_to_caller(usage_filter, caller))
    plan = await _plan(usage_filter, group_by, parse_zone(time_zone))
    limit = first if first is not None else MAX_REPORT_ROWS + 1
    rows = await _run(plan, usage_filter, order=order, limit=limit)
    if first is None and len(rows) > MAX_REPORT_ROWS:
        raise InvalidInputError(
            f"the report has more than {MAX_REPORT_ROWS} groups: ask for the top ones with "
            "first, or narrow the filter",
            field="groupBy",
        )
    return CostReport(rows=rows, answered_from=_source_name(plan))


async def cost_summary(*, usage_filter: UsageFilter, caller: Caller) -> UsageTotals:
    """Return exact totals of the matching usage the caller may see: a report with no groups."""
    report = await cost_report(
        usage_filter=usage_filter,
        group_by=[],
        time_zone="UTC",
        order=CostReportOrder.COST_DESC,
        first=None,
        caller=caller,
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
) -> list[SeriesPoint]:
    """Return one point per bucket between from and to, empty buckets as zeros."""
    if usage_filter.occurred_from is None:
        raise InvalidInputError("a time series needs filter.from", field="from")
    if usage_filter.occurred_to is None:
        raise InvalidInputError("a time series needs filter.to", field="to")
    dimension = next(key for key, value in _TIME_DIMENSIONS.items() if value is granularity)
    usage_filter = checked_filter(narrow_to_caller(usage_filter, caller))
    plan = await _plan(usage_filter, [dimension], parse_zone(time_zone))
    rows = await _run(plan, usage_filter, order=CostReportOrder.KEY_ASC, limit=MAX_BUCKETS + 1)
    by_start = {row.key.bucket_start: row.totals for row in rows}
    start, end = _seconds(usage_filter.occurred_from), _seconds(usage_filter.occurred_to)
    if start is None or end is None:  # checked above; this tells the type checker
        raise InvalidInputError("a time series needs filter.from and filter.to", field="from")
    ordinals, months = bucket_ordinals(start, end, granularity, plan.zone)
    starts = [bucket_start(ordinal, granularity, plan.zone, months) for ordinal in ordinals]
    return [SeriesPoint(start, by_start.get(start, _ZERO)) for start in starts]


_ZERO = UsageTotals(0, 0, 0, 0, 0, 0, 0)


def _source_name(plan: _Plan) -> str:
    return plan.source.name if plan.source is not None else "api_usage_logs"


async def _plan(
    usage_filter: UsageFilter, group_by: Sequence[UsageDimension], zone: ZoneInfo
) -> _Plan:
    dimensions = tuple(dict.fromkeys(group_by))
    if len(dimensions) != len(group_by):
        raise InvalidInputError("groupBy names a dimension twice", field="groupBy")
    time_dimensions = [dimension for dimension in dimensions if dimension in _TIME_DIMENSIONS]
    if len(time_dimensions) > 1:
        raise InvalidInputError(
            "groupBy may name at most one of HOUR, DAY, WEEK, MONTH", field="groupBy"
        )
    granularity = _TIME_DIMENSIONS[time_dimensions[0]] if time_dimensions else None
    start = _seconds(usage_filter.occurred_from)
    end = _seconds(usage_filter.occurred_to)
    if granularity is not None and (start is None or end is None):
        data_start, data_end = await _data_range(usage_filter)
        start = start if start is not None else data_start
        end = end if end is not None else data_end
    segments: list[OffsetSegment] = []
    months = None
    if granularity is not None and start is not None and end is not None and start < end:
        ordinals, months = bucket_ordinals(start, end, granularity, zone)
        if len(ordinals) > MAX_BUCKETS:
            raise InvalidInputError(
                f"{len(ordinals)} {granularity.value.lower()} buckets between from and to; "
                f"at most {MAX_BUCKETS}: narrow the range or use a coarser granularity",
                field="to",
            )
        segments = offset_segments(zone, start, end)
    plan = _Plan(dimensions, granularity, zone, start, end, segments, months, source=None)
    return replace(plan, source=_choose_source(plan, usage_filter))


def _seconds(moment: datetime | None) -> int | None:
    return epoch_seconds(moment) if moment is not None else None


async def _data_range(usage_filter: UsageFilter) -> tuple[int | None, int | None]:
    query = UsageLog.filter(filter_query(usage_filter)).using_db(read_connection(UsageLog._meta.db))
    earliest = await query.order_by("occurred_at").first().values_list("occurred_at", flat=True)
    latest = await query.order_by("-occurred_at").first().values_list("occurred_at", flat=True)
    if earliest is None or latest is None:
        return None, None
    return epoch_seconds(earliest), epoch_seconds(latest) + 1  # type: ignore[arg-type]


def _choose_source(plan: _Plan, usage_filter: UsageFilter) -> RollupTable | None:
    involves_user = UsageDimension.USER in plan.dimensions or usage_filter.user_id is not None
    breaks_down = any(dimension in _COLUMN_OF for dimension in plan.dimensions) or any(
        value is not None
        for value in (usage_filter.provider, usage_filter.model, usage_filter.pricing_source)
    )
    if involves_user:
        candidates = (DAILY_USER,) if breaks_down else (DAILY_USER_TOTAL, DAILY_USER)
    else:
        candidates = (HOURLY, DAILY_USER) if breaks_down else (HOURLY, DAILY_USER_TOTAL)
    for table in candidates:
        if _aligned(plan, table.bucket_seconds):
            return table
    return None


def _aligned(plan: _Plan, width: int) -> bool:
    """Return True when every boundary of the question falls on a multiple of `width`."""
    if plan.granularity is Granularity.HOUR and width > SECONDS_PER_HOUR:
        return False
    edges_aligned = all(edge is None or edge % width == 0 for edge in (plan.start, plan.end))
    offsets_aligned = plan.granularity is None or all(
        segment.offset % width == 0 for segment in plan.segments
    )
    return edges_aligned and offsets_aligned


async def _run(
    plan: _Plan, usage_filter: UsageFilter, *, order: CostReportOrder, limit: int
) -> list[ReportRow]:
    connection = read_connection(UsageLog._meta.db)
    dialect = dialect_of_connection(connection)
    params = Params(dialect)
    table, where, time_sql, requests_sql = _source_sql(plan, usage_filter, params, dialect)
    keys: list[tuple[UsageDimension, str]] = []
    for dimension in plan.dimensions:
        if dimension in _COLUMN_OF:
            keys.append((dimension, _COLUMN_OF[dimension]))
        elif dimension is UsageDimension.USER:
            keys.append((dimension, "user_id" if plan.source is None else "user_key"))
        else:
            keys.append((dimension, _bucket_sql(plan, time_sql)))
    estimated = (
        "estimated_cost_total_pico"
        if plan.source is not None and plan.source.carries_estimate
        else (
            f"CASE WHEN pricing_source = '{PricingSource.BUILTIN_ESTIMATE.value}' "
            "THEN cost_total_pico ELSE 0 END"
        )
    )
    amounts = {
        "cost_input": "cost_input_pico",
        "cost_output": "cost_output_pico",
        "cost_total": "cost_total_pico",
        "estimated": estimated,
    }
    selected = [f"{sql} AS k{index}" for index, (_, sql) in enumerate(keys)]
    selected += [
        f"{requests_sql} AS requests",
        "SUM(tokens_input) AS tokens_input",
        "SUM(tokens_output) AS tokens_output",
    ]
    for name, sql in amounts.items():
        whole, rest = exact_sum_sql(dialect, sql)
        selected.append(f"{whole} AS {name}_usd")
        selected.append(f"{rest} AS {name}_rest")
    key_order = [f"k{index}" for index in range(len(keys))]
    if order is CostReportOrder.KEY_ASC:
        order_sql = key_order
    else:
        direction = "DESC" if order is CostReportOrder.COST_DESC else "ASC"
        order_sql = [
            f"{term} {direction}" for term in exact_order_sql(dialect, "cost_total_pico")
        ] + key_order
    # Only identifiers and integers built here go into the text; values are parameters.
    sql = f"SELECT {', '.join(selected)} FROM {table}"  # noqa: S608
    if where:
        sql += " WHERE " + " AND ".join(where)
    if keys:
        sql += " GROUP BY " + ", ".join(str(position) for position in range(1, len(keys) + 1))
    if order_sql:
        sql += " ORDER BY " + ", ".join(order_sql)
    sql += f" LIMIT {int(limit)}"
    rows = await connection.execute_query_dict(sql, params.values)
    return [_row(plan, keys, row) for row in rows if keys or row["requests"]]


def _source_sql(
    plan: _Plan, usage_filter: UsageFilter, params: Params, dialect: str
) -> tuple[str, list[str], str, str]:
    """Return the table, WHERE conditions, epoch-seconds SQL and request count SQL."""
    where = []
    for column, value in (
        ("provider", usage_filter.provider),
        ("model", usage_filter.model),
        ("pricing_source", usage_filter.pricing_source),
    ):
        if value is not None:
            where.append(f"{column} = {params.add(getattr(value, 'value', value))}")
    table = plan.source
    if table is None:
        if usage_filter.user_id is not None:
            where.append(f"user_id = {params.add(usage_filter.user_id)}")
        if usage_filter.occurred_from is not None:
            where.append(f"occurred_at >= {params.add(usage_filter.occurred_from)}")
        if usage_filter.occurred_to is not None:
            where.append(f"occurred_at < {params.add(usage_filter.occurred_to)}")
        return "api_usage_logs", where, epoch_seconds_sql(dialect, "occurred_at"), "COUNT(*)"
    if usage_filter.user_id is not None:
        where.append(f"user_key = {params.add(usage_filter.user_id)}")
    if plan.start is not None and usage_filter.occurred_from is not None:
        where.append(f"{table.bucket_column} >= {params.add(plan.start // table.bucket_seconds)}")
    if plan.end is not None and usage_filter.occurred_to is not None:
        where.append(f"{table.bucket_column} < {params.add(plan.end // table.bucket_seconds)}")
    time_sql = f"({table.bucket_column} * {table.bucket_seconds})"
    return table.name, where, time_sql, "SUM(requests)"


def _offset_sql(time_sql: str, segments: list[OffsetSegment], *, sub_hour: bool) -> str:
    def value(segment: OffsetSegment) -> int:
        return segment.offset % SECONDS_PER_HOUR if sub_hour else segment.offset

    if len({value(segment) for segment in segments}) <= 1:
        return str(value(segments[0])) if segments else "0"
    branches = " ".join(
        f"WHEN {time_sql} < {segment.start} THEN {value(previous)}"
        for previous, segment in pairwise(segments)
    )
    return f"(CASE {branches} ELSE {value(segments[-1])} END)"


def _bucket_sql(plan: _Plan, time_sql: str) -> str:
    granularity = plan.granularity
    if granularity is Granularity.HOUR:
        sub_hour = _offset_sql(time_sql, plan.segments, sub_hour=True)
        return f"(({time_sql} + {sub_hour}) / {SECONDS_PER_HOUR})"
    offset = _offset_sql(time_sql, plan.segments, sub_hour=False)
    day = f"(({time_sql} + {offset}) / {SECONDS_PER_DAY})"
    if granularity is Granularity.DAY:
        return day
    if granularity is Granularity.WEEK:
        return f"(({day} + 3) / 7)"
    months = plan.months or [0]
    branches = " ".join(
        f"WHEN {day} < {start} THEN {index}" for index, start in enumerate(months[1:])
    )
    return f"(CASE {branches} ELSE {len(months) - 1} END)" if branches else "0"


def _row(plan: _Plan, keys: list[tuple[UsageDimension, str]], row: dict[str, Any]) -> ReportRow:
    values: dict[str, object] = {}
    for index, (dimension, _) in enumerate(keys):
        value = row[f"k{index}"]
        if dimension is UsageDimension.PROVIDER:
            values["provider"] = Provider(value)
        elif dimension is UsageDimension.MODEL:
            values["model"] = value
        elif dimension is UsageDimension.USER:
            values["user_id"] = value or None
        elif dimension is UsageDimension.PRICING_SOURCE:
            values["pricing_source"] = PricingSource(value)
        else:
            if plan.granularity is None:
                raise ValueError("a time dimension was grouped without a granularity")
            values["bucket_start"] = bucket_start(
                int(value), plan.granularity, plan.zone, plan.months
            )

    def amount(name: str) -> int:
        return _int(row[f"{name}_usd"]) * PICO_PER_USD + _int(row[f"{name}_rest"])

    totals = UsageTotals(
        requests=_int(row["requests"]),
        tokens_input=_int(row["tokens_input"]),
        tokens_output=_int(row["tokens_output"]),
        cost_input_pico=amount("cost_input"),
        cost_output_pico=amount("cost_output"),
        cost_total_pico=amount("cost_total"),
        estimated_cost_total_pico=amount("estimated"),
    )
    return ReportRow(key=ReportKey(**values), totals=totals)  # type: ignore[arg-type]


def _int(value: Any) -> int:
    # SUM over no rows is NULL; PostgreSQL returns numeric (an exact Decimal).
    return 0 if value is None else int(value)
