"""Price versions with effective dates, over GraphQL and at the service level, on both databases.

A price takes effect at its `effectiveFrom` and prices usage that occurred from then
until the next version. Usage is priced by the version in effect at its `occurredAt`, so
late-arriving usage is priced correctly and a scheduled price changes nothing before its
date. Every step of the resolution chain is taken at the given time. The property test
at the end checks that no sequence of price changes rewrites a recorded log, and that an
explicit re-pricing sets each log to the version in effect when it occurred.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from billgraph.models import PricingSource, Provider, UsageLog
from billgraph.services.api_keys import SYSTEM
from billgraph.services.costs import from_pico
from billgraph.services.pricing_admin import PriceChange, upsert_pricing
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.pricing_chain import EnvironmentPrices
from billgraph.services.repricing import reprice_usage
from billgraph.services.rollups import verify_rollups
from billgraph.services.usage import UsageFilter, UsageInput, record_usage_batch
from tests.conftest import Api, Database, empty_tables

PRICING_FIELDS = """
    id provider modelName inputTokenCost outputTokenCost
    cachedInputTokenCost cacheWriteTokenCost reasoningTokenCost effectiveFrom managedBy
"""
UPSERT = "mutation ($input: PricingInput!) { upsertPricing(input: $input) {" + PRICING_FIELDS + "}}"
VERSIONS = (
    "query ($provider: Provider!, $modelName: String!) {"
    " pricingVersions(provider: $provider, modelName: $modelName) {" + PRICING_FIELDS + "}}"
)
PRICINGS = (
    "query ($provider: Provider, $at: DateTime) {"
    " pricings(provider: $provider, at: $at) {" + PRICING_FIELDS + "}}"
)
RESOLVE = """
query ($provider: Provider!, $model: String!, $at: DateTime) {
  resolvePricing(provider: $provider, model: $model, at: $at) {
    source matchedModelName inputTokenCost outputTokenCost pricing { id effectiveFrom }
  }
}"""
ESTIMATE = """
query ($provider: Provider!, $model: String!, $in: Int!, $out: Int!, $at: DateTime) {
  estimateCost(provider: $provider, model: $model, tokensInput: $in, tokensOutput: $out,
               at: $at) {
    costInput costOutput costTotal pricing { source inputTokenCost pricing { effectiveFrom } }
  }
}"""
RECORD = """
mutation ($input: RecordUsageInput!) {
  recordUsage(input: $input) {
    requestId inputTokenCost outputTokenCost costInput costOutput costTotal
    pricingSource matchedModelName occurredAt
  }
}"""
LOGS = """
{ usageLogs(first: 500) { edges { node {
    requestId inputTokenCost outputTokenCost costInput costOutput costTotal
    pricingSource matchedModelName occurredAt
} } } }"""
DELETE = """
mutation ($provider: Provider!, $modelName: String!, $effectiveFrom: DateTime) {
  deletePricing(provider: $provider, modelName: $modelName, effectiveFrom: $effectiveFrom)
}"""

JAN = "2025-01-01T00:00:00+00:00"
MAR = "2025-03-01T00:00:00+00:00"
MAY = "2025-05-01T00:00:00+00:00"
JUN = "2025-06-01T00:00:00+00:00"
JUL = "2025-07-01T00:00:00+00:00"
AUG = "2025-08-01T00:00:00+00:00"


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def iso(value: datetime) -> str:
    return value.isoformat()


async def set_price(
    api: Api,
    model: str,
    input_cost: str,
    output_cost: str,
    effective_from: str | None = None,
    *,
    provider: str = "OPENAI",
) -> dict[str, Any]:
    prices: dict[str, Any] = {
        "provider": provider,
        "modelName": model,
        "inputTokenCost": input_cost,
        "outputTokenCost": output_cost,
    }
    if effective_from is not None:
        prices["effectiveFrom"] = effective_from
    row: dict[str, Any] = (await api.data(UPSERT, {"input": prices}))["upsertPricing"]
    return row


async def versions(api: Api, model: str, provider: str = "OPENAI") -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await api.data(VERSIONS, {"provider": provider, "modelName": model})
    )["pricingVersions"]
    return rows


async def resolve(api: Api, model: str, at: str | None, provider: str = "OPENAI") -> Any:
    variables = {"provider": provider, "model": model, "at": at}
    return (await api.data(RESOLVE, variables))["resolvePricing"]


async def estimate(
    api: Api, model: str, at: str | None, tokens_in: int = 1000, provider: str = "OPENAI"
) -> Any:
    variables = {"provider": provider, "model": model, "in": tokens_in, "out": 0, "at": at}
    return (await api.data(ESTIMATE, variables))["estimateCost"]


async def record(
    api: Api,
    model: str,
    request_id: str,
    occurred_at: str | None = None,
    *,
    provider: str = "OPENAI",
    tokens_in: int = 1000,
    tokens_out: int = 500,
) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "provider": provider,
        "model": model,
        "requestId": request_id,
        "tokensInput": tokens_in,
        "tokensOutput": tokens_out,
    }
    if occurred_at is not None:
        usage["occurredAt"] = occurred_at
    log: dict[str, Any] = (await api.data(RECORD, {"input": usage}))["recordUsage"]
    return log


async def stored_logs(api: Api) -> dict[str, dict[str, Any]]:
    edges = (await api.data(LOGS))["usageLogs"]["edges"]
    return {edge["node"]["requestId"]: edge["node"] for edge in edges}


async def test_versions_are_listed_oldest_first_and_replaced_by_their_start(api: Api) -> None:
    await set_price(api, "gpt-v", "0.000002", "0.000004", JUN)
    await set_price(api, "gpt-v", "0.000001", "0.000002", JAN)
    future = datetime.now(UTC) + timedelta(days=30)
    await set_price(api, "gpt-v", "0.000009", "0.000018", iso(future))
    listed = await versions(api, "gpt-v")
    assert [(moment(row["effectiveFrom"]), row["inputTokenCost"]) for row in listed] == [
        (moment(JAN), "0.000001"),
        (moment(JUN), "0.000002"),
        (future, "0.000009"),
    ]
    assert {row["managedBy"] for row in listed} == {"ADMIN"}

    # The same start, written another way, replaces that version instead of adding one.
    replaced = await set_price(api, "gpt-v", "0.000003", "0.000006", "2025-06-01T02:00:00+02:00")
    assert replaced["id"] == listed[1]["id"]
    # Without effectiveFrom, the version starts now.
    before = datetime.now(UTC)
    current = await set_price(api, "gpt-v", "0.000005", "0.00001")
    after = datetime.now(UTC)
    assert before <= moment(current["effectiveFrom"]) <= after

    listed = await versions(api, "  GPT-V ")  # looked up like the chain: trimmed, any case
    assert [(row["id"], row["inputTokenCost"]) for row in listed] == [
        (listed[0]["id"], "0.000001"),
        (replaced["id"], "0.000003"),
        (current["id"], "0.000005"),
        (listed[3]["id"], "0.000009"),
    ]
    assert moment(listed[3]["effectiveFrom"]) == future
    assert await versions(api, "gpt-never-priced") == []


async def test_late_arriving_usage_is_priced_by_the_version_in_effect_then(api: Api) -> None:
    await set_price(api, "gpt-late", "0.000001", "0.000002", JAN)
    await set_price(api, "gpt-late", "0.000004", "0.000008", JUN)
    # Recorded after both versions exist; 1,000 input and 500 output tokens each.
    cases = {
        "before-any-version": ("2024-12-31T23:59:59.999999+00:00", "BUILTIN_ESTIMATE", "0.0015"),
        "first-version": ("2025-03-15T12:00:00+00:00", "EXACT", "0.002"),
        "last-microsecond": ("2025-05-31T23:59:59.999999+00:00", "EXACT", "0.002"),
        "at-the-start": (JUN, "EXACT", "0.008"),
        "same-instant-other-offset": ("2025-06-01T02:00:00+02:00", "EXACT", "0.008"),
    }
    for request_id, (occurred_at, source, cost_total) in cases.items():
        log = await record(api, "gpt-late", request_id, occurred_at)
        assert (log["pricingSource"], log["costTotal"]) == (source, cost_total), request_id
        assert moment(log["occurredAt"]) == moment(occurred_at)
    now_log = await record(api, "gpt-late", "now")
    assert (now_log["inputTokenCost"], now_log["costTotal"]) == ("0.000004", "0.008")

    stored = await stored_logs(api)
    assert {request_id: stored[request_id]["costTotal"] for request_id in cases} == {
        request_id: cost_total for request_id, (_, _, cost_total) in cases.items()
    }


async def test_a_scheduled_price_changes_nothing_before_its_date(api: Api) -> None:
    await set_price(api, "gpt-future", "0.000001", "0.000002", JAN)
    earlier = await record(api, "gpt-future", "before-scheduling")
    starts = datetime.now(UTC) + timedelta(days=30)
    await set_price(api, "gpt-future", "0.000009", "0.000018", iso(starts))

    # Now (the default `at`), and just before the date: the current price.
    for at in (None, iso(starts - timedelta(microseconds=1))):
        assert (await resolve(api, "gpt-future", at))["inputTokenCost"] == "0.000001", at
        assert (await estimate(api, "gpt-future", at))["costTotal"] == "0.001", at
    # From its date on: the scheduled price.
    for at in (iso(starts), iso(starts + timedelta(days=1))):
        resolved = await resolve(api, "gpt-future", at)
        assert resolved["inputTokenCost"] == "0.000009", at
        assert moment(resolved["pricing"]["effectiveFrom"]) == starts
        assert (await estimate(api, "gpt-future", at))["costTotal"] == "0.009", at

    later = await record(api, "gpt-future", "after-scheduling")
    assert (later["inputTokenCost"], later["costTotal"]) == ("0.000001", "0.002")
    stored = await stored_logs(api)
    assert stored["before-scheduling"] == earlier
    assert stored["after-scheduling"] == later

    shown_now = (await api.data(PRICINGS, {"provider": "OPENAI"}))["pricings"]
    assert [(row["modelName"], row["inputTokenCost"]) for row in shown_now] == [
        ("gpt-future", "0.000001")
    ]
    at_date = {"provider": "OPENAI", "at": iso(starts)}
    shown_then = (await api.data(PRICINGS, at_date))["pricings"]
    assert [(row["modelName"], row["inputTokenCost"]) for row in shown_then] == [
        ("gpt-future", "0.000009")
    ]


CHAIN_MODEL = "acme/widget-7b:fast"


async def set_chain_versions(api: Api, pricing_provider: str) -> None:
    """DEFAULT_ROW from January (and again from August), SHORT_NAME from March, EXACT from May."""
    if pricing_provider == "MISTRAL":
        # Startup's MISTRAL rows price every date; without them ENVIRONMENT is reachable.
        for name in ("default", "gpt-oss-120b"):
            await api.data(DELETE, {"provider": "MISTRAL", "modelName": name})
    await set_price(api, "default", "0.00001", "0.00002", JAN, provider=pricing_provider)
    await set_price(api, "widget-7b", "0.00003", "0.00004", MAR, provider=pricing_provider)
    await set_price(api, CHAIN_MODEL, "0.00005", "0.00006", MAY, provider=pricing_provider)
    await set_price(api, "default", "0.00007", "0.00008", AUG, provider=pricing_provider)


# (at, model, source, matched row, its version's start, input price); None: the fallback step.
CHAIN_STEPS = [
    ("2024-12-31T23:59:59+00:00", CHAIN_MODEL, None, None, None, "0.000001"),
    (JAN, CHAIN_MODEL, "DEFAULT_ROW", "default", JAN, "0.00001"),
    ("2025-02-28T23:59:59+00:00", CHAIN_MODEL, "DEFAULT_ROW", "default", JAN, "0.00001"),
    (MAR, CHAIN_MODEL, "SHORT_NAME", "widget-7b", MAR, "0.00003"),
    ("2025-04-30T12:00:00+00:00", CHAIN_MODEL, "SHORT_NAME", "widget-7b", MAR, "0.00003"),
    (MAY, CHAIN_MODEL, "EXACT", CHAIN_MODEL, MAY, "0.00005"),
    # A newer DEFAULT_ROW version does not outrank the EXACT row.
    ("2025-09-01T00:00:00+00:00", CHAIN_MODEL, "EXACT", CHAIN_MODEL, MAY, "0.00005"),
    # A model only the default row prices gets the default row's version of each date.
    ("2025-07-31T23:59:59+00:00", "acme/other-1b", "DEFAULT_ROW", "default", JAN, "0.00001"),
    ("2025-09-01T00:00:00+00:00", "acme/other-1b", "DEFAULT_ROW", "default", AUG, "0.00007"),
]


@pytest.mark.parametrize(
    ("provider", "pricing_provider", "fallback"),
    [("OPENAI", "OPENAI", "BUILTIN_ESTIMATE"), ("HUGGINGFACE", "MISTRAL", "ENVIRONMENT")],
    ids=["openai", "huggingface"],
)
async def test_each_chain_step_is_taken_at_the_given_time(
    api: Api, provider: str, pricing_provider: str, fallback: str
) -> None:
    await set_chain_versions(api, pricing_provider)
    for index, (at, model, source, matched, starts, input_cost) in enumerate(CHAIN_STEPS):
        expected_source = source or fallback
        case = f"{model} at {at}"
        resolved = await resolve(api, model, at, provider)
        assert resolved["source"] == expected_source, case
        assert resolved["matchedModelName"] == matched, case
        assert resolved["inputTokenCost"] == input_cost, case
        version = resolved["pricing"]
        assert (moment(version["effectiveFrom"]) if version else None) == (
            moment(starts) if starts else None
        ), case

        cost_total = format((1000 * Decimal(input_cost)).normalize(), "f")
        estimated = await estimate(api, model, at, provider=provider)
        assert estimated["pricing"]["source"] == expected_source, case
        assert estimated["costTotal"] == cost_total, case

        log = await record(api, model, f"chain-{index}", at, provider=provider, tokens_out=0)
        assert (log["pricingSource"], log["matchedModelName"]) == (expected_source, matched), case
        assert (log["inputTokenCost"], log["costTotal"]) == (input_cost, cost_total), case


async def test_pricings_at_shows_the_version_in_effect(api: Api) -> None:
    await set_chain_versions(api, "OPENAI")

    async def shown(at: str) -> list[tuple[str, str, datetime]]:
        rows = (await api.data(PRICINGS, {"provider": "OPENAI", "at": at}))["pricings"]
        return [
            (row["modelName"], row["inputTokenCost"], moment(row["effectiveFrom"])) for row in rows
        ]

    assert await shown("2024-12-31T23:59:59+00:00") == []
    assert await shown("2025-02-01T00:00:00+00:00") == [("default", "0.00001", moment(JAN))]
    assert await shown("2025-09-01T00:00:00+00:00") == [
        (CHAIN_MODEL, "0.00005", moment(MAY)),
        ("default", "0.00007", moment(AUG)),
        ("widget-7b", "0.00003", moment(MAR)),
    ]


async def test_scheduled_pricings_lists_the_versions_still_to_come_soonest_first(
    api: Api,
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    soon, later = iso(now + timedelta(days=3)), iso(now + timedelta(days=40))
    await set_price(api, "gpt-4o", "0.0000025", "0.00001", JAN)  # in effect: not listed
    await set_price(api, "gpt-4o", "0.000002", "0.000008", later)
    await set_price(api, "o9-preview", "0.00001", "0.00004", soon)  # a model not priced yet
    await set_price(api, "mistral-large", "0.000002", "0.000006", later, provider="MISTRAL")
    query = (
        "query ($provider: Provider) { scheduledPricings(provider: $provider) {"
        " provider modelName inputTokenCost effectiveFrom } }"
    )

    async def listed(provider: str | None) -> list[tuple[str, str, str, datetime]]:
        rows = (await api.data(query, {"provider": provider}))["scheduledPricings"]
        return [
            (row["provider"], row["modelName"], row["inputTokenCost"], moment(row["effectiveFrom"]))
            for row in rows
        ]

    assert await listed(None) == [
        ("openai", "o9-preview", "0.00001", moment(soon)),
        ("mistral", "mistral-large", "0.000002", moment(later)),
        ("openai", "gpt-4o", "0.000002", moment(later)),
    ]
    assert await listed("OPENAI") == [
        ("openai", "o9-preview", "0.00001", moment(soon)),
        ("openai", "gpt-4o", "0.000002", moment(later)),
    ]


async def test_delete_pricing_removes_one_version_or_all(api: Api) -> None:
    for start, price in (
        (JAN, "0.000001"),
        (MAR, "0.000002"),
        (MAY, "0.000003"),
        (JUL, "0.000004"),
    ):
        await set_price(api, "gpt-del", price, price, start)
    priced_by_march = await record(api, "gpt-del", "april", "2025-04-01T00:00:00+00:00")
    assert priced_by_march["costTotal"] == "0.003"

    delete_march = {"provider": "OPENAI", "modelName": "gpt-del", "effectiveFrom": MAR}
    assert (await api.data(DELETE, delete_march))["deletePricing"] is True
    assert [row["inputTokenCost"] for row in await versions(api, "gpt-del")] == [
        "0.000001",
        "0.000003",
        "0.000004",
    ]
    # April now falls back to January's version; the recorded log keeps March's costs.
    assert (await resolve(api, "gpt-del", "2025-04-01T00:00:00+00:00"))["inputTokenCost"] == (
        "0.000001"
    )
    assert (await stored_logs(api))["april"] == priced_by_march

    error = await api.error(DELETE, delete_march)
    assert error["extensions"]["code"] == "NOT_FOUND"

    # The same instant as May's start, in another offset.
    delete_may = {**delete_march, "effectiveFrom": "2025-05-01T02:00:00+02:00"}
    assert (await api.data(DELETE, delete_may))["deletePricing"] is True
    assert [row["inputTokenCost"] for row in await versions(api, "gpt-del")] == [
        "0.000001",
        "0.000004",
    ]

    delete_all = {"provider": "OPENAI", "modelName": "gpt-del"}
    assert (await api.data(DELETE, delete_all))["deletePricing"] is True
    assert await versions(api, "gpt-del") == []
    assert (await resolve(api, "gpt-del", None))["source"] == "BUILTIN_ESTIMATE"
    assert (await stored_logs(api))["april"] == priced_by_march


NAIVE = "2025-06-01T00:00:00"


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (RESOLVE, {"provider": "OPENAI", "model": "gpt-4o", "at": NAIVE}),
        (ESTIMATE, {"provider": "OPENAI", "model": "gpt-4o", "in": 1, "out": 1, "at": NAIVE}),
        (PRICINGS, {"provider": "OPENAI", "at": NAIVE}),
    ],
    ids=["resolvePricing", "estimateCost", "pricings"],
)
async def test_at_without_utc_offset_is_bad_user_input(
    api: Api, query: str, variables: dict[str, Any]
) -> None:
    error = await api.error(query, variables)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "at"
    assert "at must include a UTC offset" in error["message"]


async def test_effective_from_without_utc_offset_is_bad_user_input(api: Api) -> None:
    await set_price(api, "gpt-naive", "0.000001", "0.000002", JAN)
    prices = {
        "provider": "OPENAI",
        "modelName": "gpt-naive",
        "inputTokenCost": "0.000005",
        "outputTokenCost": "0.000005",
        "effectiveFrom": NAIVE,
    }
    for query, variables in (
        (UPSERT, {"input": prices}),
        (DELETE, {"provider": "OPENAI", "modelName": "gpt-naive", "effectiveFrom": NAIVE}),
    ):
        error = await api.error(query, variables)
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["field"] == "effectiveFrom"
    assert [row["inputTokenCost"] for row in await versions(api, "gpt-naive")] == ["0.000001"]


# --- Property: price changes never rewrite history; re-pricing is explicit -----------

ENVIRONMENT = EnvironmentPrices(Decimal("0.000001"), Decimal("0.000003"))
BUILTIN_PRICE = Decimal("0.000001")
PRICED_MODELS = ("gpt-a", "gpt-b")
# The last one is never priced itself: it resolves by SHORT_NAME to gpt-a.
REQUESTED_MODELS = ("gpt-a", "gpt-b", "team/gpt-a:fast")
LOG_PRICE_COLUMNS = (
    "input_token_cost_pico",
    "output_token_cost_pico",
    "cached_input_token_cost_pico",
    "cache_write_token_cost_pico",
    "reasoning_token_cost_pico",
    "cost_input_pico",
    "cost_output_pico",
    "cost_cached_input_pico",
    "cost_cache_write_pico",
    "cost_reasoning_pico",
    "cost_total_pico",
)


@dataclass(frozen=True)
class SetPrice:
    """upsert_pricing of `model` from `days` days from now (None: from now)."""

    model: str
    days: int | None
    input: Decimal
    output: Decimal
    cached: Decimal | None
    reasoning: Decimal | None


@dataclass(frozen=True)
class Record:
    """record_usage_batch of calls that occurred `hours_ago` hours before now."""

    calls: list[tuple[str, int, dict[str, int]]]  # (model, hours_ago, tokens)


@dataclass
class Reference:
    """The versions each upsert created, as plain data: what the chain should pick."""

    versions: dict[str, dict[datetime, tuple[SetPrice, int]]] = field(default_factory=dict)

    def expected(self, model: str, at: datetime, tokens: dict[str, int]) -> dict[str, Any]:
        """Return a log's pricing columns (as Decimal USD) for `tokens` priced at `at`."""
        short = model.rsplit("/", 1)[-1].split(":", 1)[0]
        for source, key in ((PricingSource.EXACT, model), (PricingSource.SHORT_NAME, short)):
            started = [start for start in self.versions.get(key, {}) if start <= at]
            if started:
                price, pricing_id = self.versions[key][max(started)]
                prices = (
                    price.input,
                    price.output,
                    price.input if price.cached is None else price.cached,
                    price.input,
                    price.output if price.reasoning is None else price.reasoning,
                )
                return _columns(tokens, prices, source, key, pricing_id)
        prices = (BUILTIN_PRICE,) * 5
        return _columns(tokens, prices, PricingSource.BUILTIN_ESTIMATE, None, None)


def _columns(
    tokens: dict[str, int],
    prices: tuple[Decimal, Decimal, Decimal, Decimal, Decimal],
    source: PricingSource,
    matched: str | None,
    pricing_id: int | None,
) -> dict[str, Any]:
    input_price, output_price, cached_price, write_price, reasoning_price = prices
    cached, write = tokens["tokens_cached_input"], tokens["tokens_cache_write"]
    reasoning = tokens["tokens_reasoning"]
    cost_cached, cost_write = cached * cached_price, write * write_price
    cost_reasoning = reasoning * reasoning_price
    cost_input = (tokens["tokens_input"] - cached - write) * input_price + cost_cached + cost_write
    cost_output = (tokens["tokens_output"] - reasoning) * output_price + cost_reasoning
    values = (*prices, cost_input, cost_output, cost_cached, cost_write, cost_reasoning)
    return {
        **dict(zip(LOG_PRICE_COLUMNS, (*values, cost_input + cost_output), strict=True)),
        "pricing_source": source,
        "matched_model_name": matched,
        "pricing_id": pricing_id,
    }


def pricing_of(log: UsageLog) -> dict[str, Any]:
    """Return a stored log's pricing columns, amounts as Decimal USD."""
    return {
        **{name: from_pico(getattr(log, name)) for name in LOG_PRICE_COLUMNS},
        "pricing_source": log.pricing_source,
        "matched_model_name": log.matched_model_name,
        "pricing_id": log.pricing_id,
    }


unit_prices = st.decimals(min_value=0, max_value=Decimal("0.001"), places=12)


@st.composite
def call_tokens(draw: st.DrawFn) -> dict[str, int]:
    tokens_input = draw(st.integers(0, 1_000_000))
    cached = draw(st.integers(0, tokens_input))
    tokens_output = draw(st.integers(0, 100_000))
    return {
        "tokens_input": tokens_input,
        "tokens_output": tokens_output,
        "tokens_cached_input": cached,
        "tokens_cache_write": draw(st.integers(0, tokens_input - cached)),
        "tokens_reasoning": draw(st.integers(0, tokens_output)),
    }


# Whole days from now (mostly past, some future) and whole hours before now, so starts
# and occurrences often coincide and many changes land before logs recorded earlier.
set_prices = st.builds(
    SetPrice,
    model=st.sampled_from(PRICED_MODELS),
    days=st.none() | st.integers(-10, 3),
    input=unit_prices,
    output=unit_prices,
    cached=st.none() | unit_prices,
    reasoning=st.none() | unit_prices,
)
records = st.builds(
    Record,
    calls=st.lists(
        st.tuples(st.sampled_from(REQUESTED_MODELS), st.integers(0, 10 * 24), call_tokens()),
        min_size=1,
        max_size=3,
    ),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(operations=st.lists(set_prices | records, min_size=4, max_size=12))
async def test_price_changes_never_rewrite_history_and_repricing_is_explicit(
    orm: Database, operations: list[SetPrice | Record]
) -> None:
    await empty_tables(orm)
    now = datetime.now(UTC).replace(microsecond=0)
    cache = PricingCache()
    reference = Reference()
    recorded: dict[str, dict[str, Any]] = {}  # request id -> pricing columns when recorded
    calls: dict[str, tuple[str, datetime, dict[str, int]]] = {}
    for operation in operations:
        if isinstance(operation, SetPrice):
            starts = now if operation.days is None else now + timedelta(days=operation.days)
            row = await upsert_pricing(
                provider=Provider.OPENAI,
                model_name=operation.model,
                prices=PriceChange(
                    input_token_cost=operation.input,
                    output_token_cost=operation.output,
                    cached_input_token_cost=operation.cached,
                    reasoning_token_cost=operation.reasoning,
                ),
                effective_from=None if operation.days is None else starts,
                now=now,
                actor=SYSTEM,
            )
            reference.versions.setdefault(operation.model, {})[starts] = (operation, row.id)
            continue
        batch = {}
        for model, hours_ago, tokens in operation.calls:
            request_id = f"r{len(calls)}"
            calls[request_id] = (model, now - timedelta(hours=hours_ago), tokens)
            batch[request_id] = UsageInput(
                provider=Provider.OPENAI,
                model=model,
                request_id=request_id,
                occurred_at=calls[request_id][1],
                tokens_input=tokens["tokens_input"],
                tokens_output=tokens["tokens_output"],
                tokens_cached_input=tokens["tokens_cached_input"],
                tokens_cache_write=tokens["tokens_cache_write"],
                tokens_reasoning=tokens["tokens_reasoning"],
            )
        await record_usage_batch(
            usages=list(batch.values()),
            now=now,
            environment_prices=ENVIRONMENT,
            cache=cache,
            caller=SYSTEM,
        )
        for request_id in batch:
            log = await UsageLog.get(request_id=request_id)
            recorded[request_id] = pricing_of(log)
            model, occurred_at, tokens = calls[request_id]
            assert recorded[request_id] == reference.expected(model, occurred_at, tokens)

    async def stored() -> dict[str, dict[str, Any]]:
        return {log.request_id: pricing_of(log) for log in await UsageLog.all()}

    assert await stored() == recorded  # no price change rewrote a log

    repriced = {
        request_id: reference.expected(model, occurred_at, tokens)
        for request_id, (model, occurred_at, tokens) in calls.items()
    }
    differing = sum(repriced[request_id] != recorded[request_id] for request_id in calls)
    event("re-pricing changes logs" if differing else "re-pricing changes no log")

    async def reprice(*, dry_run: bool) -> Any:
        return await reprice_usage(
            usage_filter=UsageFilter(),
            dry_run=dry_run,
            environment_prices=ENVIRONMENT,
            cache=cache,
            actor=SYSTEM,
        )

    dry_run = await reprice(dry_run=True)
    assert (dry_run.logs, dry_run.changed) == (len(calls), differing)
    assert from_pico(dry_run.cost_total_before_pico) == sum(
        (columns["cost_total_pico"] for columns in recorded.values()), Decimal(0)
    )
    assert from_pico(dry_run.cost_total_after_pico) == sum(
        (columns["cost_total_pico"] for columns in repriced.values()), Decimal(0)
    )
    assert await stored() == recorded

    applied = await reprice(dry_run=False)
    assert (applied.logs, applied.changed) == (len(calls), differing)
    assert await stored() == repriced
    assert await verify_rollups(UsageLog._meta.db) == []

    again = await reprice(dry_run=False)
    assert (again.logs, again.changed) == (len(calls), 0)
    assert await stored() == repriced
