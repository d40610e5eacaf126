"""Providers are data: old-style names, unknown providers at ingest, admin changes, re-pricing."""

import json
from typing import Any

import pytest

from billgraph.models import PricingAudit, PricingAuditAction
from tests.conftest import ADMIN_KEY, Api

PROVIDERS = "{ providers { id displayName pricedFrom pricingProvider managedBy } }"
RECORD = """
mutation ($input: RecordUsageInput!) {
  recordUsage(input: $input) { provider costTotal pricingSource matchedModelName }
}"""
UPSERT = """
mutation ($input: PricingInput!) { upsertPricing(input: $input) { provider modelName } }"""
ADD = """
mutation ($input: AddProviderInput!) {
  addProvider(input: $input) { id displayName pricedFrom pricingProvider managedBy }
}"""
RENAME = """
mutation ($id: Provider!, $name: String!) {
  renameProvider(id: $id, displayName: $name) { id displayName }
}"""
REMAP = """
mutation ($id: Provider!, $from: Provider) {
  remapProvider(id: $id, pricedFrom: $from) { id pricedFrom pricingProvider }
}"""
REPRICE = """
mutation ($filter: UsageFilter!) {
  repriceUsage(filter: $filter, dryRun: false) { logs changed costTotalBefore costTotalAfter }
}"""
REPORT = """
{ costReport(groupBy: [PROVIDER]) { key { provider } totals { requests costTotal } } }"""


def usage(request_id: str, provider: str, model: str = "llama-v3-70b") -> dict[str, Any]:
    return {
        "requestId": request_id,
        "provider": provider,
        "model": model,
        "tokensInput": 1000,
        "tokensOutput": 500,
        "occurredAt": "2025-01-02T10:00:00+00:00",
    }


async def set_price(api: Api, provider: str, model: str, cost_in: str, cost_out: str) -> None:
    prices = {"inputTokenCost": cost_in, "outputTokenCost": cost_out}
    row = {"provider": provider, "modelName": model, "effectiveFrom": "2025-01-01T00:00:00Z"}
    await api.data(UPSERT, {"input": row | prices})


async def test_the_ten_builtin_providers_are_rows_and_huggingface_is_priced_from_mistral(
    api: Api,
) -> None:
    providers = {row["id"]: row for row in (await api.data(PROVIDERS))["providers"]}

    assert sorted(providers) == [
        "anthropic",
        "cohere",
        "deepseek",
        "google",
        "groq",
        "huggingface",
        "mistral",
        "openai",
        "other",
        "xai",
    ]
    assert providers["huggingface"] == {
        "id": "huggingface",
        "displayName": "Hugging Face",
        "pricedFrom": "mistral",
        "pricingProvider": "mistral",
        "managedBy": "BUILTIN",
    }
    assert providers["openai"]["pricingProvider"] == "openai"


async def test_old_enum_literals_and_names_in_any_case_name_the_same_provider(api: Api) -> None:
    literal = await api.data(
        'mutation { recordUsage(input: {provider: HUGGINGFACE, model: "openai/gpt-oss-120b:groq",'
        ' tokensInput: 1000, tokensOutput: 500, requestId: "literal"}) { provider costTotal } }'
    )
    mixed_case = await api.data(RECORD, {"input": usage("mixed", " HuggingFace ", "gpt-oss-120b")})
    resolved = await api.data(
        '{ resolvePricing(provider: OPENAI, model: "gpt-4o") { provider pricingProvider } }'
    )
    filtered = await api.data(
        "{ usageLogs(filter: {provider: HUGGINGFACE}) { edges { node { requestId } } } }"
    )

    assert literal["recordUsage"] == {"provider": "huggingface", "costTotal": "0.0025"}
    assert mixed_case["recordUsage"]["provider"] == "huggingface"
    assert mixed_case["recordUsage"]["costTotal"] == "0.0025"
    assert resolved["resolvePricing"] == {"provider": "openai", "pricingProvider": "openai"}
    assert {edge["node"]["requestId"] for edge in filtered["usageLogs"]["edges"]} == {
        "literal",
        "mixed",
    }


@pytest.mark.parametrize(
    ("provider", "reason"),
    [
        ("fireworks ai", "is not a provider id"),
        ("open.ai", "is not a provider id"),
        ("\uff4f\uff50\uff45\uff4e\uff41\uff49", "is not a provider id"),  # full-width "openai"
        ("x" * 65, "at most 64 characters"),
        ("  ", "must not be empty"),
    ],
)
async def test_a_bad_provider_is_refused_naming_the_field(
    api: Api, provider: str, reason: str
) -> None:
    graphql_error = await api.error(RECORD, {"input": usage("bad", provider)})
    http = await api.http.post(
        "/v1/usage",
        content=json.dumps([usage("bad-http", provider)]).encode(),
        headers={"Authorization": f"Bearer {ADMIN_KEY}", "Content-Type": "application/json"},
    )
    logs = await api.data("{ usageLogs { edges { cursor } } }")

    assert graphql_error["extensions"]["code"] == "BAD_USER_INPUT"
    assert reason in graphql_error["message"]
    assert graphql_error["extensions"].get("field", "").endswith("provider"), graphql_error
    assert http.status_code == 400
    (http_error,) = http.json()["errors"]
    assert http_error["extensions"] == {"code": "BAD_USER_INPUT", "index": 0, "field": "provider"}
    assert reason in http_error["message"]
    assert logs["usageLogs"]["edges"] == []


async def test_usage_of_an_unregistered_provider_is_stored_as_named_and_estimated(
    api: Api,
) -> None:
    recorded = await api.data(RECORD, {"input": usage("fw-1", "Fireworks_AI")})
    report = await api.data(REPORT)
    providers = {row["id"] for row in (await api.data(PROVIDERS))["providers"]}

    # 1000 x 0.000001 + 500 x 0.000001: the built-in estimate, flagged.
    assert recorded["recordUsage"] == {
        "provider": "fireworks_ai",
        "costTotal": "0.0015",
        "pricingSource": "BUILTIN_ESTIMATE",
        "matchedModelName": None,
    }
    assert report["costReport"] == [
        {"key": {"provider": "fireworks_ai"}, "totals": {"requests": "1", "costTotal": "0.0015"}}
    ]
    assert "fireworks_ai" not in providers  # recorded, not registered


async def test_registering_and_remapping_a_provider_then_repricing_its_logs(api: Api) -> None:
    await api.data(RECORD, {"input": usage("fw-before", "fireworks_ai")})
    await set_price(api, "together_ai", "llama-v3-70b", "0.000002", "0.000004")

    added = await api.data(ADD, {"input": {"id": "Fireworks_AI", "displayName": "Fireworks"}})
    renamed = await api.data(RENAME, {"id": "fireworks_ai", "name": "Fireworks AI"})
    remapped = await api.data(REMAP, {"id": "fireworks_ai", "from": "together_ai"})
    after = await api.data(RECORD, {"input": usage("fw-after", "fireworks_ai")})
    repriced = await api.data(REPRICE, {"filter": {"provider": "fireworks_ai"}})
    audit = await PricingAudit.filter(provider="fireworks_ai").order_by("id")

    assert added["addProvider"] == {
        "id": "fireworks_ai",
        "displayName": "Fireworks",
        "pricedFrom": None,
        "pricingProvider": "fireworks_ai",
        "managedBy": "ADMIN",
    }
    assert renamed["renameProvider"] == {"id": "fireworks_ai", "displayName": "Fireworks AI"}
    assert remapped["remapProvider"] == {
        "id": "fireworks_ai",
        "pricedFrom": "together_ai",
        "pricingProvider": "together_ai",
    }
    # 1000 x 0.000002 + 500 x 0.000004 = 0.004, from together_ai's row; the log keeps
    # the provider it named.
    assert after["recordUsage"] == {
        "provider": "fireworks_ai",
        "costTotal": "0.004",
        "pricingSource": "EXACT",
        "matchedModelName": "llama-v3-70b",
    }
    # The log recorded before the re-mapping: 0.0015 (estimate) -> 0.004.
    assert repriced["repriceUsage"] == {
        "logs": "2",
        "changed": "1",
        "costTotalBefore": "0.0055",
        "costTotalAfter": "0.008",
    }
    assert [row.action for row in audit] == [
        PricingAuditAction.PROVIDER_ADD,
        PricingAuditAction.PROVIDER_RENAME,
        PricingAuditAction.PROVIDER_REMAP,
    ]
    assert audit[2].old_values == {
        "displayName": "Fireworks AI",
        "pricedFrom": None,
        "managedBy": "ADMIN",
    }
    assert audit[2].new_values == {
        "displayName": "Fireworks AI",
        "pricedFrom": "together_ai",
        "managedBy": "ADMIN",
    }
    assert audit[0].api_key_name  # who did it


async def test_a_price_for_a_new_provider_registers_it(api: Api) -> None:
    await set_price(api, "Azure", "gpt-4o", "0.0000025", "0.00001")

    providers = {row["id"]: row for row in (await api.data(PROVIDERS))["providers"]}

    assert providers["azure"]["managedBy"] == "ADMIN"
    assert providers["azure"]["pricingProvider"] == "azure"


@pytest.mark.parametrize(
    ("variables", "code", "field", "message"),
    [
        ({"id": "openai", "from": "nobody"}, "NOT_FOUND", "pricedFrom", "no provider 'nobody'"),
        ({"id": "nobody", "from": "openai"}, "NOT_FOUND", "id", "no provider 'nobody'"),
        # one hop only: huggingface is itself priced from mistral
        ({"id": "groq", "from": "huggingface"}, "BAD_USER_INPUT", "pricedFrom", "mistral"),
        # mistral prices huggingface, so it cannot be priced from another provider
        ({"id": "mistral", "from": "openai"}, "BAD_USER_INPUT", "pricedFrom", "re-map them"),
    ],
)
async def test_remapping_refuses_what_the_chain_cannot_follow(
    api: Api, variables: dict[str, str], code: str, field: str, message: str
) -> None:
    error = await api.error(REMAP, variables)
    providers = {row["id"]: row for row in (await api.data(PROVIDERS))["providers"]}

    assert error["extensions"]["code"] == code
    assert error["extensions"]["field"] == field
    assert message in error["message"]
    assert providers["groq"]["pricedFrom"] is None
    assert providers["mistral"]["pricedFrom"] is None


async def test_adding_an_existing_provider_is_a_conflict(api: Api) -> None:
    error = await api.error(ADD, {"input": {"id": "OPENAI", "displayName": "Again"}})

    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["field"] == "id"
