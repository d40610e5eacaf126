"""Concurrent overlapping batches: no lock error reaches a caller, and totals stay exact,
in the reports at once and in the rollup tables once the logs are folded.

Before rollup rows were locked in one order, two batches over the same models in
opposite orders deadlocked on PostgreSQL and the loser got INTERNAL.
"""

import asyncio
import json
import random
from decimal import Decimal
from typing import Any

import httpx
import pytest
from tortoise import connections
from tortoise.context import TortoiseContext

from billgraph.db import connection_name, tortoise_config
from billgraph.services.rollup_folding import fold_everything
from billgraph.services.rollups import verify_rollups
from tests.conftest import ADMIN_KEY, Api, make_settings, running_app
from tests.test_observability import sample

BATCHES = 16
BATCH_SIZE = 150
MODELS = [f"model-{number:02d}" for number in range(40)]
BATCH_MUTATION = """
mutation ($inputs: [RecordUsageInput!]!) { recordUsageBatch(inputs: $inputs) { created } }"""
# Unpriced models cost the builtin estimate: $1 per million tokens, input and output.
ESTIMATE_PER_TOKEN = Decimal("0.000001")


def batches() -> list[list[dict[str, Any]]]:
    generator = random.Random(8)
    hours = ["2026-03-01T10:15:00Z", "2026-03-01T11:45:00Z", "2026-03-02T10:05:00Z"]
    result = []
    for number in range(BATCHES):
        records = [
            {
                # Neighbouring batches share half their request ids (replays that race).
                "requestId": f"req-{(number * BATCH_SIZE // 2) + index}",
                "provider": "OPENAI",
                "model": MODELS[(number * BATCH_SIZE // 2 + index) % len(MODELS)],
                "userId": f"user-{(number * BATCH_SIZE // 2 + index) % 7}",
                "tokensInput": 100 + (number * BATCH_SIZE // 2 + index),
                "tokensOutput": 7,
                "occurredAt": hours[(number * BATCH_SIZE // 2 + index) % len(hours)],
            }
            for index in range(BATCH_SIZE)
        ]
        if number % 2:
            records.reverse()  # the same rollup rows, reached in the opposite order
        generator.shuffle(records) if number % 4 == 3 else None
        result.append(records)
    return result


@pytest.mark.parametrize(
    "rows_in_flight",
    [
        pytest.param(500, id="default-budget"),  # batches of 150 write 3 at a time
        pytest.param(100, id="each-batch-alone"),
        pytest.param(0, id="no-budget"),  # all at once, as several workers would
    ],
)
async def test_concurrent_overlapping_batches_all_succeed_with_exact_totals(
    api: Api, rows_in_flight: int
) -> None:
    settings = make_settings(api.database, ingest_rows_in_flight=rows_in_flight)
    async with running_app(settings) as client:
        waits_before = await batch_write_waits(client)
        await _overlapping_batches_stay_exact(Api(client, api.database))
        waits = await batch_write_waits(client) - waits_before

    if rows_in_flight == 100:
        assert waits >= 1  # 16 batches of 150 arrived at once: all but one waited their turn
    if rows_in_flight == 0:
        assert waits == 0


async def batch_write_waits(client: httpx.AsyncClient) -> float:
    """Return how many batch writes of this process have waited for their share so far."""
    text = (await client.get("/metrics")).text
    return sample(text, "billgraph_batch_write_wait_seconds_count")


async def _overlapping_batches_stay_exact(api: Api) -> None:
    all_batches = batches()
    headers = {"Authorization": f"Bearer {ADMIN_KEY}", "Content-Type": "application/json"}

    async def over_http(records: list[dict[str, Any]]) -> tuple[int, str]:
        response = await api.http.post(
            "/v1/usage", content=json.dumps(records).encode(), headers=headers
        )
        return response.status_code, response.text

    async def over_graphql(records: list[dict[str, Any]]) -> tuple[int, str]:
        body = await api.post(BATCH_MUTATION, {"inputs": records})
        return (200 if "errors" not in body else 500), json.dumps(body)

    answers = await asyncio.gather(
        *(
            (over_http if number % 2 else over_graphql)(records)
            for number, records in enumerate(all_batches)
        )
    )
    assert [status for status, _ in answers] == [200] * BATCHES, answers

    distinct = {record["requestId"]: record for records in all_batches for record in records}
    expected = sum(
        (record["tokensInput"] + record["tokensOutput"]) * ESTIMATE_PER_TOKEN
        for record in distinct.values()
    )
    summary = await api.data("{ costSummary { requests costTotal } }")
    assert summary["costSummary"] == {
        "requests": str(len(distinct)),
        "costTotal": str(expected.normalize()),
    }
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(api.database.url))
        connection = connections.get(connection_name(api.database.url))
        assert await verify_rollups(connection) == []
        if api.database.dialect == "postgres":
            # Folds from two more workers at once (the app's folder runs too) split the
            # pending logs between them, each folded once.
            await asyncio.gather(*(fold_everything(connection, limit=300) for _ in range(2)))
            assert await verify_rollups(connection) == []
        rows = await connection.execute_query_dict(
            "SELECT SUM(requests) AS requests, SUM(cost_total_pico) AS cost "
            "FROM usage_rollup_hourly"
        )
    assert int(rows[0]["requests"]) == len(distinct)
    assert Decimal(int(rows[0]["cost"])).scaleb(-12) == expected
