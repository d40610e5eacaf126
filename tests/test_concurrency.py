"""Races decided by the database: concurrent replays and concurrent startups."""

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from tortoise.context import TortoiseContext

from billgraph.db import migrations_location, tortoise_config
from billgraph.migrate import upgrade_database
from billgraph.models import Pricing, UsageLog
from billgraph.services.pricing_chain import EnvironmentPrices
from billgraph.services.pricing_defaults import initialize_default_pricing
from tests.conftest import Api, Database, scratch_postgres_database

RECORD = """
mutation ($input: RecordUsageInput!) { recordUsage(input: $input) { id costTotal } }"""
CONCURRENT_CALLS = 20


async def test_concurrent_calls_with_one_request_id_leave_one_row(api: Api) -> None:
    variables = {
        "input": {
            "requestId": "same-id",
            "provider": "OPENAI",
            "model": "gpt-4o",
            "tokensInput": 10,
            "tokensOutput": 20,
        }
    }
    responses = await asyncio.gather(
        *(api.post(RECORD, variables) for _ in range(CONCURRENT_CALLS))
    )
    ids = {response["data"]["recordUsage"]["id"] for response in responses}
    assert len(ids) == 1
    assert all("errors" not in response for response in responses)
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(api.database.url))
        assert await UsageLog.filter(request_id="same-id").count() == 1


async def test_concurrent_conflicting_calls_leave_one_row_and_report_conflicts(api: Api) -> None:
    def variables(tokens: int) -> dict[str, object]:
        return {
            "input": {
                "requestId": "contested",
                "provider": "OPENAI",
                "model": "gpt-4o",
                "tokensInput": tokens,
                "tokensOutput": 0,
            }
        }

    responses = await asyncio.gather(
        *(api.post(RECORD, variables(tokens)) for tokens in range(CONCURRENT_CALLS))
    )
    winners = [response for response in responses if "errors" not in response]
    conflicts = [
        response
        for response in responses
        if response.get("errors") and response["errors"][0]["extensions"]["code"] == "CONFLICT"
    ]
    assert len(winners) == 1
    assert len(conflicts) == CONCURRENT_CALLS - 1


async def test_workers_starting_at_once_initialize_pricing_once(database: Database) -> None:
    if database.dialect != "postgres":
        pytest.skip("SQLite serves one process; concurrent startup is a PostgreSQL concern")
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(database.url), _enable_global_fallback=True)
        await Pricing.all().delete()
        prices = EnvironmentPrices(
            input_token_cost=Decimal("0.000001"), output_token_cost=Decimal("0.000003")
        )
        reports = await asyncio.gather(
            *(
                initialize_default_pricing(environment_prices=prices, now=datetime.now(UTC))
                for _ in range(8)
            )
        )
        assert sum(len(report.created) for report in reports) == 2
        assert sum(len(report.unchanged) for report in reports) == 14
        assert await Pricing.all().count() == 2


async def test_workers_migrating_a_new_database_at_once_apply_each_migration_once(
    database: Database,
) -> None:
    if database.dialect != "postgres":
        pytest.skip("SQLite serves one process; concurrent startup is a PostgreSQL concern")
    async with scratch_postgres_database() as url:
        results = await asyncio.gather(*(upgrade_database(url) for _ in range(4)))
        applied = [name for result in results for name in result]
        assert sorted(applied) == sorted(set(applied))
        assert len(applied) == len(list((migrations_location("postgres") / "models").glob("*.py")))
