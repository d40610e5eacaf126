"""Pricing over GraphQL: the chain, estimates, admin mutations and default initialization."""

from datetime import UTC, datetime
from typing import Any

import pytest
from tortoise.context import TortoiseContext

from billgraph.db import tortoise_config
from billgraph.services.pricing_chain import EnvironmentPrices
from billgraph.services.pricing_defaults import initialize_default_pricing
from tests.conftest import Api, Database, create_key, make_settings, running_app

RESOLVE = """
query ($provider: Provider!, $model: String!) {
  resolvePricing(provider: $provider, model: $model) {
    provider pricingProvider requestedModel matchedModelName source isEstimate
    inputTokenCost outputTokenCost pricing { provider modelName managedBy }
  }
}"""
ESTIMATE = """
query ($provider: Provider!, $model: String!, $in: Int!, $out: Int!) {
  estimateCost(provider: $provider, model: $model, tokensInput: $in, tokensOutput: $out) {
    tokensInput tokensOutput costInput costOutput costTotal
    pricing { source matchedModelName pricingProvider isEstimate }
  }
}"""
UPSERT = """
mutation ($input: PricingInput!) {
  upsertPricing(input: $input) {
    id provider modelName inputTokenCost outputTokenCost managedBy createdAt updatedAt
    effectiveFrom
  }
}"""
DELETE = """
mutation ($provider: Provider!, $modelName: String!) {
  deletePricing(provider: $provider, modelName: $modelName)
}"""
INITIALIZE = """
mutation {
  initializePricing {
    created { modelName inputTokenCost outputTokenCost managedBy }
    updated { modelName inputTokenCost outputTokenCost managedBy }
    unchanged { modelName }
    skipped { modelName managedBy }
  }
}"""
PRICINGS = """
query ($provider: Provider) {
  pricings(provider: $provider) { provider modelName inputTokenCost outputTokenCost managedBy }
}"""


async def upsert(api: Api, provider: str, model: str, input_cost: str, output_cost: str) -> Any:
    variables = {
        "input": {
            "provider": provider,
            "modelName": model,
            "inputTokenCost": input_cost,
            "outputTokenCost": output_cost,
        }
    }
    return (await api.data(UPSERT, variables))["upsertPricing"]


async def resolve(api: Api, provider: str, model: str) -> dict[str, Any]:
    data = await api.data(RESOLVE, {"provider": provider, "model": model})
    resolved: dict[str, Any] = data["resolvePricing"]
    return resolved


async def test_worked_example_huggingface_route_costs_0_0025_by_short_name(api: Api) -> None:
    data = await api.data(
        ESTIMATE,
        {"provider": "HUGGINGFACE", "model": "openai/gpt-oss-120b:groq", "in": 1000, "out": 500},
    )
    assert data["estimateCost"] == {
        "tokensInput": 1000,
        "tokensOutput": 500,
        "costInput": "0.001",
        "costOutput": "0.0015",
        "costTotal": "0.0025",
        "pricing": {
            "source": "SHORT_NAME",
            "matchedModelName": "gpt-oss-120b",
            "pricingProvider": "MISTRAL",
            "isEstimate": False,
        },
    }


async def test_startup_creates_the_environment_managed_rows(api: Api) -> None:
    rows = (await api.data(PRICINGS))["pricings"]
    assert rows == [
        {
            "provider": "MISTRAL",
            "modelName": "default",
            "inputTokenCost": "0.000001",
            "outputTokenCost": "0.000003",
            "managedBy": "ENVIRONMENT",
        },
        {
            "provider": "MISTRAL",
            "modelName": "gpt-oss-120b",
            "inputTokenCost": "0.000001",
            "outputTokenCost": "0.000003",
            "managedBy": "ENVIRONMENT",
        },
    ]


async def test_exact_match_wins_and_is_trimmed_and_case_insensitive(api: Api) -> None:
    await upsert(api, "MISTRAL", "openai/gpt-oss-120b:groq", "0.000002", "0.000004")
    resolved = await resolve(api, "HUGGINGFACE", "  OpenAI/GPT-OSS-120B:Groq ")
    assert resolved["source"] == "EXACT"
    assert resolved["matchedModelName"] == "openai/gpt-oss-120b:groq"
    assert resolved["inputTokenCost"] == "0.000002"
    assert resolved["requestedModel"] == "OpenAI/GPT-OSS-120B:Groq"


async def test_short_name_then_default_row_then_environment(api: Api) -> None:
    short = await resolve(api, "MISTRAL", "someorg/gpt-oss-120b:fast")
    assert (short["source"], short["matchedModelName"]) == ("SHORT_NAME", "gpt-oss-120b")

    default = await resolve(api, "HUGGINGFACE", "meta-llama/Llama-3.1-8B-Instruct")
    assert (default["source"], default["matchedModelName"]) == ("DEFAULT_ROW", "default")
    assert default["pricing"] == {
        "provider": "MISTRAL",
        "modelName": "default",
        "managedBy": "ENVIRONMENT",
    }

    await api.data(DELETE, {"provider": "MISTRAL", "modelName": "default"})
    environment = await resolve(api, "HUGGINGFACE", "meta-llama/Llama-3.1-8B-Instruct")
    assert environment == {
        "provider": "HUGGINGFACE",
        "pricingProvider": "MISTRAL",
        "requestedModel": "meta-llama/Llama-3.1-8B-Instruct",
        "matchedModelName": None,
        "source": "ENVIRONMENT",
        "isEstimate": False,
        "inputTokenCost": "0.000001",
        "outputTokenCost": "0.000003",
        "pricing": None,
    }


async def test_unknown_models_of_other_providers_get_the_flagged_builtin_estimate(
    api: Api,
) -> None:
    data = await api.data(
        ESTIMATE, {"provider": "OPENAI", "model": "gpt-unknown", "in": 2_000_000, "out": 1}
    )
    estimate = data["estimateCost"]
    assert estimate["pricing"]["source"] == "BUILTIN_ESTIMATE"
    assert estimate["pricing"]["isEstimate"] is True
    assert estimate["costTotal"] == "2.000001"


async def test_a_provider_default_row_prices_its_unknown_models(api: Api) -> None:
    await upsert(api, "OPENAI", "default", "0.00001", "0.00003")
    resolved = await resolve(api, "OPENAI", "gpt-new")
    assert (resolved["source"], resolved["inputTokenCost"]) == ("DEFAULT_ROW", "0.00001")
    other_provider = await resolve(api, "ANTHROPIC", "claude-x")
    assert other_provider["source"] == "BUILTIN_ESTIMATE"


async def test_upsert_makes_the_row_admin_managed_and_keeps_exact_digits(api: Api) -> None:
    created = await upsert(api, "OPENAI", "gpt-4o", "0.0000025", "0.00001")
    assert created["managedBy"] == "ADMIN"
    updated = await upsert(api, "OPENAI", "GPT-4o", "0.000000000001", "12345.123456789012")
    assert updated["modelName"] == "GPT-4o"
    assert updated["inputTokenCost"] == "0.000000000001"
    assert updated["outputTokenCost"] == "12345.123456789012"
    # A change without effectiveFrom starts a new version now; the current price is it.
    assert updated["effectiveFrom"] > created["effectiveFrom"]
    rows = (await api.data(PRICINGS, {"provider": "OPENAI"}))["pricings"]
    assert [(row["modelName"], row["inputTokenCost"]) for row in rows] == [
        ("GPT-4o", "0.000000000001")
    ]


async def test_upsert_of_an_environment_row_takes_it_over(api: Api) -> None:
    row = await upsert(api, "MISTRAL", "gpt-oss-120b", "0.0000005", "0.0000015")
    assert row["managedBy"] == "ADMIN"
    data = await api.data(INITIALIZE)
    report = data["initializePricing"]
    assert report["skipped"] == [{"modelName": "gpt-oss-120b", "managedBy": "ADMIN"}]
    assert report["unchanged"] == [{"modelName": "default"}]
    assert (await resolve(api, "MISTRAL", "gpt-oss-120b"))["inputTokenCost"] == "0.0000005"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("inputTokenCost", "-0.000001", "inputTokenCost must not be negative"),
        ("outputTokenCost", "0.0000000000001", "outputTokenCost has more than 12 decimal places"),
        ("modelName", "   ", "modelName must not be empty"),
        ("modelName", "m" * 256, "modelName must be at most 255 characters"),
        ("provider", "HUGGINGFACE", "HUGGINGFACE models are priced from MISTRAL rows"),
    ],
)
async def test_bad_prices_are_refused_naming_the_field_and_change_nothing(
    api: Api, field: str, value: str, message: str
) -> None:
    pricing = {
        "provider": "OPENAI",
        "modelName": "gpt-4o",
        "inputTokenCost": "0.000001",
        "outputTokenCost": "0.000001",
    }
    pricing[field] = value
    error = await api.error(UPSERT, {"input": pricing})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    assert message in error["message"]
    assert len((await api.data(PRICINGS))["pricings"]) == 2


async def test_prices_sent_as_json_floats_are_refused(api: Api) -> None:
    variables = {
        "input": {
            "provider": "OPENAI",
            "modelName": "gpt-4o",
            "inputTokenCost": 0.0000025,
            "outputTokenCost": "0.00001",
        }
    }
    error = await api.error(UPSERT, variables)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "Decimals are sent as strings" in error["message"]
    assert "inputTokenCost" in error["message"]


async def test_decimal_literals_in_the_query_text_keep_every_digit(api: Api) -> None:
    data = await api.data(
        """mutation { upsertPricing(input: {provider: OPENAI, modelName: "m",
             inputTokenCost: 98765.123456789012, outputTokenCost: "0.1"}) { inputTokenCost } }"""
    )
    assert data["upsertPricing"]["inputTokenCost"] == "98765.123456789012"


async def test_delete_of_a_missing_row_is_not_found(api: Api) -> None:
    error = await api.error(DELETE, {"provider": "OPENAI", "modelName": "nope"})
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["extensions"]["field"] == "modelName"


async def test_delete_removes_the_row(api: Api) -> None:
    await upsert(api, "OPENAI", "gpt-4o", "0.0000025", "0.00001")
    data = await api.data(DELETE, {"provider": "OPENAI", "modelName": " GPT-4O "})
    assert data == {"deletePricing": True}
    assert (await api.data(PRICINGS, {"provider": "OPENAI"}))["pricings"] == []


ADMIN_OPERATIONS = [
    (INITIALIZE, {}),
    (
        UPSERT,
        {
            "input": {
                "provider": "OPENAI",
                "modelName": "gpt-4o",
                "inputTokenCost": "1",
                "outputTokenCost": "1",
            }
        },
    ),
    (DELETE, {"provider": "MISTRAL", "modelName": "default"}),
]


@pytest.mark.parametrize(("query", "variables"), ADMIN_OPERATIONS)
@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer wrong-key-0123456789",
        "Basic dGVzdDp0ZXN0",
        "Bearer",
        "test-admin-key-0123456789",
    ],
)
async def test_admin_mutations_refuse_missing_or_wrong_keys(
    api: Api, query: str, variables: dict[str, Any], authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    error = await api.error(query, variables, headers=headers)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert len((await api.data(PRICINGS))["pricings"]) == 2


@pytest.mark.parametrize(("query", "variables"), ADMIN_OPERATIONS)
async def test_admin_mutations_refuse_keys_without_the_admin_scope(
    api: Api, query: str, variables: dict[str, Any]
) -> None:
    reader = await create_key(api, ["READ", "INGEST"])
    error = await api.error(query, variables, key=reader)
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "ADMIN scope" in error["message"]


async def test_without_admin_api_key_no_bearer_token_is_the_break_glass_key(
    database: Database,
) -> None:
    async with running_app(make_settings(database, admin_api_key=None)) as client:
        response = await client.post(
            "/graphql",
            json={"query": INITIALIZE},
            headers={"Authorization": "Bearer anything-at-all-here"},
        )
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_initialize_is_idempotent(api: Api) -> None:
    first = (await api.data(INITIALIZE))["initializePricing"]
    second = (await api.data(INITIALIZE))["initializePricing"]
    for report in (first, second):
        assert report["created"] == []
        assert report["updated"] == []
        assert sorted(row["modelName"] for row in report["unchanged"]) == [
            "default",
            "gpt-oss-120b",
        ]
    assert len((await api.data(PRICINGS))["pricings"]) == 2


async def test_a_restart_applies_changed_environment_prices(api: Api) -> None:
    changed = make_settings(
        api.database,
        huggingface_input_token_cost="0.0000002",
        huggingface_output_token_cost="0.0000006",
    )
    async with running_app(changed) as client:
        restarted = Api(client, api.database)
        rows = (await restarted.data(PRICINGS))["pricings"]
        assert {(row["inputTokenCost"], row["outputTokenCost"]) for row in rows} == {
            ("0.0000002", "0.0000006")
        }
        estimate = await restarted.data(
            ESTIMATE,
            {"provider": "HUGGINGFACE", "model": "openai/gpt-oss-120b", "in": 1000, "out": 500},
        )
        assert estimate["estimateCost"]["costTotal"] == "0.0005"


async def test_initialize_reports_updated_rows(api: Api) -> None:
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(api.database.url))
        report = await initialize_default_pricing(
            now=datetime.now(UTC),
            environment_prices=EnvironmentPrices(
                input_token_cost=__import__("decimal").Decimal("0.000005"),
                output_token_cost=__import__("decimal").Decimal("0.000003"),
            ),
        )
    assert sorted(row.model_name for row in report.updated) == ["default", "gpt-oss-120b"]
    assert report.created == report.unchanged == report.skipped == []
