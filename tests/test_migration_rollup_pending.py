"""Migration 9 on PostgreSQL: its downgrade folds the logs still pending into the rollups
(dropping the pending table must not drop their share), and upgrading again works."""

from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
import pytest
from aerich import Command
from tortoise.context import TortoiseContext

from billgraph.db import APP_LABEL, connection_name, migrations_location, tortoise_config
from billgraph.migrate import asyncpg_dsn, upgrade_database
from billgraph.services.api_keys import SYSTEM
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.pricing_chain import EnvironmentPrices
from billgraph.services.rollup_folding import fold_pending
from billgraph.services.rollups import verify_rollups
from billgraph.services.usage import UsageInput, record_usage_batch
from tests.conftest import Database, scratch_postgres_database

ENVIRONMENT = EnvironmentPrices(Decimal("0.000001"), Decimal("0.000003"))
TABLES = ("usage_rollup_hourly", "usage_rollup_daily_user", "usage_rollup_daily_user_total")


async def _record_and_fold_some(url: str) -> None:
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(url))
        await record_usage_batch(
            usages=[
                UsageInput(
                    provider="OPENAI",
                    model=f"model-{number % 3}",
                    tokens_input=1000 + number,
                    tokens_output=number % 50,
                    request_id=f"migration-9-{number}",
                    user_id=f"user-{number % 4}",
                    occurred_at=datetime(2026, 2, 1 + number % 5, number % 24, tzinfo=UTC),
                )
                for number in range(300)
            ],
            now=datetime.now(UTC),
            environment_prices=ENVIRONMENT,
            cache=PricingCache(),
            caller=SYSTEM,
        )
        assert await fold_pending(context.connections.get(connection_name(url)), limit=120) == 120


async def _totals(url: str) -> dict[str, tuple[int, int, int]]:
    """Requests, input tokens and cost: of the logs, and of each rollup table."""
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        sums = {}
        for source, requests in (
            ("api_usage_logs", "COUNT(*)"),
            *((t, "SUM(requests)") for t in TABLES),
        ):
            row = await connection.fetchrow(
                f"SELECT {requests} AS r, SUM(tokens_input) AS t, SUM(cost_total_pico) AS c "  # noqa: S608
                f"FROM {source}"
            )
            sums[source] = (int(row["r"] or 0), int(row["t"] or 0), int(row["c"] or 0))
        return sums
    finally:
        await connection.close()


async def _downgrade_one(url: str) -> list[str]:
    command = Command(
        tortoise_config(url), app=APP_LABEL, location=str(migrations_location("postgres"))
    )
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(url))
        await command.init()
        undone: list[str] = await command.downgrade(version=-1, delete=False)
    return undone


async def test_the_downgrade_folds_pending_logs_before_dropping_their_table(
    database: Database,
) -> None:
    if database.dialect != "postgres":
        pytest.skip("migration 9 changes PostgreSQL only")
    async with scratch_postgres_database() as url:
        await upgrade_database(url)
        await _record_and_fold_some(url)
        before = await _totals(url)
        assert before["usage_rollup_hourly"][0] == 120  # 180 still pending

        assert [name.split("_", 1)[0] for name in await _downgrade_one(url)] == ["9"]

        after = await _totals(url)
        assert after == dict.fromkeys(after, before["api_usage_logs"])
        connection = await asyncpg.connect(asyncpg_dsn(url))
        try:
            types = await connection.fetch(
                "SELECT DISTINCT data_type FROM information_schema.columns "
                "WHERE table_name = 'usage_rollup_hourly' AND column_name LIKE 'cost_%'"
            )
            assert [row["data_type"] for row in types] == ["bigint"]
            assert await connection.fetchval("SELECT to_regclass('usage_rollup_pending')") is None
        finally:
            await connection.close()

        assert [name.split("_", 1)[0] for name in await upgrade_database(url)] == ["9"]
        async with TortoiseContext() as context:
            await context.init(config=tortoise_config(url))
            assert await verify_rollups(context.connections.get(connection_name(url))) == []
        assert await _totals(url) == after
