"""The pricing listener: reconnects after losing its connection and then reloads fully."""

import asyncio

import asyncpg
import pytest

from billgraph.migrate import asyncpg_dsn
from tests.conftest import ADMIN_KEY, Api, Database, make_settings, running_app
from tests.test_observability import sample

LISTENERS = """
SELECT pid FROM pg_stat_activity
 WHERE datname = current_database() AND query LIKE 'LISTEN %billgraph_pricing%'
"""


async def listener_pids(connection: asyncpg.Connection) -> set[int]:
    return {row["pid"] for row in await connection.fetch(LISTENERS)}


async def wait_for_listener(connection: asyncpg.Connection, *, other_than: set[int]) -> int:
    for _ in range(1000):  # bounded: 10 s
        new = await listener_pids(connection) - other_than
        if new:
            return new.pop()
        await asyncio.sleep(0.01)
    pytest.fail("no pricing listener connected")


async def test_the_listener_reconnects_and_the_cache_reloads_everything(
    database: Database,
) -> None:
    if database.dialect != "postgres":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    admin = await asyncpg.connect(asyncpg_dsn(database.url))
    try:
        async with running_app(make_settings(database)) as client:
            api = Api(client, database)
            first = await wait_for_listener(admin, other_than=set())
            before = (await client.get("/metrics")).text

            await admin.execute("SELECT pg_terminate_backend($1)", first)
            await wait_for_listener(admin, other_than={first})
            resolved = await api.data(
                '{ resolvePricing(provider: MISTRAL, model: "gpt-oss-120b") { source } }'
            )
            after = (
                await client.get("/metrics", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
            ).text
    finally:
        await admin.close()

    reloads = sample(after, "billgraph_pricing_cache_reloads_total", reason="reconnect")
    assert resolved["resolvePricing"]["source"] == "EXACT"
    assert (
        reloads - sample(before, "billgraph_pricing_cache_reloads_total", reason="reconnect") == 1
    )
