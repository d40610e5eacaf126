"""Re-pricing usage over GraphQL, on SQLite and PostgreSQL: repriceUsage.

The story: a price was entered wrong (0.000025 instead of 0.0000025 per input token)
and usage was recorded at it. An admin replaces that version (same effectiveFrom) with
the right one, looks at a dry run, then applies it. The logs, the totals, the reports
(served from the rollups) and the rollups themselves must all agree afterwards, and the
audit trail must keep every changed log's previous values.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.context import TortoiseContext

from billgraph.db import connection_name, tortoise_config
from billgraph.models import UsageRepricing
from billgraph.services.rollups import verify_rollups
from tests.conftest import Api, Database, create_key

T0 = "2025-01-01T00:00:00+00:00"
REPRICE = """
mutation ($filter: UsageFilter!, $dryRun: Boolean!) {
  repriceUsage(filter: $filter, dryRun: $dryRun) {
    dryRun logs changed costTotalBefore costTotalAfter difference
  }
}"""
UPSERT = """
mutation ($input: PricingInput!) { upsertPricing(input: $input) { id effectiveFrom } }"""
DELETE = """
mutation ($provider: Provider!, $modelName: String!) {
  deletePricing(provider: $provider, modelName: $modelName)
}"""
RECORD = """
mutation ($input: RecordUsageInput!) { recordUsage(input: $input) { id costTotal } }"""
LOGS = """
query {
  usageLogs(first: 100) {
    edges { node {
      id requestId inputTokenCost cachedInputTokenCost costInput costCachedInput costOutput
      costTotal pricingSource matchedModelName
    } }
  }
}"""
SUMMARY = """
query ($filter: UsageFilter) {
  costSummary(filter: $filter) { requests costInput costOutput costTotal estimatedCostTotal }
}"""
REPORT = """
query ($groupBy: [UsageDimension!]!) {
  costReport(groupBy: $groupBy) {
    key { provider model userId pricingSource }
    totals { requests costTotal }
  }
}"""
VERSIONS = """
query { pricingVersions(provider: OPENAI, modelName: "gpt-4o") { inputTokenCost } }"""


async def upsert(api: Api, provider: str, model: str, input_cost: str, output_cost: str) -> str:
    data = await api.data(
        UPSERT,
        {
            "input": {
                "provider": provider,
                "modelName": model,
                "inputTokenCost": input_cost,
                "outputTokenCost": output_cost,
                "effectiveFrom": T0,
            }
        },
    )
    pricing_id: str = data["upsertPricing"]["id"]
    return pricing_id


async def record(api: Api, request_id: str, provider: str, model: str, **fields: Any) -> str:
    payload = {
        "requestId": request_id,
        "provider": provider,
        "model": model,
        "tokensInput": 1000,
        "tokensOutput": 1000,
        "occurredAt": "2025-01-02T10:00:00+00:00",
        **fields,
    }
    log_id: str = (await api.data(RECORD, {"input": payload}))["recordUsage"]["id"]
    return log_id


async def reprice(
    api: Api, *, dry_run: bool, usage_filter: dict[str, Any] | None = None
) -> dict[str, Any]:
    variables = {"filter": usage_filter or {}, "dryRun": dry_run}
    report: dict[str, Any] = (await api.data(REPRICE, variables))["repriceUsage"]
    return report


async def logs_by_request(api: Api) -> dict[str, dict[str, Any]]:
    edges = (await api.data(LOGS))["usageLogs"]["edges"]
    return {edge["node"]["requestId"]: edge["node"] for edge in edges}


async def summary(api: Api, usage_filter: dict[str, Any] | None = None) -> dict[str, Any]:
    totals: dict[str, Any] = (await api.data(SUMMARY, {"filter": usage_filter}))["costSummary"]
    return totals


async def report(api: Api, *group_by: str) -> dict[tuple[Any, ...], str]:
    rows = (await api.data(REPORT, {"groupBy": list(group_by)}))["costReport"]
    return {
        tuple(value for value in row["key"].values() if value is not None): row["totals"][
            "costTotal"
        ]
        for row in rows
    }


@asynccontextmanager
async def database_connection(database: Database) -> AsyncIterator[BaseDBAsyncClient]:
    """An ORM context of the test's own on the app's database."""
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(database.url))
        yield context.connections.get(connection_name(database.url))


async def rollup_differences(api: Api) -> list[Any]:
    async with database_connection(api.database) as connection:
        return list(await verify_rollups(connection))


async def audit_rows(api: Api, log_ids: list[str]) -> dict[int, list[UsageRepricing]]:
    async with database_connection(api.database):
        rows = await UsageRepricing.filter(usage_log_id__in=[int(i) for i in log_ids]).order_by(
            "id"
        )
    audited: dict[int, list[UsageRepricing]] = {}
    for row in rows:
        audited.setdefault(row.usage_log_id, []).append(row)
    return audited


@pytest.fixture
async def wrongly_priced(api: Api) -> dict[str, str]:
    """Three logs, two of them priced by a gpt-4o input price entered ten times too high.

    Returns the log ids by request id.
    """
    await upsert(api, "OPENAI", "gpt-4o", "0.000025", "0.00001")
    await upsert(api, "ANTHROPIC", "claude-3-5-sonnet", "0.000003", "0.000015")
    # 1000 x 0.000025 + 500 x 0.00001 = 0.03
    a = await record(api, "a", "OPENAI", "gpt-4o", tokensOutput=500, userId="alice")
    # 2000 x 0.000025 + 1000 x 0.00001 = 0.06 (no cached price yet: cached costs input)
    b = await record(
        api,
        "b",
        "OPENAI",
        "gpt-4o",
        tokensInput=2000,
        tokensCachedInput=500,
        tokensReasoning=200,
        userId="bob",
        occurredAt="2025-01-02T11:30:00+00:00",
    )
    # 1000 x 0.000003 + 1000 x 0.000015 = 0.018
    c = await record(
        api,
        "c",
        "ANTHROPIC",
        "claude-3-5-sonnet",
        userId="alice",
        occurredAt="2025-01-03T09:00:00+00:00",
    )
    return {"a": a, "b": b, "c": c}


async def correct_the_price(api: Api) -> None:
    """Replace the wrong version: same effectiveFrom, the right prices."""
    await api.data(
        UPSERT,
        {
            "input": {
                "provider": "OPENAI",
                "modelName": "gpt-4o",
                "inputTokenCost": "0.0000025",
                "outputTokenCost": "0.00001",
                "cachedInputTokenCost": "0.00000125",
                "effectiveFrom": T0,
            }
        },
    )
    assert (await api.data(VERSIONS))["pricingVersions"] == [{"inputTokenCost": "0.0000025"}]


# After the correction: a = 0.0025 + 0.005 = 0.0075;
# b = 1500 x 0.0000025 + 500 x 0.00000125 + 1000 x 0.00001 = 0.014375; c = 0.018.
EXPECTED_REPORT = {
    "logs": "3",
    "changed": "2",
    "costTotalBefore": "0.108",
    "costTotalAfter": "0.039875",
    "difference": "-0.068125",
}


async def test_a_dry_run_reports_the_change_and_writes_nothing(
    api: Api, wrongly_priced: dict[str, str]
) -> None:
    await correct_the_price(api)
    logs_before = await logs_by_request(api)

    plan = await reprice(api, dry_run=True)

    assert plan == {"dryRun": True, **EXPECTED_REPORT}
    assert await logs_by_request(api) == logs_before
    assert (await summary(api))["costTotal"] == "0.108"
    assert await report(api, "MODEL") == {("gpt-4o",): "0.09", ("claude-3-5-sonnet",): "0.018"}
    assert await audit_rows(api, list(wrongly_priced.values())) == {}


async def test_applying_reprices_the_logs_totals_reports_and_rollups(
    api: Api, wrongly_priced: dict[str, str]
) -> None:
    await correct_the_price(api)

    applied = await reprice(api, dry_run=False)

    assert applied == {"dryRun": False, **EXPECTED_REPORT}
    logs = await logs_by_request(api)
    assert (logs["a"]["inputTokenCost"], logs["a"]["costTotal"]) == ("0.0000025", "0.0075")
    assert {
        name: logs["b"][name]
        for name in ("cachedInputTokenCost", "costInput", "costCachedInput", "costTotal")
    } == {
        "cachedInputTokenCost": "0.00000125",
        "costInput": "0.004375",
        "costCachedInput": "0.000625",
        "costTotal": "0.014375",
    }
    assert logs["c"]["costTotal"] == "0.018"
    assert await summary(api) == {
        "requests": "3",
        "costInput": "0.009875",
        "costOutput": "0.03",
        "costTotal": "0.039875",
        "estimatedCostTotal": "0",
    }
    assert (await summary(api, {"userId": "alice"}))["costTotal"] == "0.0255"
    # Reports without a user filter come from the rollup tables.
    assert await report(api, "MODEL") == {
        ("gpt-4o",): "0.021875",
        ("claude-3-5-sonnet",): "0.018",
    }
    assert await report(api, "USER") == {("alice",): "0.0255", ("bob",): "0.014375"}
    assert await rollup_differences(api) == []


async def test_the_audit_keeps_each_changed_logs_previous_values(
    api: Api, wrongly_priced: dict[str, str]
) -> None:
    await correct_the_price(api)

    await reprice(api, dry_run=False)

    audited = await audit_rows(api, list(wrongly_priced.values()))
    assert set(audited) == {int(wrongly_priced["a"]), int(wrongly_priced["b"])}
    (a,) = audited[int(wrongly_priced["a"])]
    (b,) = audited[int(wrongly_priced["b"])]
    assert a.api_key_name == b.api_key_name == "ADMIN_API_KEY"
    assert a.api_key_id is None
    assert (a.old_values["input_token_cost_pico"], a.new_values["input_token_cost_pico"]) == (
        25_000_000,
        2_500_000,
    )
    assert (a.old_values["cost_total_pico"], a.new_values["cost_total_pico"]) == (
        30_000_000_000,
        7_500_000_000,
    )
    assert (a.old_values["pricingSource"], a.new_values["pricingSource"]) == ("EXACT", "EXACT")
    assert b.old_values["cached_input_token_cost_pico"] == 25_000_000
    assert b.old_values["cost_cached_input_pico"] == 12_500_000_000
    assert b.old_values["cost_total_pico"] == 60_000_000_000
    assert b.new_values["cost_cached_input_pico"] == 625_000_000
    assert b.new_values["cost_total_pico"] == 14_375_000_000


async def test_a_second_apply_changes_nothing(api: Api, wrongly_priced: dict[str, str]) -> None:
    await correct_the_price(api)
    await reprice(api, dry_run=False)
    logs = await logs_by_request(api)

    again = await reprice(api, dry_run=False)

    assert again == {
        "dryRun": False,
        "logs": "3",
        "changed": "0",
        "costTotalBefore": "0.039875",
        "costTotalAfter": "0.039875",
        "difference": "0",
    }
    assert await logs_by_request(api) == logs
    audited = await audit_rows(api, list(wrongly_priced.values()))
    assert sum(len(rows) for rows in audited.values()) == 2
    assert await rollup_differences(api) == []


async def test_the_filter_limits_which_logs_are_repriced(
    api: Api, wrongly_priced: dict[str, str]
) -> None:
    await correct_the_price(api)

    claude_only = await reprice(api, dry_run=True, usage_filter={"model": "claude-3-5-sonnet"})
    alice = await reprice(api, dry_run=False, usage_filter={"userId": "alice"})

    assert claude_only == {
        "dryRun": True,
        "logs": "1",
        "changed": "0",
        "costTotalBefore": "0.018",
        "costTotalAfter": "0.018",
        "difference": "0",
    }
    assert alice == {
        "dryRun": False,
        "logs": "2",
        "changed": "1",
        "costTotalBefore": "0.048",
        "costTotalAfter": "0.0255",
        "difference": "-0.0225",
    }
    logs = await logs_by_request(api)
    assert [logs[name]["costTotal"] for name in ("a", "b", "c")] == ["0.0075", "0.06", "0.018"]
    assert (await summary(api))["costTotal"] == "0.0855"
    assert await rollup_differences(api) == []
    audited = await audit_rows(api, list(wrongly_priced.values()))
    assert set(audited) == {int(wrongly_priced["a"])}

    # A time window picks bob's call alone.
    window = {"from": "2025-01-02T11:00:00+00:00", "to": "2025-01-02T12:00:00+00:00"}
    bob = await reprice(api, dry_run=False, usage_filter=window)

    assert (bob["logs"], bob["changed"], bob["costTotalAfter"]) == ("1", "1", "0.014375")
    assert (await summary(api))["costTotal"] == "0.039875"
    assert await rollup_differences(api) == []


@pytest.mark.parametrize("scope", ["READ", "INGEST"])
async def test_repricing_needs_the_admin_scope(
    api: Api, wrongly_priced: dict[str, str], scope: str
) -> None:
    await correct_the_price(api)
    secret = await create_key(api, [scope])

    for dry_run in (True, False):
        error = await api.error(REPRICE, {"filter": {}, "dryRun": dry_run}, key=secret)
        assert error["extensions"]["code"] == "FORBIDDEN"
    assert (await summary(api))["costTotal"] == "0.108"
    assert await audit_rows(api, list(wrongly_priced.values())) == {}


async def test_logs_whose_pricing_source_changes_move_between_rollup_groups(api: Api) -> None:
    wrong_row = await upsert(api, "OPENAI", "my-model", "0.00001", "0.00002")
    await upsert(api, "MISTRAL", "mistral-large", "0.000004", "0.000012")
    # No row prices cached or reasoning tokens apart: they cost the input (output) price,
    # and the rollups must move them to the logs' new groups as well.
    kinds = {"tokensCachedInput": 300, "tokensCacheWrite": 200, "tokensReasoning": 400}
    exact = await record(api, "exact", "OPENAI", "my-model", **kinds)  # 0.01 + 0.02
    mistral = await record(api, "mistral", "MISTRAL", "mistral-large", **kinds)  # 0.004 + 0.012
    estimated = await record(api, "estimated", "OTHER", "new-model")  # 0.001 + 0.001
    assert await report(api, "PRICING_SOURCE") == {
        ("EXACT",): "0.046",
        ("BUILTIN_ESTIMATE",): "0.002",
    }
    # The prices were entered for the wrong models; the new model's price was forgotten.
    await api.data(DELETE, {"provider": "OPENAI", "modelName": "my-model"})
    await api.data(DELETE, {"provider": "MISTRAL", "modelName": "mistral-large"})
    await upsert(api, "OTHER", "new-model", "0.000002", "0.000004")

    applied = await reprice(api, dry_run=False)

    # my-model: estimate 0.002; mistral-large: MISTRAL default row 0.001 + 0.003;
    # new-model: its own row 0.002 + 0.004.
    assert applied == {
        "dryRun": False,
        "logs": "3",
        "changed": "3",
        "costTotalBefore": "0.048",
        "costTotalAfter": "0.012",
        "difference": "-0.036",
    }
    logs = await logs_by_request(api)
    assert [
        (logs[name]["pricingSource"], logs[name]["matchedModelName"], logs[name]["costTotal"])
        for name in ("exact", "mistral", "estimated")
    ] == [
        ("BUILTIN_ESTIMATE", None, "0.002"),
        ("DEFAULT_ROW", "default", "0.004"),
        ("EXACT", "new-model", "0.006"),
    ]
    assert await report(api, "PRICING_SOURCE") == {
        ("BUILTIN_ESTIMATE",): "0.002",
        ("DEFAULT_ROW",): "0.004",
        ("EXACT",): "0.006",
    }
    assert await report(api, "PROVIDER", "PRICING_SOURCE") == {
        ("openai", "BUILTIN_ESTIMATE"): "0.002",
        ("mistral", "DEFAULT_ROW"): "0.004",
        ("other", "EXACT"): "0.006",
    }
    assert (await summary(api))["estimatedCostTotal"] == "0.002"
    assert await rollup_differences(api) == []
    audited = await audit_rows(api, [exact, mistral, estimated])
    (moved,) = audited[int(exact)]
    assert moved.old_values["pricingSource"] == "EXACT"
    assert moved.old_values["pricingId"] == int(wrong_row)
    assert moved.new_values["pricingSource"] == "BUILTIN_ESTIMATE"
    assert moved.new_values["pricingId"] is None
    assert await reprice(api, dry_run=False) == {
        **applied,
        "changed": "0",
        "difference": "0",
        "costTotalBefore": "0.012",
    }
