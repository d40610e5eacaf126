"""A batch written in chunks (on PostgreSQL, each chunk sent while the next is priced)
keeps every rule of a batch written at once: all or nothing, the first bad item in the
caller's order, exact rollups.

The chunk is made small so that a batch of a dozen records takes several statements.
Items are priced in request-id order, which here is the reverse of the input order.
"""

from typing import Any

import pytest

from billgraph.services import usage_writer
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
