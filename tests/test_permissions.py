"""The permission matrix: every root operation against every kind of caller.

OPERATIONS names each root field with a minimal valid call and the scope it needs;
CALLERS says how each kind of caller authenticates, and EXPECTED what it gets from READ,
INGEST and ADMIN operations: OK (no errors), or the exact `extensions.code` of the single
error. A denied mutation must also write nothing, and an allowed one must write.

Each caller kind is one test that runs every operation and compares the whole row at
once, so a failure lists the operations that answered differently (one fresh app per
operation x caller would take ~20 s).

The schema itself is introspected: a root field without a row here, or a row for a field
that no longer exists, fails the suite.
"""

import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import ADMIN_KEY, CREATE_KEY, Api

OK = "OK"
UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
READ, INGEST, ADMIN = "READ", "INGEST", "ADMIN"
SCOPES = (READ, INGEST, ADMIN)

Variables = dict[str, Any]


# --- Admin-side set-up and checks, so that every allowed call succeeds and every call's
# --- effect (or absence of one) can be observed.


async def pricing_names(api: Api, provider: str) -> set[str]:
    data = await api.data(
        "query ($p: Provider) { pricings(provider: $p) { modelName } }", {"p": provider}
    )
    return {row["modelName"] for row in data["pricings"]}


async def api_keys(api: Api) -> list[dict[str, Any]]:
    keys: list[dict[str, Any]] = (await api.data("{ apiKeys { id name revokedAt } }"))["apiKeys"]
    return keys


async def new_key(api: Api, scopes: tuple[str, ...], user_id: str | None = None) -> tuple[str, str]:
    """Create a key as the break-glass admin; return its id and secret."""
    variables = {"input": {"name": "matrix", "scopes": list(scopes), "userId": user_id}}
    created = (await api.data(CREATE_KEY, variables))["createApiKey"]
    return created["apiKey"]["id"], created["secret"]


async def revoke(api: Api, key_id: str) -> None:
    data = await api.data(
        "mutation ($id: ID!) { revokeApiKey(id: $id) { revokedAt } }", {"id": key_id}
    )
    assert data["revokeApiKey"]["revokedAt"] is not None


def usage_input(request_id: str) -> Variables:
    return {
        "provider": "OPENAI",
        "model": "gpt-4o",
        "tokensInput": 1,
        "tokensOutput": 1,
        "requestId": request_id,
    }


async def usage_recorded(api: Api, variables: Variables) -> bool:
    data = await api.data("{ usageLogs(first: 500) { edges { node { requestId } } } }")
    stored = {edge["node"]["requestId"] for edge in data["usageLogs"]["edges"]}
    inputs = variables.get("inputs") or [variables["input"]]
    return any(usage["requestId"] in stored for usage in inputs)


async def delete_default_row(api: Api) -> Variables:
    await api.data('mutation { deletePricing(provider: MISTRAL, modelName: "default") }')
    return {}


async def default_row_exists(api: Api, _: Variables) -> bool:
    return "default" in await pricing_names(api, "MISTRAL")


async def pricing_exists(api: Api, variables: Variables) -> bool:
    return variables["input"]["modelName"] in await pricing_names(api, "OTHER")


async def create_row_to_delete(api: Api) -> Variables:
    row = {"provider": "OTHER", "modelName": "to-delete"}
    prices = {"inputTokenCost": "0.000001", "outputTokenCost": "0.000002"}
    await api.data(
        "mutation ($input: PricingInput!) { upsertPricing(input: $input) { id } }",
        {"input": row | prices},
    )
    return row


async def row_deleted(api: Api, variables: Variables) -> bool:
    return variables["modelName"] not in await pricing_names(api, "OTHER")


async def key_created(api: Api, variables: Variables) -> bool:
    return variables["input"]["name"] in {key["name"] for key in await api_keys(api)}


async def create_key_to_revoke(api: Api) -> Variables:
    key_id, _ = await new_key(api, (READ,))
    return {"id": key_id}


async def key_revoked(api: Api, variables: Variables) -> bool:
    (key,) = [key for key in await api_keys(api) if key["id"] == variables["id"]]
    return key["revokedAt"] is not None


# --- Providers.


async def providers_by_id(api: Api) -> dict[str, dict[str, Any]]:
    data = await api.data("{ providers { id displayName pricedFrom } }")
    return {row["id"]: row for row in data["providers"]}


async def fresh_provider_id(_: Api) -> Variables:
    return {"input": {"id": f"matrix_{uuid.uuid4().hex[:8]}", "displayName": "Matrix"}}


async def provider_added(api: Api, variables: Variables) -> bool:
    return variables["input"]["id"] in await providers_by_id(api)


async def fresh_display_name(_: Api) -> Variables:
    return {"id": "groq", "displayName": f"Groq {uuid.uuid4().hex[:8]}"}


async def provider_renamed(api: Api, variables: Variables) -> bool:
    return bool((await providers_by_id(api))["groq"]["displayName"] == variables["displayName"])


async def groq_priced_from_itself(api: Api) -> Variables:
    await api.data('mutation { remapProvider(id: "groq", pricedFrom: null) { id } }')
    return {"id": "groq", "pricedFrom": "mistral"}


async def provider_remapped(api: Api, _: Variables) -> bool:
    return bool((await providers_by_id(api))["groq"]["pricedFrom"] == "mistral")


# --- Budgets, reservations and webhooks.


async def budgets_by_name(api: Api) -> dict[str, dict[str, Any]]:
    data = await api.data("{ budgets { id name limit } }")
    return {budget["name"]: budget for budget in data["budgets"]}


async def create_alices_budget(api: Api) -> Variables:
    """A budget a user-bound key of alice may see."""
    data = await api.data(
        "mutation ($input: CreateBudgetInput!) { createBudget(input: $input) { id } }",
        {"input": {"name": f"alice {secrets.token_hex(4)}", "limit": "1", "userId": "alice"}},
    )
    return {"id": data["createBudget"]["id"]}


async def create_budget_to_update(api: Api) -> Variables:
    return (await create_alices_budget(api)) | {"input": {"limit": "2"}}


async def budget_limit_updated(api: Api, variables: Variables) -> bool:
    budgets = (await budgets_by_name(api)).values()
    limits: dict[str, str] = {budget["id"]: budget["limit"] for budget in budgets}
    return limits[variables["id"]] == "2"


async def budget_created(api: Api, variables: Variables) -> bool:
    return variables["input"]["name"] in await budgets_by_name(api)


async def budget_deleted(api: Api, variables: Variables) -> bool:
    ids = {budget["id"] for budget in (await budgets_by_name(api)).values()}
    return variables["id"] not in ids


async def reserve_for_alice(api: Api) -> Variables:
    data = await api.data(
        "mutation ($input: AuthorizeUsageInput!) { authorizeUsage(input: $input) { id } }",
        {
            "input": {
                "provider": "OPENAI",
                "model": "gpt-4o",
                "maxTokensInput": 1,
                "maxTokensOutput": 1,
                "userId": "alice",
            }
        },
    )
    return {"id": data["authorizeUsage"]["id"]}


async def reservation_released(api: Api, variables: Variables) -> bool:
    data = await api.data(
        "query ($id: ID!) { reservation(id: $id) { status } }", {"id": variables["id"]}
    )
    return bool(data["reservation"]["status"] == "RELEASED")


async def endpoint_urls(api: Api) -> dict[str, str]:
    data = await api.data("{ webhookEndpoints { id url } }")
    return {endpoint["url"]: endpoint["id"] for endpoint in data["webhookEndpoints"]}


async def endpoint_created(api: Api, variables: Variables) -> bool:
    return variables["url"] in await endpoint_urls(api)


async def create_endpoint_to_delete(api: Api) -> Variables:
    url = f"https://example.com/{secrets.token_hex(4)}"
    await api.data(
        "mutation ($url: String!) { createWebhookEndpoint(url: $url) { secret } }", {"url": url}
    )
    return {"id": (await endpoint_urls(api))[url], "url": url}


async def endpoint_deleted(api: Api, variables: Variables) -> bool:
    return variables["url"] not in await endpoint_urls(api)


async def create_delivery(api: Api) -> Variables:
    """An alert event for a webhook endpoint: a zero budget crossed by one token."""
    await create_endpoint_to_delete(api)
    model = f"alerting-{secrets.token_hex(4)}"
    await api.data(
        "mutation ($input: CreateBudgetInput!) { createBudget(input: $input) { id } }",
        {"input": {"name": model, "limit": "0", "mode": "SOFT", "model": model}},
    )
    await api.data(
        "mutation ($input: RecordUsageInput!) { recordUsage(input: $input) { id } }",
        {"input": usage_input(model) | {"model": model}},
    )
    data = await api.data("{ webhookDeliveries(first: 1) { edges { node { id } } } }")
    return {"id": data["webhookDeliveries"]["edges"][0]["node"]["id"]}


@dataclass(frozen=True)
class Operation:
    document: str
    scope: str
    variables: Variables = field(default_factory=dict)
    # Fresh variables from admin set-up (the row to delete, the key to revoke, ...).
    prepare: Callable[[Api], Awaitable[Variables]] | None = None
    # For writes: did the call change anything? Must be True exactly when it was allowed.
    wrote: Callable[[Api, Variables], Awaitable[bool]] | None = None


OPERATIONS: dict[str, Operation] = {
    "Query.pricings": Operation("{ pricings { id } }", READ),
    "Query.scheduledPricings": Operation("{ scheduledPricings { id } }", READ),
    "Query.pricingVersions": Operation(
        '{ pricingVersions(provider: MISTRAL, modelName: "default") { id } }', READ
    ),
    "Query.resolvePricing": Operation(
        '{ resolvePricing(provider: OPENAI, model: "gpt-4o") { source } }', READ
    ),
    "Query.estimateCost": Operation(
        '{ estimateCost(provider: OPENAI, model: "gpt-4o", tokensInput: 1, tokensOutput: 1)'
        " { costTotal } }",
        READ,
    ),
    "Query.usageLogs": Operation("{ usageLogs(first: 1) { edges { cursor } } }", READ),
    "Query.costSummary": Operation("{ costSummary { requests } }", READ),
    "Query.costReport": Operation(
        "{ costReport(groupBy: [PROVIDER]) { totals { requests } } }", READ
    ),
    "Query.costTimeSeries": Operation(
        '{ costTimeSeries(filter: {from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z"},'
        " granularity: DAY) { bucketStart } }",
        READ,
    ),
    "Query.pricingHistory": Operation(
        '{ pricingHistory(provider: MISTRAL, modelName: "default") { edges { cursor } } }', READ
    ),
    "Query.apiKeys": Operation("{ apiKeys { id } }", ADMIN),
    "Query.providers": Operation("{ providers { id displayName } }", READ),
    "Mutation.addProvider": Operation(
        "mutation ($input: AddProviderInput!) { addProvider(input: $input) { id } }",
        ADMIN,
        prepare=fresh_provider_id,
        wrote=provider_added,
    ),
    "Mutation.renameProvider": Operation(
        "mutation ($id: Provider!, $displayName: String!)"
        " { renameProvider(id: $id, displayName: $displayName) { id } }",
        ADMIN,
        prepare=fresh_display_name,
        wrote=provider_renamed,
    ),
    "Mutation.remapProvider": Operation(
        "mutation ($id: Provider!, $pricedFrom: Provider)"
        " { remapProvider(id: $id, pricedFrom: $pricedFrom) { id } }",
        ADMIN,
        prepare=groq_priced_from_itself,
        wrote=provider_remapped,
    ),
    "Query.usageRepricings": Operation("{ usageRepricings(first: 1) { edges { cursor } } }", ADMIN),
    "Mutation.recordUsage": Operation(
        "mutation ($input: RecordUsageInput!) { recordUsage(input: $input) { id } }",
        INGEST,
        variables={"input": usage_input("matrix-record")},
        wrote=usage_recorded,
    ),
    "Mutation.recordUsageBatch": Operation(
        "mutation ($inputs: [RecordUsageInput!]!)"
        " { recordUsageBatch(inputs: $inputs) { created } }",
        INGEST,
        variables={"inputs": [usage_input("matrix-batch-1"), usage_input("matrix-batch-2")]},
        wrote=usage_recorded,
    ),
    "Mutation.initializePricing": Operation(
        "mutation { initializePricing { created { id } } }",
        ADMIN,
        prepare=delete_default_row,
        wrote=default_row_exists,
    ),
    "Mutation.upsertPricing": Operation(
        "mutation ($input: PricingInput!) { upsertPricing(input: $input) { id } }",
        ADMIN,
        variables={
            "input": {
                "provider": "OTHER",
                "modelName": "upserted",
                "inputTokenCost": "0.000001",
                "outputTokenCost": "0.000002",
            }
        },
        wrote=pricing_exists,
    ),
    "Mutation.importPricingCatalog": Operation(
        "mutation ($catalog: String!) { importPricingCatalog(catalog: $catalog) { dryRun } }",
        ADMIN,
        variables={"catalog": "{}"},
    ),
    "Mutation.repriceUsage": Operation(
        "mutation { repriceUsage(filter: {}) { logs } }",
        ADMIN,
    ),
    "Mutation.deletePricing": Operation(
        "mutation ($provider: Provider!, $modelName: String!)"
        " { deletePricing(provider: $provider, modelName: $modelName) }",
        ADMIN,
        prepare=create_row_to_delete,
        wrote=row_deleted,
    ),
    "Mutation.createApiKey": Operation(
        "mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }",
        ADMIN,
        variables={"input": {"name": "created by the matrix", "scopes": ["READ"]}},
        wrote=key_created,
    ),
    "Mutation.revokeApiKey": Operation(
        "mutation ($id: ID!) { revokeApiKey(id: $id) { id } }",
        ADMIN,
        prepare=create_key_to_revoke,
        wrote=key_revoked,
    ),
    "Query.budgets": Operation("{ budgets { id } }", READ),
    "Query.budget": Operation(
        "query ($id: ID!) { budget(id: $id) { id } }", READ, prepare=create_alices_budget
    ),
    "Query.budgetStatus": Operation(
        "query ($id: ID!) { budgetStatus(id: $id) { spent } }", READ, prepare=create_alices_budget
    ),
    "Query.budgetHistory": Operation(
        "query ($id: ID!) { budgetHistory(id: $id) { action } }",
        ADMIN,
        prepare=create_alices_budget,
    ),
    "Query.reservation": Operation(
        "query ($id: ID!) { reservation(id: $id) { status } }", INGEST, prepare=reserve_for_alice
    ),
    "Query.alertEvents": Operation("{ alertEvents { edges { cursor } } }", ADMIN),
    "Query.webhookDeliveries": Operation("{ webhookDeliveries { edges { cursor } } }", ADMIN),
    "Query.webhookEndpoints": Operation("{ webhookEndpoints { id } }", ADMIN),
    "Mutation.createBudget": Operation(
        "mutation ($input: CreateBudgetInput!) { createBudget(input: $input) { id } }",
        ADMIN,
        variables={"input": {"name": "created by the matrix", "limit": "1"}},
        wrote=budget_created,
    ),
    "Mutation.updateBudget": Operation(
        "mutation ($id: ID!, $input: UpdateBudgetInput!)"
        " { updateBudget(id: $id, input: $input) { id } }",
        ADMIN,
        prepare=create_budget_to_update,
        wrote=budget_limit_updated,
    ),
    "Mutation.deleteBudget": Operation(
        "mutation ($id: ID!) { deleteBudget(id: $id) }",
        ADMIN,
        prepare=create_alices_budget,
        wrote=budget_deleted,
    ),
    "Mutation.authorizeUsage": Operation(
        "mutation ($input: AuthorizeUsageInput!) { authorizeUsage(input: $input) { id } }",
        INGEST,
        variables={
            "input": {
                "provider": "OPENAI",
                "model": "gpt-4o",
                "maxTokensInput": 1,
                "maxTokensOutput": 1,
                "userId": "alice",
            }
        },
    ),
    "Mutation.releaseReservation": Operation(
        "mutation ($id: ID!) { releaseReservation(id: $id) { status } }",
        INGEST,
        prepare=reserve_for_alice,
        wrote=reservation_released,
    ),
    "Mutation.createWebhookEndpoint": Operation(
        "mutation ($url: String!) { createWebhookEndpoint(url: $url) { secret } }",
        ADMIN,
        variables={"url": "https://example.com/created-by-the-matrix"},
        wrote=endpoint_created,
    ),
    "Mutation.deleteWebhookEndpoint": Operation(
        "mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) }",
        ADMIN,
        prepare=create_endpoint_to_delete,
        wrote=endpoint_deleted,
    ),
    "Mutation.resendWebhookDelivery": Operation(
        "mutation ($id: ID!) { resendWebhookDelivery(id: $id) { status } }",
        ADMIN,
        prepare=create_delivery,
    ),
}


@dataclass(frozen=True)
class CallerKind:
    authorization: str | None = None  # a fixed Authorization header, or a key to create:
    scopes: tuple[str, ...] = ()
    user_id: str | None = None
    revoked: bool = False  # created, then revoked through revokeApiKey
    tampered: bool = False  # a real key's prefix with a wrong secret


CALLERS: dict[str, CallerKind] = {
    "no Authorization header": CallerKind(),
    "Bearer alone": CallerKind(authorization="Bearer"),
    "Basic scheme": CallerKind(authorization="Basic xyz"),
    "break-glass key, Basic scheme": CallerKind(authorization=f"Basic {ADMIN_KEY}"),
    "unknown bg_ secret": CallerKind(authorization="Bearer bg_0000_xxxx"),
    "random garbage": CallerKind(authorization=f"Bearer {secrets.token_urlsafe(24)}"),
    "known prefix, wrong secret": CallerKind(scopes=(ADMIN,), tampered=True),
    "revoked ADMIN key": CallerKind(scopes=(ADMIN,), revoked=True),
    "READ key": CallerKind(scopes=(READ,)),
    "INGEST key": CallerKind(scopes=(INGEST,)),
    "READ+INGEST key": CallerKind(scopes=(READ, INGEST)),
    "ADMIN key": CallerKind(scopes=(ADMIN,)),
    "break-glass key": CallerKind(authorization=f"Bearer {ADMIN_KEY}"),
    "user-bound READ key": CallerKind(scopes=(READ,), user_id="alice"),
    "user-bound INGEST key": CallerKind(scopes=(INGEST,), user_id="alice"),
}

# fmt: off
EXPECTED: dict[str, tuple[str, str, str]] = {
    #                                 READ ops          INGEST ops        ADMIN ops
    "no Authorization header":       (UNAUTHENTICATED, UNAUTHENTICATED, UNAUTHENTICATED),
    "Bearer alone":                  (UNAUTHENTICATED, UNAUTHENTICATED, UNAUTHENTICATED),
    "Basic scheme":                  (UNAUTHENTICATED, UNAUTHENTICATED, UNAUTHENTICATED),
    "break-glass key, Basic scheme": (UNAUTHENTICATED, UNAUTHENTICATED, UNAUTHENTICATED),
    "unknown bg_ secret":            (UNAUTHENTICATED, UNAUTHENTICATED, UNAUTHENTICATED),
    "random garbage":                (UNAUTHENTICATED, UNAUTHENTICATED, UNAUTHENTICATED),
    "known prefix, wrong secret":    (UNAUTHENTICATED, UNAUTHENTICATED, UNAUTHENTICATED),
    "revoked ADMIN key":             (UNAUTHENTICATED, UNAUTHENTICATED, UNAUTHENTICATED),
    "READ key":                      (OK,              FORBIDDEN,       FORBIDDEN),
    "INGEST key":                    (FORBIDDEN,       OK,              FORBIDDEN),
    "READ+INGEST key":               (OK,              OK,              FORBIDDEN),
    "ADMIN key":                     (OK,              OK,              OK),
    "break-glass key":               (OK,              OK,              OK),
    "user-bound READ key":           (OK,              FORBIDDEN,       FORBIDDEN),
    "user-bound INGEST key":         (FORBIDDEN,       OK,              FORBIDDEN),
}
# fmt: on


async def headers_for(api: Api, caller: CallerKind) -> dict[str, str]:
    """Return the headers a caller of this kind sends (creating its key if it has one)."""
    if not caller.scopes:
        return {"Authorization": caller.authorization} if caller.authorization else {}
    key_id, secret = await new_key(api, caller.scopes, caller.user_id)
    if caller.revoked:
        await revoke(api, key_id)
    if caller.tampered:
        secret = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    return {"Authorization": f"Bearer {secret}"}


async def outcome(api: Api, name: str, operation: Operation, headers: dict[str, str]) -> str:
    """Return OK or the error code of one call, noting a write that contradicts it."""
    root = name.split(".")[1]
    variables = await operation.prepare(api) if operation.prepare else operation.variables
    body = await api.post(operation.document, variables, headers=headers)
    errors = body.get("errors")
    if errors:
        if len(errors) != 1 or errors[0].get("path") != [root]:
            return f"unexpected errors: {errors}"
        result: str = errors[0]["extensions"]["code"]
    else:
        result = OK if body["data"][root] is not None else "no data"
    if operation.wrote is not None:
        wrote = await operation.wrote(api, variables)
        if wrote and result != OK:
            result += ", but it wrote"
        if not wrote and result == OK:
            result += ", but it wrote nothing"
    return result


def test_every_caller_kind_has_a_row_of_expected_outcomes() -> None:
    assert CALLERS.keys() == EXPECTED.keys()


@pytest.mark.parametrize("caller", EXPECTED)
async def test_every_operation_answers_the_caller_as_the_matrix_says(api: Api, caller: str) -> None:
    headers = await headers_for(api, CALLERS[caller])
    expected = {
        name: EXPECTED[caller][SCOPES.index(operation.scope)]
        for name, operation in OPERATIONS.items()
    }
    observed = {
        name: await outcome(api, name, operation, headers) for name, operation in OPERATIONS.items()
    }
    assert observed == expected


async def test_the_matrix_has_a_row_for_every_root_field_of_the_schema(api: Api) -> None:
    data = await api.data(
        "{ __schema { queryType { fields { name } } mutationType { fields { name } }"
        " subscriptionType { fields { name } } } }"
    )
    schema_fields = {
        f"{kind}.{root['name']}"
        for kind, key in [
            ("Query", "queryType"),
            ("Mutation", "mutationType"),
            ("Subscription", "subscriptionType"),
        ]
        for root in (data["__schema"][key] or {"fields": []})["fields"]
    }
    assert {"Query.usageLogs", "Mutation.recordUsage"} <= schema_fields  # introspection works
    missing_rows = schema_fields - OPERATIONS.keys()
    stale_rows = OPERATIONS.keys() - schema_fields
    assert (missing_rows, stale_rows) == (set(), set())
