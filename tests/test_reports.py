"""Reports equal the Python Decimal sums over the matching logs, whatever table answers them."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billgraph.models import PricingSource, Provider, UsageLog
from billgraph.services.api_keys import SYSTEM
from billgraph.services.costs import from_pico
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.pricing_chain import EnvironmentPrices
from billgraph.services.reports import (
    CostReportOrder,
    UsageDimension,
    cost_report,
    cost_time_series,
)
from billgraph.services.rollups import verify_rollups
from billgraph.services.time_buckets import Granularity
from billgraph.services.usage import UsageFilter, UsageInput, record_usage_batch
from tests.conftest import Database, empty_tables

ENVIRONMENT = EnvironmentPrices(Decimal("0.000001"), Decimal("0.000003"))
BASE = datetime(2026, 3, 25, tzinfo=UTC)  # spans Europe's spring DST change
ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
]
MODELS = ["gpt-4o", "claude-x", "openai/gpt-oss-120b:groq"]
PROVIDERS = [Provider.OPENAI, Provider.ANTHROPIC, Provider.HUGGINGFACE]
USERS = [None, "alice", "bob"]
TIME_DIMENSIONS = {
    UsageDimension.HOUR: Granularity.HOUR,
    UsageDimension.DAY: Granularity.DAY,
    UsageDimension.WEEK: Granularity.WEEK,
    UsageDimension.MONTH: Granularity.MONTH,
}


@st.composite
def usage_input(draw: st.DrawFn) -> UsageInput:
    """One call; its cached, cache-write and reasoning tokens are parts of its totals."""
    tokens_input = draw(st.integers(0, 3_000_000))
    tokens_output = draw(st.integers(0, 300_000))
    tokens_cached_input = draw(st.integers(0, tokens_input))
    return UsageInput(
        provider=draw(st.sampled_from(PROVIDERS)),
        model=draw(st.sampled_from(MODELS)),
        tokens_input=tokens_input,
        tokens_output=tokens_output,
        tokens_cached_input=tokens_cached_input,
        tokens_cache_write=draw(st.integers(0, tokens_input - tokens_cached_input)),
        tokens_reasoning=draw(st.integers(0, tokens_output)),
        user_id=draw(st.sampled_from(USERS)),
        occurred_at=BASE + timedelta(seconds=draw(st.integers(0, 40 * 24 * 3600))),
        service_tier=draw(st.sampled_from([None, "batch", "PRIORITY"])),
    )


usage_inputs = st.lists(usage_input(), min_size=0, max_size=40)
# Whole hours and days are read from the rollups; odd minutes and seconds cut edges
# that are read from the logs.
boundaries = st.one_of(
    st.none(),
    st.integers(0, 40 * 24).map(lambda hours: BASE + timedelta(hours=hours)),
    st.integers(0, 40).map(lambda days: BASE + timedelta(days=days)),
    st.integers(0, 40 * 24 * 60).map(lambda minutes: BASE + timedelta(minutes=minutes)),
    st.integers(0, 40 * 24 * 3600).map(lambda seconds: BASE + timedelta(seconds=seconds)),
)
groupings = st.lists(st.sampled_from(list(UsageDimension)), max_size=3, unique=True).filter(
    lambda dims: sum(dim in TIME_DIMENSIONS for dim in dims) <= 1
)


ANSWERED_FROM: set[str] = set()  # which tables the examples exercised


@dataclass(frozen=True)
class Question:
    group_by: list[UsageDimension]
    zone: str
    user_id: str | None
    provider: Provider | None
    occurred_from: datetime | None
    occurred_to: datetime | None


questions = st.builds(
    Question,
    group_by=groupings,
    zone=st.sampled_from(ZONES),
    user_id=st.sampled_from([None, "alice"]),
    provider=st.sampled_from([None, Provider.OPENAI]),
    occurred_from=boundaries,
    occurred_to=boundaries,
).filter(
    lambda q: q.occurred_from is None or q.occurred_to is None or q.occurred_from < q.occurred_to
)


def reference_key(log: UsageLog, question: Question) -> tuple[Any, ...]:
    zone = ZoneInfo(question.zone)
    key: list[Any] = []
    for dimension in question.group_by:
        if dimension is UsageDimension.PROVIDER:
            key.append(log.provider)
        elif dimension is UsageDimension.MODEL:
            key.append(log.model)
        elif dimension is UsageDimension.USER:
            key.append(log.user_id)
        elif dimension is UsageDimension.PRICING_SOURCE:
            key.append(log.pricing_source)
        elif dimension is UsageDimension.SERVICE_TIER:
            key.append(log.service_tier)
        else:
            key.append(local_bucket(log.occurred_at, TIME_DIMENSIONS[dimension], zone))
    return tuple(key)


def local_bucket(moment: datetime, granularity: Granularity, zone: ZoneInfo) -> datetime:
    """The reference bucket start, by calendar arithmetic in the zone (not the SQL's)."""
    local = moment.astimezone(zone)
    if granularity is Granularity.HOUR:
        return (
            local.replace(minute=0, second=0, microsecond=0)
            if _whole_hour_offset(local)
            else (_sub_hour_bucket(moment, zone))
        )
    day = local.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    if granularity is Granularity.WEEK:
        day -= timedelta(days=day.weekday())
    elif granularity is Granularity.MONTH:
        day = day.replace(day=1)
    return day.replace(tzinfo=zone)


def _whole_hour_offset(local: datetime) -> bool:
    offset = local.utcoffset()
    return offset is not None and offset.total_seconds() % 3600 == 0


def _sub_hour_bucket(moment: datetime, zone: ZoneInfo) -> datetime:
    local = moment.astimezone(zone)
    return local.replace(minute=0, second=0, microsecond=0)


def matches(log: UsageLog, question: Question) -> bool:
    return (
        (question.user_id is None or log.user_id == question.user_id)
        and (question.provider is None or log.provider == question.provider)
        and (question.occurred_from is None or log.occurred_at >= question.occurred_from)
        and (question.occurred_to is None or log.occurred_at < question.occurred_to)
    )


def reference_report(
    logs: list[UsageLog], question: Question
) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    sums: dict[tuple[Any, ...], list[Any]] = defaultdict(
        lambda: [0, 0, 0, 0, 0, 0, Decimal(0), Decimal(0), Decimal(0), Decimal(0)]
    )
    for log in logs:
        if not matches(log, question):
            continue
        row = sums[reference_key(log, question)]
        row[0] += 1
        row[1] += log.tokens_input
        row[2] += log.tokens_output
        row[3] += log.tokens_cached_input
        row[4] += log.tokens_cache_write
        row[5] += log.tokens_reasoning
        row[6] += from_pico(log.cost_total_pico)
        row[7] += from_pico(log.cost_input_pico)
        row[8] += from_pico(log.cost_output_pico)
        if log.pricing_source is PricingSource.BUILTIN_ESTIMATE:
            row[9] += from_pico(log.cost_total_pico)
    return {key: tuple(value) for key, value in sums.items()}


def actual_key(row: Any, question: Question) -> tuple[Any, ...]:
    values = {
        UsageDimension.PROVIDER: row.key.provider,
        UsageDimension.MODEL: row.key.model,
        UsageDimension.USER: row.key.user_id,
        UsageDimension.PRICING_SOURCE: row.key.pricing_source,
        UsageDimension.SERVICE_TIER: row.key.service_tier,
    }
    return tuple(values.get(dimension, row.key.bucket_start) for dimension in question.group_by)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(inputs=usage_inputs, question=questions)
async def test_reports_equal_the_decimal_reference(
    orm: Database, inputs: list[UsageInput], question: Question
) -> None:
    await empty_tables(orm)
    now = datetime.now(UTC)
    if inputs:
        await record_usage_batch(
            usages=inputs,
            now=now,
            environment_prices=ENVIRONMENT,
            cache=PricingCache(),
            caller=SYSTEM,
        )
    logs = await UsageLog.all()
    assert await verify_rollups(UsageLog._meta.db) == []
    usage_filter = UsageFilter(
        user_id=question.user_id,
        provider=question.provider,
        occurred_from=question.occurred_from,
        occurred_to=question.occurred_to,
    )
    report = await cost_report(
        usage_filter=usage_filter,
        group_by=question.group_by,
        time_zone=question.zone,
        order=CostReportOrder.COST_DESC,
        first=None,
        caller=SYSTEM,
    )
    actual = {
        actual_key(row, question): (
            row.totals.requests,
            row.totals.tokens.input,
            row.totals.tokens.output,
            row.totals.tokens.cached_input,
            row.totals.tokens.cache_write,
            row.totals.tokens.reasoning,
            from_pico(row.totals.cost_total_pico),
            from_pico(row.totals.cost_input_pico),
            from_pico(row.totals.cost_output_pico),
            from_pico(row.totals.estimated_cost_total_pico),
        )
        for row in report.rows
    }
    assert actual == reference_report(logs, question), report.answered_from
    ANSWERED_FROM.add(report.answered_from)
    totals = [from_pico(row.totals.cost_total_pico) for row in report.rows]
    assert totals == sorted(totals, reverse=True)


async def _record(inputs: list[UsageInput]) -> None:
    await record_usage_batch(
        usages=inputs,
        now=datetime.now(UTC),
        environment_prices=ENVIRONMENT,
        cache=PricingCache(),
        caller=SYSTEM,
    )


def _call(minutes: int, user: str | None = "alice", model: str = "gpt-4o") -> UsageInput:
    return UsageInput(
        provider=Provider.OPENAI,
        model=model,
        tokens_input=1000,
        tokens_output=0,
        user_id=user,
        occurred_at=BASE + timedelta(minutes=minutes),
    )


@pytest.mark.parametrize(
    ("group_by", "zone", "user_id", "start_minutes", "answered_from"),
    [
        ([UsageDimension.DAY, UsageDimension.MODEL], "UTC", None, 0, "usage_rollup_hourly"),
        (
            [UsageDimension.DAY, UsageDimension.MODEL],
            "Europe/Berlin",
            None,
            0,
            "usage_rollup_hourly",
        ),
        ([UsageDimension.USER], "UTC", None, 0, "usage_rollup_daily_user_total"),
        ([UsageDimension.USER, UsageDimension.MODEL], "UTC", None, 0, "usage_rollup_daily_user"),
        ([UsageDimension.DAY], "UTC", "alice", 0, "usage_rollup_daily_user_total"),
        ([UsageDimension.MODEL], "UTC", "alice", 0, "usage_rollup_daily_user"),
        # A Berlin day is 23:00Z to 23:00Z: no whole UTC day for the daily rollups.
        ([UsageDimension.DAY, UsageDimension.USER], "Europe/Berlin", None, 0, "api_usage_logs"),
        # Kolkata's hours start at :30 UTC: no whole UTC hour in any of them.
        ([UsageDimension.HOUR], "Asia/Kolkata", None, 0, "api_usage_logs"),
        # Kolkata's days: whole hours from the rollup, the half hours at 18:30Z from the logs.
        ([UsageDimension.DAY], "Asia/Kolkata", None, 0, "usage_rollup_hourly+api_usage_logs"),
        ([UsageDimension.DAY], "Australia/Lord_Howe", None, 0, "usage_rollup_hourly"),
        ([UsageDimension.MODEL], "UTC", None, 30, "usage_rollup_hourly+api_usage_logs"),
        (
            [UsageDimension.USER],
            "UTC",
            None,
            30,
            "usage_rollup_daily_user_total+api_usage_logs",
        ),
    ],
)
async def test_the_planner_reads_whole_rollup_buckets_and_the_edges_from_the_logs(
    orm: Database,
    group_by: list[UsageDimension],
    zone: str,
    user_id: str | None,
    start_minutes: int,
    answered_from: str,
) -> None:
    await _record([_call(minutes) for minutes in range(0, 3 * 24 * 60, 50)])
    report = await cost_report(
        usage_filter=UsageFilter(
            user_id=user_id,
            occurred_from=BASE + timedelta(minutes=start_minutes),
            occurred_to=BASE + timedelta(days=2),
        ),
        group_by=group_by,
        time_zone=zone,
        order=CostReportOrder.COST_DESC,
        first=None,
        caller=SYSTEM,
    )
    assert report.answered_from == answered_from
    assert report.rows


async def test_a_time_series_fills_empty_buckets_with_zeros(orm: Database) -> None:
    await _record([_call(60 * 24 * 2 + 5)])  # one call on 2026-03-27
    points = await cost_time_series(
        usage_filter=UsageFilter(occurred_from=BASE, occurred_to=BASE + timedelta(days=5)),
        granularity=Granularity.DAY,
        time_zone="Europe/Berlin",
        caller=SYSTEM,
    )
    berlin = ZoneInfo("Europe/Berlin")
    # 2026-03-25T00:00Z is 01:00 in Berlin, so the first bucket is the 25th, the last the 30th.
    assert [point.bucket_start for point in points] == [
        datetime(2026, 3, day, tzinfo=berlin) for day in range(25, 31)
    ]
    assert [point.totals.requests for point in points] == [0, 0, 1, 0, 0, 0]
    assert points[2].totals.cost_total_pico == 1000 * 10**6  # $0.001 at the built-in price


async def test_a_time_series_sums_the_token_kinds_from_rollups_and_edges(orm: Database) -> None:
    calls = [
        UsageInput(
            provider=Provider.OPENAI,
            model="gpt-4o",
            tokens_input=1000,
            tokens_output=400,
            tokens_cached_input=600,
            tokens_cache_write=100,
            tokens_reasoning=250,
            occurred_at=BASE + timedelta(minutes=minutes),
        )
        for minutes in (10, 70, 24 * 60 + 5)
    ]
    await _record(calls)
    # From 00:05: the first call is an edge read from the logs, the others whole hours.
    points = await cost_time_series(
        usage_filter=UsageFilter(
            occurred_from=BASE + timedelta(minutes=5), occurred_to=BASE + timedelta(days=2)
        ),
        granularity=Granularity.DAY,
        time_zone="UTC",
        caller=SYSTEM,
    )
    assert [
        (
            point.totals.requests,
            point.totals.tokens.cached_input,
            point.totals.tokens.cache_write,
            point.totals.tokens.reasoning,
        )
        for point in points
    ] == [(2, 1200, 200, 500), (1, 600, 100, 250)]
