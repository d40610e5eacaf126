"""Several real server processes on one PostgreSQL database, started at once.

One module, one set of processes (they are slow to start): server A with one worker
and server B with two, on a database that is empty when they start.
"""

import asyncio
import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from billgraph.migrate import asyncpg_dsn
from billgraph.readiness import code_migrations
from tests.conftest import ADMIN_KEY, DEFAULT_SERVER_URL, scratch_postgres_database
from tests.servers import BANNER, Server, start_server

SETTLE_SECONDS = 2.0
HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}


@dataclass
class Cluster:
    database_url: str
    a: Server
    b: Server


@pytest.fixture(scope="module")
async def postgres_url() -> AsyncIterator[str]:
    server_url = os.environ.get("TEST_DATABASE_URL", DEFAULT_SERVER_URL)
    try:
        connection = await asyncpg.connect(asyncpg_dsn(server_url), timeout=3)
    except (OSError, asyncpg.PostgresError):
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true but {server_url} is unreachable")
        pytest.skip(f"PostgreSQL not reachable at {server_url}")
    await connection.close()
    async with scratch_postgres_database() as url:
        yield url


@pytest.fixture(scope="module")
def cluster(postgres_url: str) -> Iterator[Cluster]:
    settings = {"ADMIN_API_KEY": ADMIN_KEY, "PRICE_SETTLE_SECONDS": SETTLE_SECONDS}
    a = start_server(postgres_url, workers=1, **settings)
    b = start_server(postgres_url, workers=2, **settings)
    try:
        for server in (a, b):
            assert server.wait_for(BANNER), server.output
        yield Cluster(postgres_url, a, b)
    finally:
        a.stop()
        b.stop()


async def graphql(server: Server, query: str, variables: dict[str, Any] | None = None) -> Any:
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=HEADERS
        )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def test_each_migration_is_applied_once_and_every_server_serves(
    cluster: Cluster,
) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(cluster.database_url))
    try:
        rows = await connection.fetch("SELECT version, count(*) AS n FROM aerich GROUP BY version")
    finally:
        await connection.close()
    announced = [
        name.strip()
        for server in (cluster.a, cluster.b)
        for line in server.lines
        for match in re.finditer(r"pplied migrations: (.*)$", line)
        for name in match.group(1).split(",")
    ]

    assert {row["version"]: row["n"] for row in rows} == dict.fromkeys(
        code_migrations("postgres"), 1
    )
    assert sorted(announced) == sorted(code_migrations("postgres"))
    for server in (cluster.a, cluster.b):
        async with httpx.AsyncClient(base_url=server.url) as client:
            assert (await client.get("/readyz")).json() == {"status": "ok", "database": "up"}


UPSERT = """
mutation Upsert($input: PricingInput!) {
  upsertPricing(input: $input) { id effectiveFrom }
}"""


async def set_price(server: Server, model: str, price: str, starts: datetime | None) -> Any:
    pricing_input: dict[str, Any] = {
        "provider": "OPENAI",
        "modelName": model,
        "inputTokenCost": price,
        "outputTokenCost": price,
    }
    if starts is not None:
        pricing_input["effectiveFrom"] = starts.isoformat()
    return (await graphql(server, UPSERT, {"input": pricing_input}))["upsertPricing"]


async def _until_every_worker_of_b_listens(cluster: Cluster) -> None:
    """Wait until one price change is heard by both of B's workers: a worker may still be
    starting (and its listener connecting) after the server printed its banner."""
    deadline = datetime.now(UTC) + timedelta(seconds=60)
    while True:
        before = cluster.b.metric("billgraph_pricing_notifications_total")
        model = f"warm-up-{uuid.uuid4().hex[:6]}"
        await set_price(cluster.a, model, "0.000001", datetime(2020, 1, 1, tzinfo=UTC))
        heard_by = datetime.now(UTC) + timedelta(seconds=2)
        while datetime.now(UTC) < heard_by:
            if cluster.b.metric("billgraph_pricing_notifications_total") >= before + 2:
                return
            await asyncio.sleep(0.02)
        assert datetime.now(UTC) < deadline, cluster.b.output


async def test_a_price_change_reaches_every_worker_of_another_server_before_it_takes_effect(
    cluster: Cluster,
) -> None:
    model = f"propagation-{uuid.uuid4().hex[:6]}"
    await set_price(cluster.a, model, "0.000001", datetime(2020, 1, 1, tzinfo=UTC))
    await _until_every_worker_of_b_listens(cluster)
    heard_before = cluster.b.metric("billgraph_pricing_notifications_total")

    changed = await set_price(cluster.a, model, "0.000002", None)
    answered = datetime.now(UTC)
    effective_from = datetime.fromisoformat(changed["effectiveFrom"])
    # Both of B's workers count the notification; poll until they have (bounded).
    while cluster.b.metric("billgraph_pricing_notifications_total") < heard_before + 2:
        assert datetime.now(UTC) < answered + timedelta(seconds=30), cluster.b.output
        await asyncio.sleep(0.01)
    heard = datetime.now(UTC)
    resolved = await graphql(
        cluster.b,
        "query ($m: String!, $at: DateTime!) { resolvePricing(provider: OPENAI, model: $m, "
        "at: $at) { inputTokenCost } }",
        {"m": model, "at": effective_from.isoformat()},
    )

    print(f"propagation to both workers of B: {(heard - answered).total_seconds() * 1000:.1f} ms")
    assert effective_from > answered
    assert heard < effective_from, "the other server heard of the change only after it began"
    assert resolved["resolvePricing"]["inputTokenCost"] == "0.000002"


async def test_a_provider_remap_reaches_every_worker_of_another_server(cluster: Cluster) -> None:
    provider = f"remapped_{uuid.uuid4().hex[:6]}"
    await graphql(
        cluster.a,
        'mutation ($id: Provider!) { addProvider(input: {id: $id, displayName: "R"}) { id } }',
        {"id": provider},
    )
    heard_before = cluster.b.metric("billgraph_pricing_notifications_total")

    await graphql(
        cluster.a,
        'mutation ($id: Provider!) { remapProvider(id: $id, pricedFrom: "mistral") { id } }',
        {"id": provider},
    )
    answered = datetime.now(UTC)
    while cluster.b.metric("billgraph_pricing_notifications_total") < heard_before + 2:
        assert datetime.now(UTC) < answered + timedelta(seconds=30), cluster.b.output
        await asyncio.sleep(0.01)
    # B's two workers answer in turn: every answer prices from the mistral rows.
    answers = [
        await graphql(
            cluster.b,
            'query ($p: Provider!) { resolvePricing(provider: $p, model: "gpt-oss-120b") '
            "{ pricingProvider source } }",
            {"p": provider},
        )
        for _ in range(6)
    ]

    assert {
        (answer["resolvePricing"]["pricingProvider"], answer["resolvePricing"]["source"])
        for answer in answers
    } == {("mistral", "EXACT")}


RECORD_BATCH = """
mutation Ingest($inputs: [RecordUsageInput!]!) {
  recordUsageBatch(inputs: $inputs) { created }
}"""


async def test_concurrent_ingest_prices_every_call_by_the_version_in_effect_at_it(
    cluster: Cluster,
) -> None:
    model = f"settle-{uuid.uuid4().hex[:6]}"
    await set_price(cluster.a, model, "0.000001", datetime(2020, 1, 1, tzinfo=UTC))
    batches = 0
    progress = asyncio.Condition()
    stop_after: datetime | None = None

    async def ingest(server: Server) -> None:
        nonlocal batches
        async with httpx.AsyncClient(base_url=server.url, timeout=60, headers=HEADERS) as client:
            while stop_after is None or datetime.now(UTC) < stop_after:
                inputs = [
                    {"provider": "OPENAI", "model": model, "tokensInput": 1000, "tokensOutput": 1}
                    for _ in range(10)
                ]
                response = await client.post(
                    "/graphql", json={"query": RECORD_BATCH, "variables": {"inputs": inputs}}
                )
                assert "errors" not in response.json(), response.text
                async with progress:
                    batches += 1
                    progress.notify_all()

    async def batches_recorded(count: int) -> None:
        async with progress:
            await progress.wait_for(lambda: batches >= count)

    ingesters = [
        asyncio.ensure_future(ingest(server)) for server in (cluster.a, cluster.b, cluster.b)
    ]
    changes: list[dict[str, Any]] = []
    for step, price in enumerate(("0.000002", "0.000003", "0.000004")):
        await batches_recorded(5 * (step + 1) + len(changes) * 10)
        changes.append(await set_price((cluster.a, cluster.b)[step % 2], model, price, None))
    stop_after = datetime.fromisoformat(changes[-1]["effectiveFrom"]) + timedelta(seconds=1)
    await asyncio.gather(*ingesters)

    connection = await asyncpg.connect(asyncpg_dsn(cluster.database_url))
    try:
        rows = await connection.fetch(
            """
            SELECT log.pricing_id AS used,
                   (SELECT p.id FROM api_provider_pricing p
                     WHERE p.model_key = $1 AND p.effective_from <= log.occurred_at
                     ORDER BY p.effective_from DESC LIMIT 1) AS in_effect
              FROM api_usage_logs log WHERE log.model = $1
            """,
            model,
        )
    finally:
        await connection.close()
    wrong = [row for row in rows if row["used"] != row["in_effect"]]
    per_version: dict[int, int] = {}
    for row in rows:
        per_version[row["used"]] = per_version.get(row["used"], 0) + 1

    print(f"{len(rows)} calls, per version: {sorted(per_version.values())}")
    assert wrong == []
    assert len(per_version) == 4, per_version  # every version priced calls in its time
