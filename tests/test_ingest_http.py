"""POST /v1/usage: JSON or NDJSON bulk ingest with the rules of recordUsageBatch."""

import json
import sqlite3
from typing import Any

import pytest
from tortoise import connections
from tortoise.context import TortoiseContext

from billgraph.db import connection_name, tortoise_config
from billgraph.services import usage_writer
from billgraph.services.rollup_folding import fold_everything
from billgraph.services.rollups import verify_rollups
from tests.conftest import ADMIN_KEY, Api, create_key, make_settings, running_app

SUMMARY = "{ costSummary { requests costTotal } }"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
UPSERT = """
mutation ($input: PricingInput!) { upsertPricing(input: $input) { id } }"""
RECORD = """
mutation ($input: RecordUsageInput!) { recordUsage(input: $input) { id } }"""


def record(index: int, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "requestId": f"http-{index}",
        "userId": "alice",
        "provider": "OPENAI",
        "model": "gpt-4o",
        "tokensInput": 1000 + index,
        "tokensOutput": 10,
    }
    payload.update(overrides)
    return payload


async def post(
    api: Api, records: Any, *, key: str = ADMIN_KEY, ndjson: bool = False
) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {key}"}
    if ndjson:
        body = "\n".join(json.dumps(item) for item in records).encode()
        headers["Content-Type"] = "application/x-ndjson"
    else:
        body = json.dumps(records).encode()
        headers["Content-Type"] = "application/json"
    response = await api.http.post("/v1/usage", content=body, headers=headers)
    answer: dict[str, Any] = response.json()
    return response.status_code, answer


async def requests_stored(api: Api) -> str:
    requests: str = (await api.data(SUMMARY))["costSummary"]["requests"]
    return requests


async def rollup_differences(api: Api) -> list[Any]:
    """Fold what is pending, then compare the rollups with the logs."""
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(api.database.url))
        connection = connections.get(connection_name(api.database.url))
        await fold_everything(connection)
        return await verify_rollups(connection)


async def test_a_json_array_is_recorded_once_and_a_replay_writes_nothing(api: Api) -> None:
    records = [record(index) for index in range(2000)]
    assert await post(api, records) == (200, {"created": 2000, "replayed": 0})
    assert await post(api, records) == (200, {"created": 0, "replayed": 2000})
    assert await requests_stored(api) == "2000"
    assert await rollup_differences(api) == []


async def test_ndjson_is_recorded_like_json_and_both_meet_graphql_replays(api: Api) -> None:
    assert await post(api, [record(1), record(2)], ndjson=True) == (
        200,
        {"created": 2, "replayed": 0},
    )
    await api.data(RECORD, {"input": record(3)})
    status, answer = await post(api, [record(2), record(3), record(4)], ndjson=True)
    assert (status, answer) == (200, {"created": 1, "replayed": 2})
    assert await requests_stored(api) == "4"


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"tokensInput": -1}, "tokensInput"),
        ({"tokensInput": "12"}, "tokensInput"),
        ({"provider": "no such provider"}, "provider"),
        ({"model": "  "}, "model"),
        ({"model": "\ud800"}, "model"),
        ({"requestId": "\udfff-id"}, "requestId"),
        ({"occurredAt": "2026-01-01T00:00:00"}, "occurredAt"),
        ({"tokens_input": 5}, "tokens_input"),
        ({"tokensReasoning": 11}, "tokensReasoning"),
    ],
)
async def test_a_bad_record_names_its_index_and_field_and_nothing_is_written(
    api: Api, bad: dict[str, Any], field: str
) -> None:
    records = [record(0), record(1), record(2, **bad)]
    status, answer = await post(api, records)
    assert status == 400, answer
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["index"] == 2
    assert error["extensions"]["field"] == field
    assert await requests_stored(api) == "0"


async def test_a_changed_payload_is_a_conflict_and_rolls_back_the_request(api: Api) -> None:
    await post(api, [record(5)])
    status, answer = await post(api, [record(4), record(5, tokensOutput=11)])
    assert status == 409
    [error] = answer["errors"]
    assert error["extensions"] == {"code": "CONFLICT", "index": 1, "field": "requestId"}
    assert "tokensOutput" in error["message"]
    assert await requests_stored(api) == "1"


async def test_a_request_of_several_statements_is_still_all_or_nothing(api: Api) -> None:
    # 10,000 records go to PostgreSQL in five statements of one transaction.
    records = [record(index) for index in range(10_000)]
    await post(api, [records[9_000]])
    changed = {**records[9_990], "tokensOutput": 11}
    await post(api, [changed])  # stored first: the request's own copy now conflicts
    status, answer = await post(api, records)
    assert status == 409
    assert answer["errors"][0]["extensions"]["index"] == 9_990
    assert await requests_stored(api) == "2"  # every statement of the request undone
    records[9_990] = changed
    assert await post(api, records) == (200, {"created": 9_998, "replayed": 2})
    assert await requests_stored(api) == "10000"
    assert await rollup_differences(api) == []


async def test_keys_scopes_and_user_binding_apply(api: Api) -> None:
    status, answer = await post(api, [record(0)], key="bg_nothing_here")
    assert (status, answer["errors"][0]["extensions"]["code"]) == (401, "UNAUTHENTICATED")
    reader = await create_key(api, ["READ"])
    status, answer = await post(api, [record(0)], key=reader)
    assert (status, answer["errors"][0]["extensions"]["code"]) == (403, "FORBIDDEN")
    bob = await create_key(api, ["INGEST"], user_id="bob")
    status, answer = await post(api, [record(0, userId=None), record(1, userId="alice")], key=bob)
    assert status == 403
    assert answer["errors"][0]["extensions"] == {
        "code": "FORBIDDEN",
        "index": 1,
        "field": "userId",
    }
    assert await post(api, [record(0, userId=None)], key=bob) == (
        200,
        {"created": 1, "replayed": 0},
    )
    logs = await api.data("{ usageLogs(first: 5) { edges { node { userId } } } }")
    assert [edge["node"]["userId"] for edge in logs["usageLogs"]["edges"]] == ["bob"]


async def test_a_user_bound_key_learns_nothing_from_another_users_request_id(api: Api) -> None:
    await post(api, [record(9, userId="alice", model="secret-model")])
    bob = await create_key(api, ["INGEST"], user_id="bob")
    status, answer = await post(api, [record(9, userId=None, model="guess")], key=bob)
    assert status == 409
    message = answer["errors"][0]["message"]
    assert message == "requestId 'http-9' is already used by another record"
    graphql = await api.error(RECORD, {"input": record(9, userId=None)}, key=bob)
    assert graphql["message"] == message


async def test_media_type_count_and_size_limits(api: Api) -> None:
    response = await api.http.post(
        "/v1/usage", content=b"[]", headers={**ADMIN, "Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert (await post(api, []))[0] == 400
    status, answer = await post(api, [record(index) for index in range(10_001)])
    assert status == 400
    assert "1 to 10000 records" in answer["errors"][0]["message"]
    status, answer = await post(api, {"not": "an array"})
    assert (status, answer["errors"][0]["extensions"]["code"]) == (400, "BAD_USER_INPUT")


async def test_the_ingest_body_limit_is_its_own_setting(api: Api) -> None:
    settings = make_settings(api.database, max_ingest_request_bytes=2048)
    async with running_app(settings) as client:
        small = Api(client, api.database)
        assert (await post(small, [record(0)]))[0] == 200
        status, answer = await post(small, [record(index) for index in range(40)])
        assert status == 413
        assert answer["errors"][0]["extensions"]["limit"] == "MAX_INGEST_REQUEST_BYTES"


async def test_sums_past_64_bits_are_stored_exactly_or_bad_input_never_internal(api: Api) -> None:
    prices = {"provider": "OPENAI", "modelName": "pricey", "inputTokenCost": "1"}
    await api.data(UPSERT, {"input": {**prices, "outputTokenCost": "1"}})
    huge = {"model": "pricey", "tokensInput": 9_000_000, "tokensOutput": 0}
    assert (await post(api, [record(0, **huge)]))[0] == 200
    if api.database.dialect == "postgres":
        # Folded after the insert into NUMERIC sums: stored, and every total is exact.
        small = {"model": "pricey", "tokensInput": 5, "tokensOutput": 0}
        status, answer = await post(api, [record(1, **small), record(2, **huge)])
        assert (status, answer) == (200, {"created": 2, "replayed": 0})
        total = {"requests": "3", "costTotal": "18000005"}
        assert (await api.data(SUMMARY))["costSummary"] == total
        assert await rollup_differences(api) == []  # folds, then compares
        assert (await api.data(SUMMARY))["costSummary"] == total
        return
    status, answer = await post(api, [record(1), record(2), record(3, **huge)])
    assert status == 400
    assert answer["errors"][0]["extensions"]["field"] == "tokensInput"
    assert answer["errors"][0]["extensions"]["index"] == 2
    error = await api.error(RECORD, {"input": record(4, **huge)})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "tokensInput"
    assert await requests_stored(api) == "1"
    assert await rollup_differences(api) == []


async def test_a_lone_surrogate_over_graphql_is_bad_input_naming_the_field(api: Api) -> None:
    for field in ("model", "userId", "requestId"):
        body = json.dumps(
            {"query": RECORD, "variables": {"input": record(0, **{field: "a\ud800"})}}
        )
        response = await api.http.post(
            "/graphql", content=body, headers={**ADMIN, "Content-Type": "application/json"}
        )
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["field"] == field


async def test_lock_conflicts_that_outlast_the_retries_are_unavailable(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts = 0

    async def always_locked(*args: Any, **kwargs: Any) -> None:
        nonlocal attempts
        attempts += 1
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(usage_writer, "_write_once", always_locked)
    response = await api.http.post("/v1/usage", json=[record(0)], headers=ADMIN)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.json()["errors"][0]["extensions"] == {
        "code": "UNAVAILABLE",
        "retryable": True,
    }
    assert attempts == usage_writer.ATTEMPTS
    error = await api.error(RECORD, {"input": record(0)})
    assert error["extensions"]["code"] == "UNAVAILABLE"
    assert error["extensions"]["retryable"] is True


async def test_a_lost_database_connection_is_unavailable_not_internal(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unreachable(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(usage_writer, "_write_once", unreachable)
    response = await api.http.post("/v1/usage", json=[record(0)], headers=ADMIN)
    assert response.status_code == 503
    error = await api.error(RECORD, {"input": record(0)})
    assert (error["extensions"]["code"], error["extensions"]["retryable"]) == ("UNAVAILABLE", True)


async def test_the_openapi_schema_documents_the_endpoint(api: Api) -> None:
    document = (await api.http.get("/openapi.json")).json()
    operation = document["paths"]["/v1/usage"]["post"]
    content = operation["requestBody"]["content"]
    assert set(content) == {"application/json", "application/x-ndjson"}
    record_schema = content["application/json"]["schema"]["items"]
    assert {"provider", "model", "tokensInput", "tokensOutput", "requestId"} <= set(
        record_schema["properties"]
    )
    assert {"200", "400", "401", "403", "409", "413", "415", "503"} <= set(operation["responses"])


BATCH = """
mutation ($inputs: [RecordUsageInput!]!) { recordUsageBatch(inputs: $inputs) { created } }"""


@pytest.mark.parametrize(
    "bad",
    [{"tokensInput": 2**31}, {"tokensInput": "5"}, {"provider": 5}, {"extra": 1}],
)
async def test_a_batch_variable_graphql_would_refuse_is_refused_as_before(
    api: Api, bad: dict[str, Any]
) -> None:
    error = await api.error(BATCH, {"inputs": [record(0), {**record(1), **bad}]})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "$inputs" in error["message"]
    assert await requests_stored(api) == "0"


async def test_a_bad_provider_in_a_batch_variable_names_its_item(api: Api) -> None:
    bad = {**record(1), "provider": "no such provider"}
    error = await api.error(BATCH, {"inputs": [record(0), bad]})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "inputs[1].provider"
    assert "is not a provider id" in error["message"]
    assert await requests_stored(api) == "0"


async def test_a_batch_written_inline_takes_the_ordinary_path(api: Api) -> None:
    inline = """mutation { recordUsageBatch(inputs: [
      {provider: OPENAI, model: "gpt-4o", tokensInput: 5, tokensOutput: 1, requestId: "i-1"},
      {provider: OPENAI, model: "gpt-4o", tokensInput: 5, tokensOutput: 1, requestId: "i-1"}
    ]) { created replayed } }"""
    result = (await api.data(inline))["recordUsageBatch"]
    assert result == {"created": 1, "replayed": 1}
