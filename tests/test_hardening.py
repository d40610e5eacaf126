"""GraphQL hardening, seen from a client over HTTP.

Query limits (depth, aliases, tokens) refuse a document before any resolver runs;
the request body is capped at MAX_REQUEST_BYTES whether or not it declares its
length; batched operations are refused; production hides GraphiQL, GET queries,
introspection and field suggestions; browsers get CORS only for the configured
origins; unexpected exceptions are masked, with a request id that leads to the
logged traceback. Each refusal is checked to have executed nothing.
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

from billgraph.db import tortoise_config
from billgraph.settings import load_settings
from tests.conftest import (
    ADMIN_KEY,
    Api,
    Database,
    create_key,
    empty_tables,
    make_settings,
    running_app,
)

ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}
RECORD = (
    'recordUsage(input: {provider: OPENAI, model: "gpt-4o", tokensInput: 10, tokensOutput: 5})'
    " { id }"
)
RECORD_MUTATION = f"mutation {{ {RECORD} }}"
CREATE_KEY_FIELD = 'createApiKey(input: {name: "smuggled", scopes: [READ]}) { apiKey { id } }'
DASHBOARD = "https://dash.example.com"
ELSEWHERE = "https://evil.example.com"


@asynccontextmanager
async def app_with(database: Database, **overrides: Any) -> AsyncIterator[Api]:
    """The app on an empty database, with some settings overridden."""
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(database.url))
        await empty_tables(database)
    async with running_app(make_settings(database, **overrides)) as client:
        yield Api(client, database)


async def recorded_calls(api: Api) -> int:
    """Return how many usage logs exist (as the break-glass admin)."""
    data = await api.data("{ costSummary { requests } }")
    return int(data["costSummary"]["requests"])


async def key_names(api: Api) -> list[str]:
    return [key["name"] for key in (await api.data("{ apiKeys { name } }"))["apiKeys"]]


def only_error(body: dict[str, Any]) -> dict[str, Any]:
    """Return the single error of a refused document, which must have no data."""
    assert body.get("data") is None, body
    assert len(body.get("errors") or []) == 1, body
    error: dict[str, Any] = body["errors"][0]
    return error


def graphql_body(query: str, padding: int = 0) -> bytes:
    """Return a JSON GraphQL request body, its query padded with `padding` spaces."""
    return json.dumps({"query": query + " " * padding}).encode()


def test_the_limits_default_to_the_documented_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no developer's .env file
    for variable in (
        "MAX_QUERY_DEPTH",
        "MAX_QUERY_ALIASES",
        "MAX_QUERY_TOKENS",
        "MAX_REQUEST_BYTES",
        "ENVIRONMENT",
        "CORS_ALLOW_ORIGINS",
    ):
        monkeypatch.delenv(variable, raising=False)

    settings = load_settings()

    assert settings.max_query_depth == 10
    assert settings.max_query_aliases == 20
    assert settings.max_query_tokens == 5000
    assert settings.max_request_bytes == 1024 * 1024
    assert settings.environment == "development"
    assert settings.cors_origins == []


# --- query depth ------------------------------------------------------------------------


async def test_an_over_deep_document_is_refused_and_nothing_in_it_runs(
    database: Database,
) -> None:
    async with app_with(database, max_query_depth=1) as api:
        error = only_error(await api.post(f"mutation {{ {RECORD} {CREATE_KEY_FIELD} }}"))

        assert "maximum operation depth of 1" in error["message"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert await recorded_calls(api) == 0
        assert await key_names(api) == []
        # A document within the limit still runs.
        await api.data(RECORD_MUTATION)
        assert await recorded_calls(api) == 1


async def test_depth_is_counted_through_fragments(database: Database) -> None:
    query = """
    query { resolvePricing(provider: MISTRAL, model: "x") { ...Resolved } }
    fragment Resolved on ResolvedPricing { pricing { ...Row } }
    fragment Row on Pricing { provider }
    """
    async with app_with(database, max_query_depth=1) as api:
        error = only_error(await api.post(query))

    assert "maximum operation depth of 1" in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


CIRCULAR = {
    "two fragments at the top": """
        query { ...A }
        fragment A on Query { pricings { id } ...B }
        fragment B on Query { ...A }
    """,
    "two fragments in a field": """
        query { pricings { ...A } }
        fragment A on Pricing { id ...B }
        fragment B on Pricing { modelName ...A }
    """,
    "a fragment spreading itself": """
        query { pricings { ...A } }
        fragment A on Pricing { id ...A }
    """,
    "a cycle below a too-deep field": """
        query { resolvePricing(provider: MISTRAL, model: "x") { pricing { ...A } } }
        fragment A on Pricing { id ...B }
        fragment B on Pricing { ...A }
    """,
}


async def test_circular_fragments_get_a_prompt_error_not_a_hang_or_crash(
    database: Database,
) -> None:
    async with app_with(database, max_query_depth=1) as api:
        for case, query in CIRCULAR.items():
            # A depth crawler that followed the cycle would recurse forever.
            response = await asyncio.wait_for(
                api.http.post("/graphql", json={"query": query}, headers=ADMIN_HEADERS),
                timeout=10,
            )

            assert response.status_code == 200, (case, response.text)
            body = response.json()
            assert body["data"] is None, case
            assert any("within itself" in error["message"] for error in body["errors"]), case
            codes = {error.get("extensions", {}).get("code") for error in body["errors"]}
            assert codes == {"BAD_USER_INPUT"}, (case, body)


# --- aliases ----------------------------------------------------------------------------

OVER_ALIASED = {
    "at the top": "{ a: pricings { id } b: pricings { id } c: pricings { id } }",
    "inside a fragment": """
        query { a: pricings { ...Row } }
        fragment Row on Pricing { b: id c: modelName }
    """,
    "inside an inline fragment": """
        query { a: pricings { ... on Pricing { b: id c: modelName } } }
    """,
    "spread over two fragments": """
        query { pricings { ...First ...Second } }
        fragment First on Pricing { a: id b: modelName }
        fragment Second on Pricing { c: provider }
    """,
    "on mutations": f"mutation {{ a: {RECORD} b: {RECORD} c: {RECORD} }}",
}


async def test_aliases_are_counted_across_fragments_and_over_the_limit_refused(
    database: Database,
) -> None:
    async with app_with(database, max_query_aliases=2) as api:
        for case, query in OVER_ALIASED.items():
            error = only_error(await api.post(query))

            assert error["message"] == "3 aliases found. Allowed: 2", case
            assert error["extensions"]["code"] == "BAD_USER_INPUT", case
        assert await recorded_calls(api) == 0


async def test_aliases_up_to_the_limit_are_served(database: Database) -> None:
    query = """
        query { a: pricings { ...Row } }
        fragment Row on Pricing { b: modelName }
    """
    async with app_with(database, max_query_aliases=2) as api:
        data = await api.data(query)

    assert {row["b"] for row in data["a"]} == {"default", "gpt-oss-120b"}


# --- tokens -----------------------------------------------------------------------------


async def test_an_over_long_document_is_refused_before_it_runs(database: Database) -> None:
    long_mutation = f"mutation {{ {RECORD.replace('{ id }', '{ ' + 'id ' * 100 + '}')} }}"
    async with app_with(database, max_query_tokens=100) as api:
        body = await api.post(long_mutation)

        error = only_error(body)
        assert "more than 100 tokens" in error["message"]
        assert await recorded_calls(api) == 0
        await api.data(RECORD_MUTATION)  # a short document still runs
        assert await recorded_calls(api) == 1


# --- errors raised before execution -----------------------------------------------------

PRE_EXECUTION_FAILURES = {
    "syntax error": "{ pricings { id ",
    "token limit": "{ " + "pricings { id } " * 40 + "}",
    "unknown fragment": "query { pricings { ...Missing } }",
}


async def test_documents_refused_before_execution_are_bad_user_input(
    database: Database,
) -> None:
    async with app_with(database, max_query_tokens=100) as api:
        errors = {case: only_error(await api.post(q)) for case, q in PRE_EXECUTION_FAILURES.items()}

    for case, error in errors.items():
        assert error.get("extensions", {}).get("code") == "BAD_USER_INPUT", (case, error)
    assert errors["syntax error"]["message"].startswith("Syntax Error")
    assert "more than 100 tokens" in errors["token limit"]["message"]


async def test_an_unknown_fragment_is_named_in_the_error(database: Database) -> None:
    async with app_with(database) as api:
        error = only_error(await api.post(PRE_EXECUTION_FAILURES["unknown fragment"]))

    assert error["message"] == "Unknown fragment 'Missing'."


# --- request body size ------------------------------------------------------------------

LIMIT = 2048


def assert_refused_as_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/json"
    error = response.json()["errors"][0]
    assert "MAX_REQUEST_BYTES" in error["message"]
    assert str(LIMIT) in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_body_declared_over_the_limit_gets_413(database: Database) -> None:
    body = graphql_body(RECORD_MUTATION, padding=LIMIT)
    async with app_with(database, max_request_bytes=LIMIT) as api:
        response = await api.http.post(
            "/graphql",
            content=body,
            headers={**ADMIN_HEADERS, "Content-Type": "application/json"},
        )

        assert response.request.headers["content-length"] == str(len(body))
        assert_refused_as_too_large(response)
        assert await recorded_calls(api) == 0


async def test_a_streamed_body_over_the_limit_gets_413(database: Database) -> None:
    body = graphql_body(RECORD_MUTATION, padding=LIMIT)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 500):
            yield body[start : start + 500]

    async with app_with(database, max_request_bytes=LIMIT) as api:
        response = await api.http.post(
            "/graphql",
            content=chunks(),
            headers={**ADMIN_HEADERS, "Content-Type": "application/json"},
        )

        assert "content-length" not in response.request.headers  # chunked: no length declared
        assert_refused_as_too_large(response)
        assert await recorded_calls(api) == 0


async def test_a_streamed_body_within_the_limit_is_served(database: Database) -> None:
    body = graphql_body(RECORD_MUTATION, padding=LIMIT - 400)
    assert len(body) <= LIMIT

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 500):
            yield body[start : start + 500]

    async with app_with(database, max_request_bytes=LIMIT) as api:
        response = await api.http.post(
            "/graphql",
            content=chunks(),
            headers={**ADMIN_HEADERS, "Content-Type": "application/json"},
        )

        assert response.status_code == 200, response.text
        assert "errors" not in response.json()
        assert await recorded_calls(api) == 1


# --- batching ---------------------------------------------------------------------------


async def test_batched_operations_are_refused_and_not_executed(api: Api) -> None:
    response = await api.http.post(
        "/graphql",
        json=[{"query": RECORD_MUTATION}, {"query": RECORD_MUTATION}],
        headers=ADMIN_HEADERS,
    )

    assert response.status_code == 400, response.text
    assert "batching" in response.text.lower()
    assert await recorded_calls(api) == 0


# --- production and development modes --------------------------------------------------


async def test_production_serves_no_graphiql_and_no_get_queries(database: Database) -> None:
    async with app_with(database, environment="production") as api:
        page = await api.http.get("/graphql", headers={"Accept": "text/html"})
        query = await api.http.get(
            "/graphql", params={"query": "{ pricings { id } }"}, headers=ADMIN_HEADERS
        )
        asset = await api.http.get("/graphiql-static/graphiql.min.js")

    assert not page.headers.get("content-type", "").startswith("text/html")
    assert "graphiql" not in page.text.lower()
    assert 400 <= query.status_code < 500, query.text
    assert "pricings" not in query.text
    assert asset.status_code == 404


async def test_development_serves_graphiql_its_assets_and_get_queries(api: Api) -> None:
    page = await api.http.get("/graphql", headers={"Accept": "text/html"})
    query = await api.http.get(
        "/graphql", params={"query": "{ pricings { modelName } }"}, headers=ADMIN_HEADERS
    )
    asset = await api.http.get("/graphiql-static/graphiql.min.js")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "graphiql" in page.text.lower()
    assert query.status_code == 200
    assert "gpt-oss-120b" in query.text
    assert asset.status_code == 200
    assert len(asset.content) > 100_000


INTROSPECTION = {
    "__schema": "{ __schema { queryType { name } } }",
    "__type": '{ __type(name: "Query") { name } }',
}


async def test_production_refuses_introspection(database: Database) -> None:
    async with app_with(database, environment="production") as api:
        bodies = {case: await api.post(query) for case, query in INTROSPECTION.items()}
        typename = await api.data("{ __typename }")  # clients still get __typename

    for case, body in bodies.items():
        assert body["data"] is None, case
        assert "introspection" in body["errors"][0]["message"].lower(), case
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", case
    assert typename == {"__typename": "Query"}


async def test_development_answers_introspection(api: Api) -> None:
    schema = await api.data(INTROSPECTION["__schema"])
    query_type = await api.data(INTROSPECTION["__type"])

    assert schema == {"__schema": {"queryType": {"name": "Query"}}}
    assert query_type == {"__type": {"name": "Query"}}


async def test_production_suggests_no_field_names(database: Database) -> None:
    async with app_with(database, environment="production") as api:
        error = only_error(await api.post("{ pricingz { id } }"))

    assert error["message"] == "Cannot query field 'pricingz' on type 'Query'."
    assert "Did you mean" not in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_development_suggests_field_names(api: Api) -> None:
    error = only_error(await api.post("{ pricingz { id } }"))

    assert "Did you mean 'pricings'?" in error["message"]


SCHEMA_PROBES = {
    "enum value": "{ usageLogs(filter: {pricingSource: EXAC}) { edges { cursor } } }",
    "argument": '{ resolvePricing(providr: MISTRAL, model: "x") { source } }',
    "type name": "query { pricings { ... on Pricng { id } } }",
    "input field": (
        'mutation { recordUsage(input: {provider: OPENAI, model: "x", tokensInput: 1, '
        'tokensOutput: 1, requestld: "r"}) { id } }'
    ),
}


async def test_production_suggests_no_schema_names_at_all(database: Database) -> None:
    async with app_with(database, environment="production") as api:
        bodies = {case: await api.post(query) for case, query in SCHEMA_PROBES.items()}

    for case, body in bodies.items():
        assert body["errors"], case
        assert all("Did you mean" not in error["message"] for error in body["errors"]), body


# --- CORS -------------------------------------------------------------------------------


def preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }


async def test_no_origin_is_allowed_by_default(api: Api) -> None:
    checked = await api.http.options("/graphql", headers=preflight(DASHBOARD))
    actual = await api.http.post(
        "/graphql",
        json={"query": "{ pricings { id } }"},
        headers={**ADMIN_HEADERS, "Origin": DASHBOARD},
    )

    assert "access-control-allow-origin" not in checked.headers
    assert actual.status_code == 200
    assert "access-control-allow-origin" not in actual.headers


async def test_only_the_configured_origins_are_allowed(database: Database) -> None:
    async with app_with(database, cors_allow_origins=DASHBOARD) as api:
        allowed_preflight = await api.http.options("/graphql", headers=preflight(DASHBOARD))
        allowed = await api.http.post(
            "/graphql",
            json={"query": "{ pricings { id } }"},
            headers={**ADMIN_HEADERS, "Origin": DASHBOARD},
        )
        refused_preflight = await api.http.options("/graphql", headers=preflight(ELSEWHERE))
        refused = await api.http.post(
            "/graphql",
            json={"query": "{ pricings { id } }"},
            headers={**ADMIN_HEADERS, "Origin": ELSEWHERE},
        )

    assert allowed_preflight.status_code == 200
    assert allowed_preflight.headers["access-control-allow-origin"] == DASHBOARD
    assert "POST" in allowed_preflight.headers["access-control-allow-methods"]
    assert "authorization" in allowed_preflight.headers["access-control-allow-headers"].lower()
    assert allowed.headers["access-control-allow-origin"] == DASHBOARD
    assert "x-request-id" in allowed.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-origin" not in refused_preflight.headers
    assert "access-control-allow-origin" not in refused.headers


# --- error masking and request ids ------------------------------------------------------


@pytest.fixture
def broken_pricings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the `pricings` resolver's service call fail the way a bug would."""

    async def explode(**kwargs: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("billgraph.services.pricing.list_pricings", explode)


@pytest.mark.usefixtures("broken_pricings")
@pytest.mark.parametrize("sent_request_id", [None, "abc-123"])
async def test_unexpected_exceptions_are_masked_and_logged_with_the_request_id(
    api: Api, caplog: pytest.LogCaptureFixture, sent_request_id: str | None
) -> None:
    headers = dict(ADMIN_HEADERS)
    if sent_request_id is not None:
        headers["X-Request-ID"] = sent_request_id
    with caplog.at_level(logging.DEBUG):
        response = await api.http.post(
            "/graphql", json={"query": "{ pricings { id } }"}, headers=headers
        )

    request_id = response.headers["x-request-id"]
    if sent_request_id is not None:
        assert request_id == sent_request_id
    assert response.status_code == 200
    error = only_error(response.json())
    assert error["message"] == "Internal server error"
    assert error["extensions"] == {"code": "INTERNAL", "requestId": request_id}
    assert "secret internals" not in response.text
    assert "RuntimeError" not in response.text
    logged = [
        record
        for record in caplog.records
        if record.levelno >= logging.ERROR and request_id in record.getMessage()
    ]
    assert len(logged) == 1, caplog.text
    assert logged[0].exc_info is not None
    assert isinstance(logged[0].exc_info[1], RuntimeError)
    assert "secret internals" in caplog.text
    assert "Traceback" in caplog.text


async def test_a_sane_request_id_is_echoed_and_an_unsafe_one_replaced(api: Api) -> None:
    query = {"query": "{ pricings { id } }"}
    echoed = await api.http.post(
        "/graphql", json=query, headers={**ADMIN_HEADERS, "X-Request-ID": "abc-123"}
    )
    replaced = await api.http.post(
        "/graphql", json=query, headers={**ADMIN_HEADERS, "X-Request-ID": "two words"}
    )
    generated = await api.http.post("/graphql", json=query, headers=ADMIN_HEADERS)
    other = await api.http.post("/graphql", json=query, headers=ADMIN_HEADERS)

    assert echoed.headers["x-request-id"] == "abc-123"
    assert replaced.headers["x-request-id"] != "two words"
    assert len(replaced.headers["x-request-id"]) == 32
    assert generated.headers["x-request-id"] != other.headers["x-request-id"]


async def test_expected_errors_keep_their_codes_and_messages(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    read_key = await create_key(api, ["READ"])
    upsert = (
        "mutation ($cost: Decimal!) { upsertPricing(input: {provider: OPENAI, "
        'modelName: "gpt-x", inputTokenCost: $cost, outputTokenCost: "0.000001"}) { id } }'
    )
    with caplog.at_level(logging.DEBUG):
        unauthenticated = await api.error("{ pricings { id } }", key=None)
        forbidden = await api.error(upsert, {"cost": "0.000001"}, key=read_key)
        not_found = await api.error(
            'mutation { deletePricing(provider: OPENAI, modelName: "nope") }'
        )
        bad_input = await api.error(upsert, {"cost": "-1"})

    assert unauthenticated["message"] == "Send an API key as 'Authorization: Bearer <key>'"
    assert unauthenticated["extensions"] == {"code": "UNAUTHENTICATED"}
    assert forbidden["message"] == "This operation needs an API key with the ADMIN scope"
    assert forbidden["extensions"] == {"code": "FORBIDDEN"}
    assert not_found["message"] == "no pricing for provider openai and model 'nope'"
    assert not_found["extensions"] == {"code": "NOT_FOUND", "field": "modelName"}
    assert bad_input["extensions"] == {"code": "BAD_USER_INPUT", "field": "inputTokenCost"}
    assert "inputTokenCost" in bad_input["message"]
    # Answers to the caller are not incidents: nothing is logged as an error.
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
