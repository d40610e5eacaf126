"""Price tiers over GraphQL and POST /v1/usage, on SQLite and PostgreSQL.

A version can carry tiers: prices for a service tier (batch, flex, priority), above a
prompt size, or both. The tier a call's service tier and prompt size pick prices the
whole call; a service tier without a price of its own falls back to the standard ones.
Every figure below is computed by hand.
"""

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from billgraph.models import PricingSource, ServiceTier
from billgraph.services.pricing_chain import (
    EnvironmentPrices,
    PricingSnapshot,
    ResolvedPrice,
    TierPrices,
)
from billgraph.services.unit_prices import UnitPrices
from tests.conftest import ADMIN_KEY, Api
from tests.test_repricing import rollup_differences

T0 = "2025-01-01T00:00:00+00:00"
AT = "2025-01-02T10:00:00+00:00"
UPSERT = """
mutation ($input: PricingInput!) {
  upsertPricing(input: $input) {
    id inputTokenCost
    tiers {
      serviceTier aboveInputTokens inputTokenCost outputTokenCost cachedInputTokenCost
      cacheWriteTokenCost reasoningTokenCost
    }
  }
}"""
RECORD = """
mutation ($input: RecordUsageInput!) {
  recordUsage(input: $input) {
    requestId serviceTier pricedServiceTier pricedAboveInputTokens inputTokenCost
    outputTokenCost cachedInputTokenCost costInput costOutput costCachedInput costTotal
  }
}"""
# gemini-like: $1.25 / $10 per million tokens, $2.50 / $15 above 200k prompt tokens;
# batch at half price (and half of the 200k tier); priority from 0 only.
GEMINI_TIERS: list[dict[str, Any]] = [
    {
        "serviceTier": "STANDARD",
        "aboveInputTokens": 200_000,
        "inputTokenCost": "0.0000025",
        "outputTokenCost": "0.000015",
        "cachedInputTokenCost": "0.00000025",
    },
    {"serviceTier": "BATCH", "aboveInputTokens": 0, "inputTokenCost": "0.000000625",
     "outputTokenCost": "0.000005"},
    {"serviceTier": "BATCH", "aboveInputTokens": 200_000, "inputTokenCost": "0.00000125",
     "outputTokenCost": "0.0000075"},
]  # fmt: skip


async def upsert_gemini(api: Api, tiers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = (
        await api.data(
            UPSERT,
            {
                "input": {
                    "provider": "google",
                    "modelName": "gemini-2.5-pro",
                    "inputTokenCost": "0.00000125",
                    "outputTokenCost": "0.00001",
                    "cachedInputTokenCost": "0.000000125",
                    "effectiveFrom": T0,
                    "tiers": GEMINI_TIERS if tiers is None else tiers,
                }
            },
        )
    )["upsertPricing"]
    return answer


async def record(api: Api, request_id: str, tokens_input: int, **fields: Any) -> dict[str, Any]:
    payload = {
        "requestId": request_id,
        "provider": "google",
        "model": "gemini-2.5-pro",
        "tokensInput": tokens_input,
        "tokensOutput": 1000,
        "occurredAt": AT,
        **fields,
    }
    log: dict[str, Any] = (await api.data(RECORD, {"input": payload}))["recordUsage"]
    return log


async def test_upsert_pricing_stores_and_lists_the_tiers(api: Api) -> None:
    pricing = await upsert_gemini(api)

    assert pricing["tiers"] == [
        {
            "serviceTier": "BATCH",
            "aboveInputTokens": 0,
            "inputTokenCost": "0.000000625",
            "outputTokenCost": "0.000005",
            "cachedInputTokenCost": None,
            "cacheWriteTokenCost": None,
            "reasoningTokenCost": None,
        },
        {
            "serviceTier": "BATCH",
            "aboveInputTokens": 200000,
            "inputTokenCost": "0.00000125",
            "outputTokenCost": "0.0000075",
            "cachedInputTokenCost": None,
            "cacheWriteTokenCost": None,
            "reasoningTokenCost": None,
        },
        {
            "serviceTier": "STANDARD",
            "aboveInputTokens": 200000,
            "inputTokenCost": "0.0000025",
            "outputTokenCost": "0.000015",
            "cachedInputTokenCost": "0.00000025",
            "cacheWriteTokenCost": None,
            "reasoningTokenCost": None,
        },
    ]
    listed = await api.data(
        'query { pricings(provider: "google") '
        "{ modelName tiers { serviceTier aboveInputTokens } } }"
    )
    assert listed["pricings"] == [
        {
            "modelName": "gemini-2.5-pro",
            "tiers": [
                {"serviceTier": "BATCH", "aboveInputTokens": 0},
                {"serviceTier": "BATCH", "aboveInputTokens": 200000},
                {"serviceTier": "STANDARD", "aboveInputTokens": 200000},
            ],
        }
    ]
    # Replacing the version without tiers keeps them; an empty list removes them.
    again = await upsert_gemini(api, tiers=None)
    assert len(again["tiers"]) == 3
    cleared = await upsert_gemini(api, tiers=[])
    assert cleared["tiers"] == []


async def test_a_prompt_above_the_threshold_is_priced_whole_at_the_tier(api: Api) -> None:
    await upsert_gemini(api)

    above = await record(api, "above", 250_000, tokensCachedInput=50_000)
    at_threshold = await record(api, "at", 200_000)

    # 200,000 uncached tokens at $2.50/M, 50,000 cached at $0.25/M, 1,000 out at $15/M.
    assert above["pricedServiceTier"] == "STANDARD"
    assert above["pricedAboveInputTokens"] == 200000
    assert above["inputTokenCost"] == "0.0000025"
    assert above["cachedInputTokenCost"] == "0.00000025"
    assert above["costInput"] == "0.5125"  # 0.5 + 0.0125
    assert above["costCachedInput"] == "0.0125"
    assert above["costOutput"] == "0.015"
    assert above["costTotal"] == "0.5275"
    # Exactly 200,000 prompt tokens is not above 200k: the version's own prices.
    assert at_threshold["pricedServiceTier"] == "STANDARD"
    assert at_threshold["pricedAboveInputTokens"] == 0
    assert at_threshold["inputTokenCost"] == "0.00000125"
    assert at_threshold["costTotal"] == "0.26"  # 0.25 + 0.01


async def test_a_batch_call_costs_half_and_an_unpriced_tier_falls_back(api: Api) -> None:
    await upsert_gemini(api)

    standard = await record(api, "standard", 10_000)
    batch = await record(api, "batch", 10_000, serviceTier="BATCH")
    batch_long = await record(api, "batch-long", 300_000, serviceTier="BATCH")
    flex = await record(api, "flex", 10_000, serviceTier="FLEX")
    flex_long = await record(api, "flex-long", 300_000, serviceTier="FLEX")

    # 10,000 in at $1.25/M + 1,000 out at $10/M = 0.0125 + 0.01.
    assert standard["costTotal"] == "0.0225"
    assert standard["serviceTier"] == "STANDARD"
    assert (batch["serviceTier"], batch["pricedServiceTier"]) == ("BATCH", "BATCH")
    assert batch["costTotal"] == "0.01125"  # half of 0.0225
    # 300,000 at $1.25/M + 1,000 at $7.5/M: half the 200k tier's 0.75 + 0.015.
    assert batch_long["pricedAboveInputTokens"] == 200000
    assert batch_long["costTotal"] == "0.3825"
    # No flex price: the standard prices (and the standard 200k tier) apply.
    assert (flex["serviceTier"], flex["pricedServiceTier"]) == ("FLEX", "STANDARD")
    assert flex["costTotal"] == "0.0225"
    assert (flex_long["pricedServiceTier"], flex_long["pricedAboveInputTokens"]) == (
        "STANDARD",
        200000,
    )
    assert flex_long["costTotal"] == "0.765"  # 300,000 x 2.5/M + 1,000 x 15/M


async def test_a_replay_with_another_service_tier_is_a_conflict(api: Api) -> None:
    await upsert_gemini(api)
    await record(api, "once", 10_000, serviceTier="BATCH")
    # The same payload (the tier named in another case on the wire) is a replay.
    replay = await api.http.post(
        "/v1/usage",
        json=[
            {
                "requestId": "once",
                "provider": "google",
                "model": "gemini-2.5-pro",
                "tokensInput": 10_000,
                "tokensOutput": 1000,
                "occurredAt": AT,
                "serviceTier": "batch",
            }
        ],
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
    )
    assert replay.status_code == 200, replay.text
    assert replay.json()["replayed"] == 1

    error = await api.error(
        RECORD,
        {
            "input": {
                "requestId": "once",
                "provider": "google",
                "model": "gemini-2.5-pro",
                "tokensInput": 10_000,
                "tokensOutput": 1000,
                "occurredAt": AT,
            }
        },
    )
    assert error["extensions"]["code"] == "CONFLICT"
    assert "serviceTier" in error["message"]


async def test_the_ingest_endpoint_refuses_an_unknown_service_tier(api: Api) -> None:
    response = await api.http.post(
        "/v1/usage",
        content=json.dumps(
            [{"provider": "google", "model": "m", "tokensInput": 1, "tokensOutput": 1,
              "serviceTier": "turbo"}]
        ).encode(),
        headers={"Authorization": f"Bearer {ADMIN_KEY}", "Content-Type": "application/json"},
    )  # fmt: skip
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["field"] == "serviceTier"
    assert error["extensions"]["index"] == 0


async def test_tier_errors_name_the_tier_and_duplicates_are_refused(api: Api) -> None:
    bad_price = [*GEMINI_TIERS[:1], {**GEMINI_TIERS[1], "inputTokenCost": "-1"}]
    error = await api.error(
        UPSERT,
        {
            "input": {
                "provider": "google",
                "modelName": "gemini-2.5-pro",
                "inputTokenCost": "0.00000125",
                "outputTokenCost": "0.00001",
                "tiers": bad_price,
            }
        },
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "tiers[1].inputTokenCost"

    duplicate = [GEMINI_TIERS[1], GEMINI_TIERS[0], {**GEMINI_TIERS[1], "inputTokenCost": "1"}]
    error = await api.error(
        UPSERT,
        {
            "input": {
                "provider": "google",
                "modelName": "gemini-2.5-pro",
                "inputTokenCost": "0.00000125",
                "outputTokenCost": "0.00001",
                "tiers": duplicate,
            }
        },
    )
    assert error["extensions"]["field"] == "tiers[2].aboveInputTokens"
    assert "tiers[0]" in error["message"]
    assert (await api.data('query { pricings(provider: "google") { id } }'))["pricings"] == []


async def test_the_audit_records_the_tiers(api: Api) -> None:
    await upsert_gemini(api)
    await upsert_gemini(api, tiers=[GEMINI_TIERS[0]])
    history = await api.data(
        'query { pricingHistory(provider: "google", modelName: "gemini-2.5-pro") '
        "{ edges { node { oldValues newValues } } } }"
    )
    latest, first = (edge["node"] for edge in history["pricingHistory"]["edges"])
    assert [tier["serviceTier"] for tier in first["newValues"]["tiers"]] == [
        "BATCH",
        "BATCH",
        "STANDARD",
    ]
    assert latest["oldValues"]["tiers"] == first["newValues"]["tiers"]
    assert latest["newValues"]["tiers"] == [
        {
            "serviceTier": "STANDARD",
            "aboveInputTokens": 200000,
            "inputTokenCost": "0.0000025",
            "outputTokenCost": "0.000015",
            "cachedInputTokenCost": "0.00000025",
            "cacheWriteTokenCost": None,
            "reasoningTokenCost": None,
        }
    ]


REPORT = """
query ($groupBy: [UsageDimension!]!, $filter: UsageFilter) {
  costReport(groupBy: $groupBy, filter: $filter, orderBy: KEY_ASC) {
    key { serviceTier userId } totals { requests tokensInput costTotal }
  }
}"""


async def test_reports_group_and_filter_by_service_tier(api: Api) -> None:
    await upsert_gemini(api)
    await record(api, "s1", 10_000)  # 0.0225
    await record(api, "s2", 250_000, userId="alice")  # 0.625 + 0.015 = 0.64
    await record(api, "b1", 10_000, serviceTier="BATCH")  # 0.01125
    await record(api, "b2", 300_000, serviceTier="BATCH", userId="alice")  # 0.3825
    await record(api, "f1", 10_000, serviceTier="FLEX")  # 0.0225

    by_tier = (await api.data(REPORT, {"groupBy": ["SERVICE_TIER"]}))["costReport"]
    assert [
        (row["key"]["serviceTier"], row["totals"]["requests"], row["totals"]["costTotal"])
        for row in by_tier
    ] == [("BATCH", "2", "0.39375"), ("FLEX", "1", "0.0225"), ("STANDARD", "2", "0.6625")]
    # The same sums from the daily-user rollup, narrowed to a user and a tier.
    alice_batch = (
        await api.data(
            REPORT,
            {"groupBy": ["USER"], "filter": {"userId": "alice", "serviceTier": "BATCH"}},
        )
    )["costReport"]
    assert [(row["key"]["userId"], row["totals"]["costTotal"]) for row in alice_batch] == [
        ("alice", "0.3825")
    ]
    total = sum(Decimal(row["totals"]["costTotal"]) for row in by_tier)
    summary = await api.data("query { costSummary { costTotal } }")
    assert Decimal(summary["costSummary"]["costTotal"]) == total == Decimal("1.07875")
    logs = await api.data(
        "query { usageLogs(filter: {serviceTier: FLEX}) { edges { node { requestId } } } }"
    )
    assert [edge["node"]["requestId"] for edge in logs["usageLogs"]["edges"]] == ["f1"]
    assert await rollup_differences(api) == []


async def test_repricing_applies_the_tiers(api: Api) -> None:
    await upsert_gemini(api, tiers=[])
    await record(api, "long", 250_000)
    await record(api, "batch", 10_000, serviceTier="BATCH")
    # Both were priced at the base price: 0.3125 + 0.01 and 0.0125 + 0.01.
    await upsert_gemini(api)  # the same version, now with its tiers

    report = (
        await api.data(
            "mutation { repriceUsage(filter: {}, dryRun: false) { changed costTotalAfter } }"
        )
    )["repriceUsage"]

    # 250,000 x 2.5/M + 1,000 x 15/M = 0.64; the batch call costs half of 0.0225.
    assert report == {"changed": "2", "costTotalAfter": "0.65125"}
    logs = await api.data(
        "query { usageLogs { edges { node { requestId pricedServiceTier "
        "pricedAboveInputTokens costTotal } } } }"
    )
    assert {
        edge["node"]["requestId"]: (
            edge["node"]["pricedServiceTier"],
            edge["node"]["pricedAboveInputTokens"],
            edge["node"]["costTotal"],
        )
        for edge in logs["usageLogs"]["edges"]
    } == {"long": ("STANDARD", 200000, "0.64"), "batch": ("BATCH", 0, "0.01125")}
    assert await rollup_differences(api) == []


async def test_estimate_cost_and_resolve_pricing_pick_the_tier(api: Api) -> None:
    await upsert_gemini(api)
    answer = await api.data(
        'query { estimateCost(provider: "google", model: "gemini-2.5-pro", '
        "tokensInput: 250000, tokensOutput: 1000, serviceTier: BATCH) "
        "{ costTotal pricing { serviceTier aboveInputTokens inputTokenCost } } "
        'resolvePricing(provider: "google", model: "gemini-2.5-pro", tokensInput: 200001) '
        "{ serviceTier aboveInputTokens inputTokenCost } }"
    )
    # 250,000 x 1.25/M + 1,000 x 7.5/M
    assert answer["estimateCost"] == {
        "costTotal": "0.32",
        "pricing": {
            "serviceTier": "BATCH",
            "aboveInputTokens": 200000,
            "inputTokenCost": "0.00000125",
        },
    }
    assert answer["resolvePricing"] == {
        "serviceTier": "STANDARD",
        "aboveInputTokens": 200000,
        "inputTokenCost": "0.0000025",
    }


def test_the_selection_rule_without_a_database() -> None:
    base = ResolvedPrice(
        provider="p",
        pricing_provider="p",
        requested_model="m",
        source=PricingSource.EXACT,
        prices=UnitPrices.flat(10, 20),
        tiers=(
            TierPrices(ServiceTier.FLEX, 100, UnitPrices(5, 10)),
            TierPrices(ServiceTier.STANDARD, 100, UnitPrices(30, 40)),
            TierPrices(ServiceTier.STANDARD, 1000, UnitPrices(50, 60, reasoning=1)),
        ),
    )

    def pick(tier: ServiceTier, prompt: int) -> tuple[ServiceTier, int, int]:
        price = base.for_call(service_tier=tier, prompt_tokens=prompt)
        return price.service_tier, price.above_prompt_tokens, price.input_price_pico

    assert pick(ServiceTier.STANDARD, 0) == (ServiceTier.STANDARD, 0, 10)
    assert pick(ServiceTier.STANDARD, 100) == (ServiceTier.STANDARD, 0, 10)
    assert pick(ServiceTier.STANDARD, 101) == (ServiceTier.STANDARD, 100, 30)
    assert pick(ServiceTier.STANDARD, 1001) == (ServiceTier.STANDARD, 1000, 50)
    # flex has only a tier above 100: below it, the standard candidates decide.
    assert pick(ServiceTier.FLEX, 50) == (ServiceTier.STANDARD, 0, 10)
    assert pick(ServiceTier.FLEX, 5000) == (ServiceTier.FLEX, 100, 5)
    assert pick(ServiceTier.PRIORITY, 5000) == (ServiceTier.STANDARD, 1000, 50)
    # A tier's unset optional prices are its own input and output prices.
    top = base.for_call(service_tier=ServiceTier.STANDARD, prompt_tokens=1001)
    assert (top.cached_input_price_pico, top.reasoning_price_pico) == (50, 1)
    # Steps without a version have no tiers.
    snapshot = PricingSnapshot.of(0, [])
    estimate = snapshot.resolve(
        provider="openai",
        model="x",
        environment_prices=EnvironmentPrices(Decimal(1), Decimal(1)),
        at=base_time(),
        service_tier=ServiceTier.BATCH,
        prompt_tokens=10**6,
    )
    assert (estimate.source, estimate.service_tier) == (
        PricingSource.BUILTIN_ESTIMATE,
        ServiceTier.STANDARD,
    )


def base_time() -> datetime:
    return datetime(2025, 1, 1, tzinfo=UTC)


async def test_the_csv_export_carries_and_filters_the_service_tier(api: Api) -> None:
    await upsert_gemini(api)
    await record(api, "batch", 10_000, serviceTier="BATCH")
    await record(api, "standard", 10_000)

    response = await api.http.get(
        "/v1/usage/export.csv",
        params={"serviceTier": "batch"},
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
    )

    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [
        (
            row["requestId"],
            row["serviceTier"],
            row["pricedServiceTier"],
            row["pricedAboveInputTokens"],
            row["costTotal"],
        )
        for row in rows
    ] == [("batch", "BATCH", "BATCH", "0", "0.01125")]


async def test_a_reservation_is_held_at_the_price_of_its_service_tier(api: Api) -> None:
    await upsert_gemini(api)
    await api.data(
        "mutation ($input: CreateBudgetInput!) { createBudget(input: $input) { id } }",
        {"input": {"name": "gemini", "limit": "100", "mode": "HARD"}},
    )
    authorize = """
    mutation ($input: AuthorizeUsageInput!) { authorizeUsage(input: $input) { amount } }"""
    request = {
        "provider": "google",
        "model": "gemini-2.5-pro",
        "maxTokensInput": 1000,
        "maxTokensOutput": 100,
    }
    amounts = [
        (await api.data(authorize, {"input": request | tier}))["authorizeUsage"]["amount"]
        for tier in ({}, {"serviceTier": "BATCH"}, {"serviceTier": "FLEX"})
    ]
    # standard: 1000 x 0.00000125 + 100 x 0.00001; batch: 1000 x 0.000000625 +
    # 100 x 0.000005; flex has no price of its own: standard.
    assert amounts == ["0.00225", "0.001125", "0.00225"]
