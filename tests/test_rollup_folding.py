"""Rollups folded after the insert (PostgreSQL): every answer is exact before, during and
after a fold, and re-pricing, rebuild and verify agree with logs that are not folded yet.

On SQLite the ingest still adds logs to the rollups as it inserts them: nothing is ever
pending there.
"""

import asyncio
import contextlib
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from asyncpg import ConnectionDoesNotExistError
from tortoise.backends.asyncpg.client import TransactionWrapper
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.context import TortoiseContext
from tortoise.transactions import in_transaction

from billgraph.db import connection_name, tortoise_config
from billgraph.models import Provider, UsageLog
from billgraph.services.api_keys import SYSTEM
from billgraph.services.costs import PICO_PER_USD
from billgraph.services.pricing_admin import PriceChange, upsert_pricing
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.pricing_chain import EnvironmentPrices
from billgraph.services.reports import CostReportOrder, UsageDimension, cost_report
from billgraph.services.repricing import reprice_usage
from billgraph.services.rollup_folding import (
    FOLD_BATCH,
    FOLD_SETUP,
    fold_everything,
    fold_pending,
    fold_statement,
    run_folder,
)
from billgraph.services.rollups import FOLD_LOCK_KEY, rebuild_rollups, verify_rollups
from billgraph.services.usage import UsageFilter, UsageInput, record_usage_batch
from tests.conftest import Api, Database
from tests.test_observability import sample

ENVIRONMENT = EnvironmentPrices(Decimal("0.000001"), Decimal("0.000003"))
START = datetime(2026, 3, 1, 8, tzinfo=UTC)
MODELS = ("fold-a", "fold-b", "fold-c")
USERS = ("ann", "ben", "cat", "dan")
# The price re-pricing applies to fold-a: $2 and $3 per million tokens.
NEW_INPUT, NEW_OUTPUT = Decimal("0.000002"), Decimal("0.000003")


def _connection() -> BaseDBAsyncClient:
    connection: BaseDBAsyncClient = UsageLog._meta.db
    return connection


async def _record(count: int, *, prefix: str) -> None:
    """Record `count` calls over three models, four users and three days, 500 a batch."""
    usages = [
        UsageInput(
            provider=Provider.OPENAI,
            model=MODELS[number % len(MODELS)],
            tokens_input=100 + number,
            tokens_output=7 + number % 13,
            request_id=f"{prefix}-{number}",
            user_id=USERS[number % len(USERS)],
            occurred_at=START + timedelta(minutes=97 * number % (3 * 24 * 60)),
        )
        for number in range(count)
    ]
    for start in range(0, count, 500):
        await record_usage_batch(
            usages=usages[start : start + 500],
            now=datetime.now(UTC),
            environment_prices=ENVIRONMENT,
            cache=PricingCache(),
            caller=SYSTEM,
        )


async def _pending() -> int:
    rows = await _connection().execute_query_dict("SELECT COUNT(*) AS n FROM usage_rollup_pending")
    return int(rows[0]["n"])


async def _rollup_requests() -> int:
    rows = await _connection().execute_query_dict(
        "SELECT COALESCE(SUM(requests), 0) AS n FROM usage_rollup_hourly"
    )
    return int(rows[0]["n"])


async def _from_logs(dimension: str) -> dict[str | None, tuple[int, int]]:
    """Requests and cost per model or user, summed from the logs themselves."""
    rows = await _connection().execute_query_dict(
        f"SELECT {dimension} AS k, COUNT(*) AS n, SUM(cost_total_pico) AS cost "  # noqa: S608
        f"FROM api_usage_logs GROUP BY {dimension}"
    )
    return {row["k"]: (int(row["n"]), int(row["cost"])) for row in rows}


async def _from_report(
    dimension: UsageDimension, usage_filter: UsageFilter | None = None
) -> tuple[str, dict[str | None, tuple[int, int]]]:
    """The table the report answered from, and its requests and cost per model or user."""
    report = await cost_report(
        usage_filter=usage_filter or UsageFilter(),
        group_by=[dimension],
        time_zone="UTC",
        order=CostReportOrder.KEY_ASC,
        first=None,
        caller=SYSTEM,
    )
    key = "model" if dimension is UsageDimension.MODEL else "user_id"
    return report.answered_from, {
        getattr(row.key, key): (row.totals.requests, row.totals.cost_total_pico)
        for row in report.rows
    }


async def _assert_reports_match_the_logs() -> None:
    # By model: the hourly rollup. By user: the daily per-user totals.
    for dimension, column, table in (
        (UsageDimension.MODEL, "model", "usage_rollup_hourly"),
        (UsageDimension.USER, "user_id", "usage_rollup_daily_user_total"),
    ):
        answered_from, totals = await _from_report(dimension)
        assert answered_from == table
        assert totals == await _from_logs(column)


async def test_reports_are_exact_before_during_and_after_the_fold(orm: Database) -> None:
    await _record(1200, prefix="first")
    if orm.dialect == "sqlite":
        assert (await _pending(), await _rollup_requests()) == (0, 1200)
        await _assert_reports_match_the_logs()
        return

    assert (await _pending(), await _rollup_requests()) == (1200, 0)
    await _assert_reports_match_the_logs()  # wholly from the pending logs
    assert await fold_pending(_connection(), limit=500) == 500
    assert (await _pending(), await _rollup_requests()) == (700, 500)
    await _assert_reports_match_the_logs()  # half from the rollups, half pending
    assert await verify_rollups(_connection()) == []
    assert await fold_everything(_connection()) == 700
    assert (await _pending(), await _rollup_requests()) == (0, 1200)
    await _assert_reports_match_the_logs()
    assert await verify_rollups(_connection()) == []


@pytest.mark.parametrize(
    ("start", "end", "dimension", "table"),
    [
        # Whole hours and days: every log comes from the rollups and the pending rows.
        (START, START + timedelta(days=2), UsageDimension.MODEL, "usage_rollup_hourly"),
        (START, START + timedelta(days=2), UsageDimension.USER, "usage_rollup_daily_user_total"),
        # Cut inside an hour: the edges come from the logs, the rest as above.
        (
            START + timedelta(minutes=30),
            START + timedelta(days=1, minutes=30),
            UsageDimension.MODEL,
            "usage_rollup_hourly",
        ),
        (None, START + timedelta(days=1), UsageDimension.MODEL, "usage_rollup_hourly"),
        (START + timedelta(days=1), None, UsageDimension.USER, "usage_rollup_daily_user_total"),
    ],
)
async def test_pending_logs_at_the_edges_of_a_range_count_once(
    orm: Database,
    start: datetime | None,
    end: datetime | None,
    dimension: UsageDimension,
    table: str,
) -> None:
    """Logs just inside and just outside each bound, still pending when reported."""
    moments = [
        bound + offset
        for bound in (START, START + timedelta(minutes=30), START + timedelta(days=1))
        for offset in (-timedelta(microseconds=1), timedelta(0), timedelta(minutes=59))
    ] + [START + timedelta(days=1, minutes=30), START + timedelta(days=2) - timedelta(seconds=1)]
    await record_usage_batch(
        usages=[
            UsageInput(
                provider=Provider.OPENAI,
                model=MODELS[number % len(MODELS)],
                tokens_input=1000 + number,
                tokens_output=10,
                request_id=f"edge-{number}",
                user_id=USERS[number % len(USERS)],
                occurred_at=moment,
            )
            for number, moment in enumerate(moments)
        ],
        now=datetime.now(UTC),
        environment_prices=ENVIRONMENT,
        cache=PricingCache(),
        caller=SYSTEM,
    )
    if orm.dialect == "postgres":
        assert await _pending() == len(moments)

    answered_from, totals = await _from_report(
        dimension, UsageFilter(occurred_from=start, occurred_to=end)
    )

    inside = [
        (number, moment)
        for number, moment in enumerate(moments)
        if (start is None or moment >= start) and (end is None or moment < end)
    ]
    groups = MODELS if dimension is UsageDimension.MODEL else USERS
    expected: dict[str, int] = {}
    for number, _ in inside:
        group = groups[number % len(groups)]
        expected[group] = expected.get(group, 0) + 1
    assert answered_from.startswith(table)
    assert {group: requests for group, (requests, _) in totals.items()} == expected


class _RollBackError(Exception):
    """Raised to leave a transaction rolled back."""


async def _times_the_fold_claims(limit: int) -> int:
    """EXPLAIN ANALYZE the folder's fold, with its setup, in a transaction rolled back;
    return how many times the plan ran the claim of pending rows (LockRows)."""
    loops = []

    def walk(node: dict[str, Any]) -> None:
        if node["Node Type"] == "LockRows":
            loops.append(node["Actual Loops"])
        for child in node.get("Plans", []):
            walk(child)

    with contextlib.suppress(_RollBackError):
        async with in_transaction(_connection().connection_name) as transaction:
            await transaction.execute_query(FOLD_SETUP, [FOLD_LOCK_KEY])
            _, rows = await transaction.execute_query(
                f"EXPLAIN (ANALYZE, FORMAT JSON) {fold_statement()}", [limit]
            )
            plan = rows[0]["QUERY PLAN"]
            walk((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"])
            raise _RollBackError
    assert loops, "the fold's plan has no LockRows node"
    return sum(loops)


async def test_a_fold_claims_once_when_the_last_vacuum_saw_an_empty_table(
    orm: Database,
) -> None:
    if orm.dialect != "postgres":
        pytest.skip("SQLite folds in the inserting transaction")
    await _record(2000, prefix="before")
    while await fold_pending(_connection()):  # the folder's way: the file keeps its pages
        pass
    # The folder vacuums right after the fold that emptied the table: the planner then
    # takes the table for 0 rows however many are pending when the next fold plans.
    await _connection().execute_script(
        "VACUUM (DISABLE_PAGE_SKIPPING, TRUNCATE false) usage_rollup_pending"
    )
    await _record(3000, prefix="after")

    # A nested loop ran the claim once per pending row (3000 times): 2 s for 5000 logs.
    assert await _times_the_fold_claims(FOLD_BATCH) == 1
    assert await fold_pending(_connection()) == 3000
    await _assert_reports_match_the_logs()
    assert await verify_rollups(_connection()) == []


async def _reprice_fold_a() -> int:
    """Give fold-a a price from before every log, re-price everything; return changed."""
    await upsert_pricing(
        provider=Provider.OPENAI,
        model_name="fold-a",
        prices=PriceChange(NEW_INPUT, NEW_OUTPUT),
        effective_from=START - timedelta(days=1),
        now=datetime.now(UTC),
        actor=SYSTEM,
    )
    report = await reprice_usage(
        usage_filter=UsageFilter(),
        dry_run=False,
        environment_prices=ENVIRONMENT,
        cache=PricingCache(),
        actor=SYSTEM,
        chunk_size=50,
    )
    return report.changed


def _expected_fold_a_cost(count: int) -> int:
    """The cost of fold-a's calls among `count` recorded by _record, at the new price."""
    numbers = [number for number in range(count) if number % len(MODELS) == 0]
    dollars = sum((100 + number) * NEW_INPUT + (7 + number % 13) * NEW_OUTPUT for number in numbers)
    return int(dollars * PICO_PER_USD)


async def test_repricing_moves_folded_shares_and_the_fold_brings_pending_ones(
    orm: Database,
) -> None:
    await _record(600, prefix="reprice")
    if orm.dialect == "postgres":
        assert await fold_pending(_connection(), limit=250) == 250  # some folded, some not

    assert await _reprice_fold_a() == 200
    fold_a = (await _from_logs("model"))["fold-a"]
    assert fold_a == (200, _expected_fold_a_cost(600))
    await _assert_reports_match_the_logs()
    assert await verify_rollups(_connection()) == []
    await fold_everything(_connection())
    await _assert_reports_match_the_logs()
    assert await verify_rollups(_connection()) == []


async def test_folds_racing_a_repricing_leave_the_rollups_exact(orm: Database) -> None:
    if orm.dialect != "postgres":
        pytest.skip("SQLite folds in the inserting transaction")
    await _record(3000, prefix="race")
    done = asyncio.Event()

    async def keep_folding() -> int:
        folded = 0
        while not done.is_set() or await _pending():
            folded += await fold_pending(_connection(), limit=40)
            await asyncio.sleep(0)
        return folded

    folder = asyncio.create_task(keep_folding())
    try:
        changed = await _reprice_fold_a()
    finally:
        done.set()
    assert await folder == 3000
    assert changed == 1000
    assert (await _from_logs("model"))["fold-a"] == (1000, _expected_fold_a_cost(3000))
    await _assert_reports_match_the_logs()
    assert await verify_rollups(_connection()) == []


async def test_rebuild_leaves_pending_logs_to_the_fold(orm: Database) -> None:
    if orm.dialect != "postgres":
        pytest.skip("SQLite folds in the inserting transaction")
    await _record(900, prefix="rebuild")
    await fold_pending(_connection(), limit=400)
    await _connection().execute_script(
        "UPDATE usage_rollup_hourly SET cost_total_pico = cost_total_pico + 1"
    )
    assert await verify_rollups(_connection()) != []

    await rebuild_rollups(_connection())

    assert await verify_rollups(_connection()) == []
    assert (await _pending(), await _rollup_requests()) == (500, 400)
    await _assert_reports_match_the_logs()
    assert await fold_everything(_connection()) == 500
    assert await verify_rollups(_connection()) == []


RECORD = """
mutation ($input: RecordUsageInput!) { recordUsage(input: $input) { id } }"""


async def test_the_server_folds_what_it_records_and_counts_it(api: Api) -> None:
    before = (await api.http.get("/metrics")).text
    for number in range(5):
        usage = {
            "provider": "OPENAI",
            "model": "gpt-4o",
            "tokensInput": 10 + number,
            "tokensOutput": 1,
            "requestId": f"served-{number}",
        }
        await api.data(RECORD, {"input": usage})
    if api.database.dialect != "postgres":
        return
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(api.database.url))
        connection = context.connections.get(connection_name(api.database.url))
        for _ in range(200):  # the folder runs every quarter of a second
            rows = await connection.execute_query_dict(
                "SELECT (SELECT COUNT(*) FROM usage_rollup_pending) AS pending, "
                "(SELECT COALESCE(SUM(requests), 0) FROM usage_rollup_hourly) AS folded"
            )
            if int(rows[0]["folded"]) == 5:
                break
            await asyncio.sleep(0.05)
        assert (int(rows[0]["pending"]), int(rows[0]["folded"])) == (0, 5)
    after = (await api.http.get("/metrics")).text
    folded = "billgraph_rollup_folded_logs_total"
    assert sample(after, folded) - sample(before, folded) == 5
    assert 0 < sample(after, "billgraph_rollup_fold_wait_seconds") < 30


async def test_the_folder_recovers_when_a_transaction_dies_as_it_begins(
    orm: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if orm.dialect != "postgres":
        pytest.skip("the folder runs on PostgreSQL")
    await _record(50, prefix="recover")
    begin = TransactionWrapper.begin
    failures = 0

    async def dies_once(self: TransactionWrapper) -> None:
        nonlocal failures
        if failures == 0:
            failures += 1
            # As in a server restart: the connection dies as the transaction begins, and
            # Tortoise, which has already made this transaction the task's connection,
            # leaves it there.
            await self._connection.close()
            raise ConnectionDoesNotExistError("connection was closed in the middle of operation")
        await begin(self)

    monkeypatch.setattr(TransactionWrapper, "begin", dies_once)
    folder = asyncio.create_task(run_folder(_connection(), interval_seconds=0.01))
    try:
        for _ in range(300):
            if not await _pending():
                break
            await asyncio.sleep(0.02)
    finally:
        folder.cancel()
    assert failures == 1
    assert await _pending() == 0
    assert await verify_rollups(_connection()) == []


async def test_verify_finds_a_pending_copy_that_differs_from_its_log(orm: Database) -> None:
    if orm.dialect != "postgres":
        pytest.skip("SQLite folds in the inserting transaction")
    await _record(20, prefix="copy")
    assert await verify_rollups(_connection()) == []
    await _connection().execute_script(
        "UPDATE usage_rollup_pending SET cost_total_pico = cost_total_pico + 1 "
        "WHERE log_id = (SELECT MIN(log_id) FROM usage_rollup_pending)"
    )
    [difference] = await verify_rollups(_connection())
    assert difference.table == "usage_rollup_pending"
    assert difference.in_rollup is not None
    assert difference.from_logs is not None
    assert difference.in_rollup[-1] == difference.from_logs[-1] + 1  # cost_total_pico


async def test_folding_everything_leaves_the_pending_table_empty_on_disk(orm: Database) -> None:
    if orm.dialect != "postgres":
        pytest.skip("SQLite folds in the inserting transaction")
    await _record(3000, prefix="vacuum")
    size = "SELECT pg_relation_size('usage_rollup_pending') AS bytes"
    assert (await _connection().execute_query_dict(size))[0]["bytes"] > 0
    assert await fold_everything(_connection()) == 3000
    # Vacuumed: reports and folds no longer read 3000 dead rows.
    assert (await _connection().execute_query_dict(size))[0]["bytes"] == 0
