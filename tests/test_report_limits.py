"""Reports do bounded work: wide ranges stay small, too-wide ones are refused up front,
aliases share one budget, and a report query stops in the database when its time is up
or its client goes away."""

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from tortoise.transactions import in_transaction

from billgraph.migrate import asyncpg_dsn
from billgraph.models import Provider, UsageLog
from billgraph.services.api_keys import SYSTEM
from billgraph.services.errors import InvalidInputError, UnavailableError
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.pricing_chain import EnvironmentPrices
from billgraph.services.report_limits import MAX_BUCKETS, ReportBudget
from billgraph.services.reports import (
    CostReportOrder,
    UsageDimension,
    _plan,
    _report_sql,
    cost_report,
    cost_time_series,
)
from billgraph.services.sql import POSTGRES, SQLITE, run_report_query
from billgraph.services.time_buckets import Granularity
from billgraph.services.usage import UsageFilter, UsageInput, record_usage_batch
from tests.conftest import Api, Database, make_settings, running_app

ENVIRONMENT = EnvironmentPrices(Decimal("0.000001"), Decimal("0.000003"))
BERLIN = ZoneInfo("Europe/Berlin")
# 3000 Berlin months, the most one report may ask for, across 250 years of DST rules.
WIDEST_FROM = datetime(1900, 1, 1, tzinfo=BERLIN)
WIDEST_TO = datetime(2150, 1, 1, tzinfo=BERLIN)

SERIES = """
query Series($from: DateTime!, $to: DateTime!, $granularity: TimeGranularity!) {
  costTimeSeries(filter: {from: $from, to: $to}, granularity: $granularity,
                 timeZone: "Europe/Berlin") { bucketStart totals { requests costTotal } }
}"""


async def _record(*moments: datetime) -> None:
    await record_usage_batch(
        usages=[
            UsageInput(
                provider=Provider.OPENAI,
                model="gpt-4o",
                tokens_input=1000,
                tokens_output=0,
                user_id="alice",
                occurred_at=moment,
            )
            for moment in moments
        ],
        now=datetime.now(UTC),
        environment_prices=ENVIRONMENT,
        cache=PricingCache(),
        caller=SYSTEM,
    )


async def test_the_widest_berlin_month_series_is_exact(orm: Database) -> None:
    # Logs at odd seconds next to month edges, in winter and summer.
    moments = [
        datetime(2000, 2, 1, 0, 0, 1, tzinfo=BERLIN),
        datetime(2013, 6, 30, 23, 59, 59, tzinfo=BERLIN),
        datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN),  # the repeated autumn hour
    ]
    await _record(*moments)
    points = await cost_time_series(
        usage_filter=UsageFilter(occurred_from=WIDEST_FROM, occurred_to=WIDEST_TO),
        granularity=Granularity.MONTH,
        time_zone="Europe/Berlin",
        caller=SYSTEM,
    )
    assert len(points) == MAX_BUCKETS
    assert points[0].bucket_start == WIDEST_FROM
    assert points[-1].bucket_start == datetime(2149, 12, 1, tzinfo=BERLIN)
    busy = {point.bucket_start: point.totals.requests for point in points if point.totals.requests}
    assert busy == {
        datetime(2000, 2, 1, tzinfo=BERLIN): 1,
        datetime(2013, 6, 1, tzinfo=BERLIN): 1,
        datetime(2026, 10, 1, tzinfo=BERLIN): 1,
    }


@pytest.mark.parametrize("granularity", [UsageDimension.MONTH, UsageDimension.DAY])
async def test_report_sql_does_not_grow_with_the_range(
    orm: Database, granularity: UsageDimension
) -> None:
    """The text is the same for one year as for the widest range; only the values grow."""
    await _record(datetime(2000, 1, 15, 10, 11, 12, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))

    async def sql_for(start: datetime, end: datetime) -> str:
        usage_filter = UsageFilter(occurred_from=start, occurred_to=end)
        plan = await _plan(usage_filter, [granularity], "Europe/Berlin", ReportBudget())
        assert plan.rollup_pieces
        assert plan.log_pieces
        dialect = SQLITE if orm.dialect == "sqlite" else POSTGRES
        sql, _ = _report_sql(
            plan, usage_filter, dialect, order=CostReportOrder.KEY_ASC, limit=MAX_BUCKETS + 1
        )
        return sql

    one_year_from = datetime(2000, 1, 15, 10, 0, 30, tzinfo=UTC)
    narrow = await sql_for(one_year_from, one_year_from + timedelta(days=365))
    if granularity is UsageDimension.DAY:
        start = datetime(2000, 1, 1, tzinfo=BERLIN)
        assert await sql_for(start, start + timedelta(days=MAX_BUCKETS - 2)) == narrow
    else:
        assert await sql_for(WIDEST_FROM, WIDEST_TO) == narrow
    assert len(narrow) < 4000


async def test_a_too_wide_range_is_refused_naming_the_field(api: Api) -> None:
    error = await api.error(
        SERIES,
        {
            "from": WIDEST_FROM.isoformat(),
            "to": (WIDEST_TO + timedelta(days=31)).isoformat(),
            "granularity": "MONTH",
        },
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"].get("field") == "to", error
    assert "3001 month buckets" in error["message"]

    fifty_years = {"from": "1970-01-01T00:00:00Z", "to": "2020-01-01T00:00:00Z"}
    error = await api.error(SERIES, {**fifty_years, "granularity": "DAY"})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "at most 3000" in error["message"]


async def test_an_unfiltered_month_report_after_an_old_log_is_small(orm: Database) -> None:
    await _record(datetime(2000, 1, 1, tzinfo=UTC), datetime(2026, 3, 1, 12, tzinfo=UTC))
    report = await cost_report(
        usage_filter=UsageFilter(),
        group_by=[UsageDimension.MONTH],
        time_zone="Europe/Berlin",
        order=CostReportOrder.KEY_ASC,
        first=None,
        caller=SYSTEM,
    )
    assert [(row.key.bucket_start, row.totals.requests) for row in report.rows] == [
        (datetime(2000, 1, 1, tzinfo=BERLIN), 1),
        (datetime(2026, 3, 1, tzinfo=BERLIN), 1),
    ]


ALIASED = """
query Aliased($from: DateTime!, $to: DateTime!) {
  a: costTimeSeries(filter: {from: $from, to: $to}, granularity: MONTH,
                    timeZone: "Europe/Berlin") { bucketStart }
  b: costTimeSeries(filter: {from: $from, to: $to}, granularity: MONTH,
                    timeZone: "Europe/Berlin") { bucketStart }
  c: costTimeSeries(filter: {from: $from, to: $to}, granularity: MONTH,
                    timeZone: "Europe/Berlin") { bucketStart }
}"""


async def test_aliases_share_one_budget_per_request(api: Api) -> None:
    # 3 x 3000 months is over the 6000 buckets one request may ask for.
    variables = {"from": WIDEST_FROM.isoformat(), "to": WIDEST_TO.isoformat()}
    body = await api.post(ALIASED, variables)
    errors = body["errors"]
    assert len(errors) == 1, errors
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "at most 6000 per request" in errors[0]["message"]


async def test_the_number_of_reports_per_request_is_bounded(database: Database) -> None:
    settings = make_settings(database, reports_per_request=2)
    async with running_app(settings) as client:
        query = "{ a: costSummary { requests } b: costSummary { requests } " + (
            "c: costSummary { requests } }"
        )
        response = await client.post(
            "/graphql",
            json={"query": query},
            headers={"Authorization": f"Bearer {settings.admin_api_key.get_secret_value()}"},  # type: ignore[union-attr]
        )
    errors = response.json()["errors"]
    assert len(errors) == 1
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "more than 2 reports" in errors[0]["message"]


async def test_reports_out_of_time_are_unavailable_and_retryable(database: Database) -> None:
    settings = make_settings(database, report_timeout_seconds=1e-9)
    async with running_app(settings) as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ costSummary { requests } }"},
            headers={"Authorization": f"Bearer {settings.admin_api_key.get_secret_value()}"},  # type: ignore[union-attr]
        )
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAVAILABLE"
    assert error["extensions"]["retryable"] is True


# A statement that runs for minutes unless the database stops it. On SQLite it calls
# started() first, so the test knows it is running.
SLOW_SQL = {
    "sqlite": (
        "WITH RECURSIVE c(x) AS (SELECT started() UNION ALL SELECT x + 1 FROM c "
        "WHERE x < 4000000000) SELECT count(*) AS n FROM c"
    ),
    "postgres": "SELECT pg_sleep(600) AS n /* billgraph-slow-report */",
}


@pytest.fixture
async def slow_sql(orm: Database) -> tuple[str, Any]:
    """The slow statement, and a probe that says whether it is running."""
    if orm.dialect == "postgres":
        return SLOW_SQL["postgres"], lambda: _running_slow_queries(orm.url)
    started = threading.Event()

    def mark_started() -> int:
        started.set()
        return 1

    client = UsageLog._meta.db
    async with client.acquire_connection() as raw:
        await raw.create_function("started", 0, mark_started)

    async def running() -> int:
        return 1 if started.is_set() else 0

    return SLOW_SQL["sqlite"], running


async def test_a_slow_report_query_is_stopped_at_its_time_limit(
    orm: Database, slow_sql: tuple[str, Any]
) -> None:
    sql, _ = slow_sql
    with pytest.raises(UnavailableError, match="did not finish within"):
        await run_report_query(sql, [], timeout_seconds=0.2)
    # The connection is free again: the slow statement no longer holds it.
    assert await asyncio.wait_for(UsageLog.all().count(), 60) == 0


async def test_a_cancelled_report_query_stops_in_the_database(
    orm: Database, slow_sql: tuple[str, Any]
) -> None:
    sql, running = slow_sql
    task = asyncio.create_task(run_report_query(sql, [], timeout_seconds=3600))
    await _until(running, lambda count: count == 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    if orm.dialect == "postgres":
        await _until(running, lambda count: count == 0)
    # SQLite runs one statement at a time on this connection: this one would wait for
    # the slow statement had it not been interrupted.
    assert await asyncio.wait_for(UsageLog.all().count(), 60) == 0


async def _running_slow_queries(url: str) -> int:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        count: int = await connection.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
            "AND query LIKE '%billgraph-slow-report%' AND pid <> pg_backend_pid()"
        )
        return count
    finally:
        await connection.close()


async def _until(probe: Any, done: Any, *, attempts: int = 200) -> None:
    """Poll `probe` until `done(result)`; fail after `attempts` polls."""
    for _ in range(attempts):
        if done(await probe()):
            return
        await asyncio.sleep(0.05)
    pytest.fail("the database never reached the expected state")


def test_a_budget_refuses_past_its_buckets() -> None:
    budget = ReportBudget(max_buckets=10, max_reports=5)
    budget.charge(buckets=6)
    with pytest.raises(InvalidInputError, match="ask for 12 time buckets together"):
        budget.charge(buckets=6)
    budget.charge(buckets=4)


async def test_a_report_inside_a_transaction_keeps_its_time_limit(orm: Database) -> None:
    async with in_transaction():
        with pytest.raises(UnavailableError, match="did not finish within"):
            await run_report_query(
                SLOW_SQL["postgres"] if orm.dialect == "postgres" else _SLOW_PLAIN_SQLITE,
                [],
                timeout_seconds=0.2,
            )


_SLOW_PLAIN_SQLITE = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 4000000000) "
    "SELECT count(*) AS n FROM c"
)
