"""Re-pricing in chunks: resumable, idempotent, rollups kept exact, dry runs lock nothing,
and the audit trail read back by admins."""

import asyncio
import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from billgraph.migrate import asyncpg_dsn
from billgraph.models import PricingSource, UsageLog
from billgraph.services import repricing
from billgraph.services.api_keys import SYSTEM
from billgraph.services.demo import seed_usage
from billgraph.services.pricing_admin import PriceChange, upsert_pricing
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.pricing_chain import BEGINNING_OF_TIME, EnvironmentPrices
from billgraph.services.repricing import RepricingReport
from billgraph.services.rollups import verify_rollups
from billgraph.services.usage import UsageFilter
from tests.conftest import Api, Database, create_key
from tests.test_repricing import (
    audit_rows,
    database_connection,
    record,
    reprice,
    rollup_differences,
    summary,
    upsert,
)

REPRICE_AFTER = """
mutation ($afterId: ID) {
  repriceUsage(filter: {}, dryRun: false, afterId: $afterId) { logs changed lastId }
}"""
AUDIT = """
query ($first: Int, $after: String, $usageLogId: ID) {
  usageRepricings(first: $first, after: $after, usageLogId: $usageLogId) {
    edges { cursor node { usageLogId apiKeyName costTotalBefore costTotalAfter
                          oldValues newValues } }
    pageInfo { hasNextPage endCursor }
  }
}"""
LOG_COUNT = 12


async def _logs_at_the_estimate(api: Api) -> list[str]:
    """Record logs of a model with no price (built-in estimate), then give it a price."""
    ids = [
        await record(api, f"r{index}", "OPENAI", "gpt-new", userId=f"user{index % 3}")
        for index in range(LOG_COUNT)
    ]
    await upsert(api, "OPENAI", "gpt-new", "0.000002", "0.000004")
    return ids


async def test_chunked_repricing_resumes_and_changes_nothing_twice(api: Api) -> None:
    ids = await _logs_at_the_estimate(api)
    before = await summary(api)
    chunks: list[RepricingReport] = []

    class RunStoppedError(Exception):
        pass

    def stop_after_two_chunks(report: RepricingReport) -> None:
        chunks.append(report)
        if len(chunks) == 2:
            raise RunStoppedError

    async with database_connection(api.database):
        arguments: dict[str, Any] = {
            "usage_filter": UsageFilter(),
            "dry_run": False,
            # OPENAI logs never reach the environment step of the chain.
            "environment_prices": EnvironmentPrices(Decimal("0.000001"), Decimal("0.000003")),
            "cache": PricingCache(),
            "actor": SYSTEM,
            "chunk_size": 5,
        }
        with pytest.raises(RunStoppedError):
            await repricing.reprice_usage(**arguments, on_chunk=stop_after_two_chunks)
    # Two chunks of 5 were committed, each with its rollups: the books balance mid-run.
    assert chunks[-1].logs == 10
    assert await rollup_differences(api) == []
    assert len(await audit_rows(api, ids)) == 10

    resumed = (await api.data(REPRICE_AFTER, {"afterId": str(chunks[-1].last_id)}))["repriceUsage"]
    assert resumed == {"logs": "2", "changed": "2", "lastId": ids[-1]}
    assert await rollup_differences(api) == []
    audited = await audit_rows(api, ids)
    assert sorted(audited) == sorted(int(log_id) for log_id in ids)
    assert all(len(rows) == 1 for rows in audited.values())
    # 1000 input and 1000 output tokens at 0.000002 / 0.000004: $0.006 per log.
    assert (await summary(api))["costTotal"] == str(6 * LOG_COUNT / 1000)
    assert before["costTotal"] != (await summary(api))["costTotal"]

    again = await reprice(api, dry_run=False)
    assert again["changed"] == "0"
    assert len(await audit_rows(api, ids)) == LOG_COUNT


async def test_a_dry_run_reads_through_locks_held_by_writers(api: Api) -> None:
    await _logs_at_the_estimate(api)
    async with _writer_holding_locks(api.database):
        plan = await asyncio.wait_for(reprice(api, dry_run=True), 60)
    assert plan["changed"] == str(LOG_COUNT)


class _writer_holding_locks:  # noqa: N801  (used as a context manager)
    """Another connection in the middle of a write transaction over every log."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.close: Any = None

    async def __aenter__(self) -> None:
        if self.database.dialect == "postgres":
            connection = await asyncpg.connect(asyncpg_dsn(self.database.url))
            transaction = connection.transaction()
            await transaction.start()
            await connection.execute("SELECT id FROM api_usage_logs FOR UPDATE")
            await connection.execute("LOCK TABLE usage_rollup_hourly IN EXCLUSIVE MODE")

            async def close() -> None:
                await transaction.rollback()
                await connection.close()

        else:
            path = self.database.url.removeprefix("sqlite://")
            writer = sqlite3.connect(path, isolation_level=None)
            writer.execute("BEGIN IMMEDIATE")  # holds SQLite's write lock
            writer.execute("UPDATE api_usage_logs SET model = model")

            async def close() -> None:
                writer.execute("ROLLBACK")
                writer.close()

        self.close = close

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def test_admins_read_the_repricing_audit_page_by_page(api: Api) -> None:
    ids = await _logs_at_the_estimate(api)
    await reprice(api, dry_run=False)

    first = (await api.data(AUDIT, {"first": 5}))["usageRepricings"]
    assert len(first["edges"]) == 5
    assert first["pageInfo"]["hasNextPage"] is True
    newest = first["edges"][0]["node"]
    assert newest["usageLogId"] == ids[-1]
    assert newest["costTotalAfter"] == "0.006"
    assert newest["oldValues"]["pricingSource"] == "BUILTIN_ESTIMATE"
    assert newest["newValues"]["pricingSource"] == "EXACT"
    rest = (await api.data(AUDIT, {"first": 50, "after": first["pageInfo"]["endCursor"]}))[
        "usageRepricings"
    ]
    assert len(rest["edges"]) == LOG_COUNT - 5
    assert rest["pageInfo"]["hasNextPage"] is False

    one = (await api.data(AUDIT, {"usageLogId": ids[3]}))["usageRepricings"]["edges"]
    assert [edge["node"]["usageLogId"] for edge in one] == [ids[3]]

    error = await api.error(AUDIT, {"first": 501})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
    reader = await create_key(api, ["READ"])
    error = await api.error(AUDIT, {"first": 5}, key=reader)
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_rollups_stay_exact_when_part_of_each_group_moves(orm: Database) -> None:
    environment = EnvironmentPrices(Decimal("0.000001"), Decimal("0.000003"))
    await seed_usage(logs=600, users=4, days=3, seed=11, environment_prices=environment)
    # gpt-4o was priced wrong; grok-experimental (at the built-in estimate so far) and
    # mistral's default row get prices, which moves those logs to other pricing sources.
    for provider, model, input_cost, output_cost in (
        ("openai", "gpt-4o", "0.000005", "0.00002"),
        ("xai", "grok-experimental", "0.000002", "0.000006"),
        ("mistral", "default", "0.0000003", "0.0000009"),
    ):
        await upsert_pricing(
            provider=provider,
            model_name=model,
            prices=PriceChange(Decimal(input_cost), Decimal(output_cost)),
            effective_from=BEGINNING_OF_TIME,
            now=datetime.now(UTC),
            actor=SYSTEM,
        )
    arguments: dict[str, Any] = {
        "dry_run": False,
        "environment_prices": environment,
        "cache": PricingCache(),
        "actor": SYSTEM,
        "chunk_size": 37,
    }
    connection = UsageLog._meta.db

    # One user first: every hourly group keeps the other users' logs where they were.
    one_user = await repricing.reprice_usage(
        usage_filter=UsageFilter(user_id="user-00001"), **arguments
    )
    assert 0 < one_user.changed < one_user.logs
    assert await verify_rollups(connection) == []

    everyone = await repricing.reprice_usage(usage_filter=UsageFilter(), **arguments)
    assert everyone.logs == 600
    assert everyone.changed > 0
    assert await verify_rollups(connection) == []
    sources = {row.pricing_source for row in await UsageLog.filter(model="grok-experimental")}
    assert sources == {PricingSource.EXACT}
    again = await repricing.reprice_usage(usage_filter=UsageFilter(), **arguments)
    assert again.changed == 0
