"""Requests /graphql cannot read get the API's error shape, a code and a fitting status.

Also: a value graphql-core cannot coerce (a token count over 2^31) names its field.
"""

from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN_KEY, Api, Database
from tests.test_hardening import app_with, recorded_calls

ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}
RECORD = (
    'mutation { recordUsage(input: {provider: OPENAI, model: "gpt-4o", tokensInput: 10,'
    " tokensOutput: 5}) { id } }"
)


def api_error(response: httpx.Response, status: int) -> dict[str, Any]:
    """Return the single error of an answer in the API's error shape with `status`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"errors"}, body
    assert len(body["errors"]) == 1, body
    error: dict[str, Any] = body["errors"][0]
    assert error["message"]
    return error


@pytest.mark.parametrize(
    ("content", "content_type", "status", "field", "says"),
    [
        (b'{"query": "{ pricings { id } ', "application/json", 400, None, "not valid JSON"),
        (b"\xff\xfe not utf-8", "application/json", 400, None, "not valid JSON"),
        (b"42", "application/json", 400, None, "must be a JSON object"),
        (b'[{"query": "{ pricings { id } }"}]', "application/json", 400, None, "Batching"),
        (b'{"query": "{ pricings { id } }"}', "text/plain", 415, "Content-Type", "text/plain"),
        (b'{"query": "{ pricings { id } }"}', "", 415, "Content-Type", "application/json"),
        (b'{"variables": {}}', "application/json", 400, "query", "No GraphQL query"),
        (b'{"query": 7}', "application/json", 400, "query", "No GraphQL query"),
        (
            b'{"query": "{ pricings { id } }", "variables": [1]}',
            "application/json",
            400,
            "variables",
            "variables must be",
        ),
    ],
)
async def test_unreadable_requests_get_the_error_shape(
    api: Api, content: bytes, content_type: str, status: int, field: str | None, says: str
) -> None:
    headers = {**ADMIN_HEADERS, "Content-Type": content_type}
    if not content_type:
        del headers["Content-Type"]

    error = api_error(await api.http.post("/graphql", content=content, headers=headers), status)

    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"].get("field") == field
    assert says in error["message"]


async def test_a_batch_is_refused_before_any_operation_runs(api: Api) -> None:
    response = await api.http.post(
        "/graphql", json=[{"query": RECORD}, {"query": RECORD}], headers=ADMIN_HEADERS
    )

    assert api_error(response, 400)["extensions"]["code"] == "BAD_USER_INPUT"
    assert await recorded_calls(api) == 0


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "OPTIONS"])
async def test_other_methods_get_405_naming_the_allowed_ones(api: Api, method: str) -> None:
    response = await api.http.request(
        method, "/graphql", json={"query": RECORD}, headers=ADMIN_HEADERS
    )

    error = api_error(response, 405)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert response.headers["allow"] == "GET, POST"
    assert await recorded_calls(api) == 0


async def test_a_get_without_a_query_names_the_query(api: Api) -> None:
    response = await api.http.get(
        "/graphql", headers={**ADMIN_HEADERS, "Accept": "application/json"}
    )

    assert api_error(response, 400)["extensions"]["field"] == "query"


async def test_production_refuses_get_queries_in_the_error_shape(database: Database) -> None:
    async with app_with(database, environment="production") as api:
        query = await api.http.get(
            "/graphql", params={"query": "{ pricings { id } }"}, headers=ADMIN_HEADERS
        )
        page = await api.http.get("/graphql", headers={"Accept": "text/html"})

    assert api_error(query, 400)["extensions"]["code"] == "BAD_USER_INPUT"
    assert api_error(page, 404)["extensions"]["code"] == "NOT_FOUND"


# --- values out of range ----------------------------------------------------------------

ESTIMATE = (
    '{ estimateCost(provider: OPENAI, model: "gpt-4o", tokensInput: %s, tokensOutput: 1)'
    " { costTotal } }"
)


async def test_an_inline_token_count_over_2_31_names_the_field(api: Api) -> None:
    error = await api.error(ESTIMATE % "3000000000")

    assert error["message"] == (
        "tokensInput: Int cannot represent non 32-bit signed integer value: 3000000000"
        " (at most 2147483647)"
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "tokensInput"}


async def test_an_inline_count_below_minus_2_31_names_the_lower_bound(api: Api) -> None:
    error = await api.error(ESTIMATE % "-3000000000")

    assert error["message"].endswith("(at least -2147483648)")
    assert error["extensions"]["field"] == "tokensInput"


async def test_a_variable_token_count_over_2_31_names_the_field(api: Api) -> None:
    error = await api.error(
        "mutation ($input: RecordUsageInput!) { recordUsage(input: $input) { id } }",
        {
            "input": {
                "provider": "OPENAI",
                "model": "gpt-4o",
                "tokensInput": 2**31,
                "tokensOutput": 1,
            }
        },
    )

    assert "(at most 2147483647)" in error["message"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "tokensInput"}
    assert await recorded_calls(api) == 0


async def test_a_batch_item_out_of_range_is_named_with_its_index(api: Api) -> None:
    record = {"provider": "OPENAI", "model": "gpt-4o", "tokensInput": 1, "tokensOutput": 1}
    error = await api.error(
        "mutation ($items: [RecordUsageInput!]!) { recordUsageBatch(inputs: $items) { created } }",
        {"items": [record, {**record, "tokensOutput": 2**40}]},
    )

    assert error["extensions"]["field"] == "inputs[1].tokensOutput"
    assert await recorded_calls(api) == 0


async def test_a_scalar_variable_out_of_range_names_the_argument_it_feeds(api: Api) -> None:
    error = await api.error(
        'query ($n: Int!) { estimateCost(provider: OPENAI, model: "gpt-4o", tokensInput: $n,'
        " tokensOutput: 1) { costTotal } }",
        {"n": 2**31},
    )

    assert error["extensions"]["field"] == "tokensInput"
