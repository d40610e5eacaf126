"""recordUsageBatch: one transaction, exactly once per requestId, errors name index and field."""

from typing import Any

import pytest

from tests.conftest import Api, create_key

BATCH = """
mutation ($inputs: [RecordUsageInput!]!) {
  recordUsageBatch(inputs: $inputs) {
    created replayed logs { requestId userId costTotal pricingSource }
  }
}"""
SUMMARY = "{ costSummary { requests costTotal } }"
UPSERT = """
mutation ($input: PricingInput!) { upsertPricing(input: $input) { id } }"""


def item(index: int, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "requestId": f"batch-{index}",
        "userId": "alice",
        "provider": "OPENAI",
        "model": "gpt-4o",
        "tokensInput": 1000 + index,
        "tokensOutput": 10,
    }
    payload.update(overrides)
    return payload


async def test_a_batch_is_recorded_and_a_replay_writes_nothing(api: Api) -> None:
    inputs = [item(index) for index in range(1000)]
    first = (await api.data(BATCH, {"inputs": inputs}))["recordUsageBatch"]
    assert (first["created"], first["replayed"]) == (1000, 0)
    assert [log["requestId"] for log in first["logs"]] == [f"batch-{i}" for i in range(1000)]
    replay = (await api.data(BATCH, {"inputs": inputs}))["recordUsageBatch"]
    assert (replay["created"], replay["replayed"]) == (0, 1000)
    assert replay["logs"] == first["logs"]
    assert (await api.data(SUMMARY))["costSummary"]["requests"] == "1000"


async def test_a_partly_new_batch_writes_only_the_new_records(api: Api) -> None:
    await api.data(BATCH, {"inputs": [item(0), item(1)]})
    result = (await api.data(BATCH, {"inputs": [item(1), item(2)]}))["recordUsageBatch"]
    assert (result["created"], result["replayed"]) == (1, 1)
    assert (await api.data(SUMMARY))["costSummary"]["requests"] == "3"


async def test_the_same_request_id_twice_in_one_batch_is_one_record(api: Api) -> None:
    result = (await api.data(BATCH, {"inputs": [item(7), item(7)]}))["recordUsageBatch"]
    assert (result["created"], result["replayed"]) == (1, 1)
    assert result["logs"][0] == result["logs"][1]


@pytest.mark.parametrize(
    ("bad", "field", "code"),
    [
        ({"tokensInput": -1}, "inputs[2].tokensInput", "BAD_USER_INPUT"),
        ({"model": " "}, "inputs[2].model", "BAD_USER_INPUT"),
        ({"occurredAt": "2026-01-01T00:00:00"}, "inputs[2].occurredAt", "BAD_USER_INPUT"),
        ({"requestId": "batch-0", "tokensInput": 5}, "inputs[2].requestId", "CONFLICT"),
    ],
)
async def test_one_bad_item_rejects_the_whole_batch_naming_it(
    api: Api, bad: dict[str, Any], field: str, code: str
) -> None:
    inputs = [item(0), item(1), item(2, **bad), item(3)]
    error = await api.error(BATCH, {"inputs": inputs})
    assert error["extensions"] == {"code": code, "field": field}
    assert error["message"].startswith("inputs[2]: ")
    assert (await api.data(SUMMARY))["costSummary"]["requests"] == "0"


async def test_a_conflict_with_a_stored_record_rejects_the_batch(api: Api) -> None:
    await api.data(BATCH, {"inputs": [item(5)]})
    error = await api.error(BATCH, {"inputs": [item(4), item(5, tokensOutput=99)]})
    assert error["extensions"] == {"code": "CONFLICT", "field": "inputs[1].requestId"}
    assert (await api.data(SUMMARY))["costSummary"]["requests"] == "1"


async def test_a_conflict_message_names_the_item_and_the_fields_in_api_names(api: Api) -> None:
    # The request id reads like the message's placeholders: it must come back as sent.
    request_id = "{field}{request_id}{tokens_output}"
    await api.data(BATCH, {"inputs": [item(5, requestId=request_id)]})
    changed = item(5, requestId=request_id, tokensOutput=99, model="gpt-4o-mini")
    error = await api.error(BATCH, {"inputs": [item(4), changed]})
    assert error["message"] == (
        f"inputs[1]: requestId {request_id!r} was already recorded with a different "
        "model, tokensOutput"
    )
    assert error["extensions"] == {"code": "CONFLICT", "field": "inputs[1].requestId"}


@pytest.mark.parametrize("size", [0, 1001])
async def test_batches_hold_1_to_1000_records(api: Api, size: int) -> None:
    error = await api.error(BATCH, {"inputs": [item(index) for index in range(size)]})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "inputs"}


async def test_a_user_bound_key_records_the_batch_for_its_user_only(api: Api) -> None:
    key = await create_key(api, ["INGEST"], user_id="alice")
    result = await api.data(BATCH, {"inputs": [item(0, userId=None), item(1)]}, key=key)
    assert [log["userId"] for log in result["recordUsageBatch"]["logs"]] == ["alice", "alice"]
    error = await api.error(BATCH, {"inputs": [item(2), item(3, userId="bob")]}, key=key)
    assert error["extensions"] == {"code": "FORBIDDEN", "field": "inputs[1].userId"}


async def test_a_price_change_reaches_the_next_batch(api: Api) -> None:
    before = await api.data(BATCH, {"inputs": [item(0)]})
    assert before["recordUsageBatch"]["logs"][0]["pricingSource"] == "BUILTIN_ESTIMATE"
    pricing = {
        "provider": "OPENAI",
        "modelName": "gpt-4o",
        "inputTokenCost": "0.0000025",
        "outputTokenCost": "0.00001",
    }
    await api.data(UPSERT, {"input": pricing})
    after = (await api.data(BATCH, {"inputs": [item(1)]}))["recordUsageBatch"]["logs"][0]
    assert (after["pricingSource"], after["costTotal"]) == ("EXACT", "0.0026025")
