"""A batch written in chunks (on PostgreSQL, each chunk sent while the next is priced)
keeps every rule of a batch written at once: all or nothing, the first bad item in the
caller's order, exact rollups.

The chunk is made small so that a batch of a dozen records takes several statements.
Items are priced in request-id order, which here is the reverse of the input order.
"""

import asyncio
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from tortoise import connections
from tortoise.context import TortoiseContext

from billgraph.db import connection_name, tortoise_config
from billgraph.http.usage_decoding import JSON, decode_records, split_records
from billgraph.services import usage_writer
from billgraph.services.api_keys import SYSTEM
from billgraph.services.budgets.in_force import reload_budgets
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.pricing_chain import EnvironmentPrices
from billgraph.services.usage import record_usage_batch
from billgraph.services.usage_batch import BatchPricing
from tests.conftest import Api
from tests.test_budgets import create_budget, price_gpt, status
from tests.test_ingest_http import post, record, requests_stored, rollup_differences


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(usage_writer, "PIPELINE_CHUNK", 3)


def descending(count: int, **overrides: Any) -> list[dict[str, Any]]:
    """`count` records whose request ids sort in the opposite order to the list."""
    return [record(0, requestId=f"id-{count - index:03d}", **overrides) for index in range(count)]


async def test_a_chunked_batch_is_stored_once_with_exact_rollups(api: Api) -> None:
    records = descending(12)
    assert await post(api, records) == (200, {"created": 12, "replayed": 0})
    assert await post(api, records + descending(14)[:2]) == (200, {"created": 2, "replayed": 12})
    assert await requests_stored(api) == "14"
    assert await rollup_differences(api) == []


async def test_a_bad_item_in_a_late_chunk_writes_nothing(api: Api) -> None:
    records = descending(12)
    records[1]["tokensInput"] = -1  # request id id-011: priced in the last chunk
    status, answer = await post(api, records)
    assert status == 400
    assert answer["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "index": 1,
        "field": "tokensInput",
    }
    assert await requests_stored(api) == "0"


async def test_the_first_bad_item_is_named_in_the_callers_order(api: Api) -> None:
    records = descending(12)
    records[2]["model"] = "  "  # id-010, priced after id-001
    records[11]["tokensOutput"] = -5  # id-001, priced first
    status, answer = await post(api, records)
    assert status == 400
    assert answer["errors"][0]["extensions"]["index"] == 2
    assert answer["errors"][0]["extensions"]["field"] == "model"
    assert await requests_stored(api) == "0"


async def test_a_conflict_names_the_first_conflicting_item_and_rolls_back(api: Api) -> None:
    await post(api, [record(0, requestId="id-003"), record(0, requestId="id-009")])
    records = descending(12)
    records[3]["tokensOutput"] = 11  # id-009
    records[9]["tokensOutput"] = 12  # id-003, found first in request-id order
    status, answer = await post(api, records)
    assert status == 409
    assert answer["errors"][0]["extensions"] == {
        "code": "CONFLICT",
        "index": 3,
        "field": "requestId",
    }
    assert await requests_stored(api) == "2"
    assert await rollup_differences(api) == []


async def test_a_budget_counts_a_chunked_batch_once(api: Api) -> None:
    await price_gpt(api)  # 1 USD per million tokens: 1000 input tokens cost 0.001
    budget = await create_budget(api, limit="1", userId="alice")
    records = descending(12, tokensInput=1000, tokensOutput=0)
    assert await post(api, records) == (200, {"created": 12, "replayed": 0})
    assert await post(api, records) == (200, {"created": 0, "replayed": 12})
    assert (await status(api, budget["id"]))["spent"] == "0.012"


async def test_a_write_cancelled_midway_stores_nothing_and_the_next_one_works(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    priced_chunks = 0
    midway = asyncio.Event()
    # SQLite prices the whole batch at once (only PostgreSQL writes chunk by chunk).
    stop_at = 5 if api.database.dialect == "postgres" else 1
    next_rows = BatchPricing.next_rows

    async def noting_chunks(pricing: BatchPricing, count: int) -> list[tuple[Any, ...]]:
        nonlocal priced_chunks
        priced_chunks += 1
        if priced_chunks == stop_at:
            midway.set()
            await asyncio.sleep(10)  # the caller leaves while this chunk is priced
        return await next_rows(pricing, count)

    usages = await decode_records(split_records(json.dumps(descending(30)).encode(), JSON))

    async def record() -> int:
        result = await record_usage_batch(
            usages=usages,
            now=datetime.now(UTC),
            environment_prices=EnvironmentPrices(Decimal(0), Decimal(0)),
            cache=PricingCache(),
            caller=SYSTEM,
        )
        return result.created

    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(api.database.url))
        # This process's copy of the budgets in force may be another test database's.
        await reload_budgets(connections.get(connection_name(api.database.url)))
        monkeypatch.setattr(BatchPricing, "next_rows", noting_chunks)
        request = asyncio.ensure_future(record())
        await midway.wait()
        request.cancel()
        with pytest.raises(asyncio.CancelledError):
            await request
        monkeypatch.setattr(BatchPricing, "next_rows", next_rows)
        assert await record() == 30  # the connection the cancelled write held works
    assert await requests_stored(api) == "30"
    assert await rollup_differences(api) == []
