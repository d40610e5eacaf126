"""On PostgreSQL the single-record write runs on a pool of its own that reuses the
statement's generic plan; every other statement keeps custom plans (billgraph.db)."""

import pytest
from tortoise import connections

from billgraph.db import connection_name, single_write_connection
from tests.conftest import ADMIN_KEY, Database, make_settings, running_app

RECORD = """
mutation ($input: RecordUsageInput!) { recordUsage(input: $input) { id costTotal } }"""
USAGE = {
    "requestId": "single-1",
    "provider": "OPENAI",
    "model": "gpt-4o",
    "tokensInput": 1000,
    "tokensOutput": 10,
}


async def test_the_single_record_write_has_a_pool_with_generic_plans(database: Database) -> None:
    if database.dialect != "postgres":
        pytest.skip("plan_cache_mode is a PostgreSQL setting")
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    async with running_app(make_settings(database)) as client:
        primary = connections.get(connection_name(database.url))
        writer = single_write_connection(primary)
        assert writer is not primary
        assert await writer.execute_query_dict("SHOW plan_cache_mode") == [
            {"plan_cache_mode": "auto"}
        ]
        assert await primary.execute_query_dict("SHOW plan_cache_mode") == [
            {"plan_cache_mode": "force_custom_plan"}
        ]
        answers = [
            (await client.post("/graphql", json=body, headers=headers)).json()
            for body in [{"query": RECORD, "variables": {"input": USAGE}}] * 7
        ]
        # The sixth run of a statement is the first that may use a generic plan.
        assert all("errors" not in answer for answer in answers), answers
        assert {answer["data"]["recordUsage"]["id"] for answer in answers} == {
            answers[0]["data"]["recordUsage"]["id"]
        }
        rows = await primary.execute_query_dict(
            "SELECT COUNT(*) AS logs FROM api_usage_logs WHERE request_id = 'single-1'"
        )
        assert rows == [{"logs": 1}]
    assert single_write_connection(primary) is primary  # closed with the app
