"""Cached, cache-write and reasoning tokens: hand-computed costs over GraphQL, on both databases.

`tokensInput` counts every prompt token (cached and cache-write ones included) and
`tokensOutput` every completion token (reasoning included). A part priced by a version
that sets no price of its own costs the input (or output) price; so does every part
priced by the ENVIRONMENT and BUILTIN_ESTIMATE steps. Requests that do not mention the
new fields cost exactly what they cost before. The last test checks compute_cost against
a plain Python Decimal reference for random token parts and prices (no database).
"""

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billgraph.services.costs import compute_cost, from_pico, to_pico
from billgraph.services.token_counts import TokenCounts
from billgraph.services.unit_prices import UnitPrices
from tests.conftest import Api

BREAKDOWN_FIELDS = """
    tokensInput tokensOutput tokensCachedInput tokensCacheWrite tokensReasoning
    costInput costOutput costCachedInput costCacheWrite costReasoning costTotal
    pricing {
      source isEstimate matchedModelName inputTokenCost outputTokenCost
      cachedInputTokenCost cacheWriteTokenCost reasoningTokenCost
    }
"""
ESTIMATE = (
    """
query ($provider: Provider!, $model: String!, $in: Int!, $out: Int!,
       $cached: Int! = 0, $write: Int! = 0, $reasoning: Int! = 0) {
  estimateCost(provider: $provider, model: $model, tokensInput: $in, tokensOutput: $out,
               tokensCachedInput: $cached, tokensCacheWrite: $write,
               tokensReasoning: $reasoning) {"""
    + BREAKDOWN_FIELDS
    + "}}"
)
# The query an old client sends: it knows nothing of the token parts.
OLD_ESTIMATE = """
query ($provider: Provider!, $model: String!, $in: Int!, $out: Int!) {
  estimateCost(provider: $provider, model: $model, tokensInput: $in, tokensOutput: $out) {
    costInput costOutput costTotal
  }
}"""
LOG_FIELDS = """
    id requestId provider model
    tokensInput tokensOutput tokensCachedInput tokensCacheWrite tokensReasoning
    inputTokenCost outputTokenCost cachedInputTokenCost cacheWriteTokenCost reasoningTokenCost
    costInput costOutput costCachedInput costCacheWrite costReasoning costTotal
    pricingSource matchedModelName
"""
RECORD = "mutation ($input: RecordUsageInput!) { recordUsage(input: $input) {" + LOG_FIELDS + "}}"
RECORD_BATCH = (
    "mutation ($inputs: [RecordUsageInput!]!) {"
    " recordUsageBatch(inputs: $inputs) { created logs {" + LOG_FIELDS + "}}}"
)
OLD_RECORD = """
mutation ($input: RecordUsageInput!) {
  recordUsage(input: $input) { costInput costOutput costTotal }
}"""
LOGS = "{ usageLogs(first: 500) { edges { node {" + LOG_FIELDS + "}}}}"
UPSERT = """
mutation ($input: PricingInput!) {
  upsertPricing(input: $input) {
    modelName cachedInputTokenCost cacheWriteTokenCost reasoningTokenCost
  }
}"""
DELETE = """
mutation ($provider: Provider!, $modelName: String!) {
  deletePricing(provider: $provider, modelName: $modelName)
}"""


async def set_price(
    api: Api,
    model: str,
    input_cost: str,
    output_cost: str,
    *,
    provider: str = "OPENAI",
    cached: str | None = None,
    write: str | None = None,
    reasoning: str | None = None,
) -> dict[str, Any]:
    """Upsert a price through the API; unset optional prices are left out of the request."""
    prices: dict[str, Any] = {
        "provider": provider,
        "modelName": model,
        "inputTokenCost": input_cost,
        "outputTokenCost": output_cost,
    }
    optional = {
        "cachedInputTokenCost": cached,
        "cacheWriteTokenCost": write,
        "reasoningTokenCost": reasoning,
    }
    prices.update({name: value for name, value in optional.items() if value is not None})
    row: dict[str, Any] = (await api.data(UPSERT, {"input": prices}))["upsertPricing"]
    return row


async def estimate(
    api: Api,
    model: str,
    tokens_in: int,
    tokens_out: int,
    *,
    provider: str = "OPENAI",
    cached: int = 0,
    write: int = 0,
    reasoning: int = 0,
) -> dict[str, Any]:
    variables = {
        "provider": provider,
        "model": model,
        "in": tokens_in,
        "out": tokens_out,
        "cached": cached,
        "write": write,
        "reasoning": reasoning,
    }
    breakdown: dict[str, Any] = (await api.data(ESTIMATE, variables))["estimateCost"]
    return breakdown


async def stored_logs(api: Api) -> list[dict[str, Any]]:
    edges = (await api.data(LOGS))["usageLogs"]["edges"]
    return [edge["node"] for edge in edges]


async def test_cached_prompt_costs_a_tenth_for_its_cached_part(api: Api) -> None:
    # 10,000 prompt tokens of which 8,000 are cached at a tenth of the input price:
    # 2,000 x 0.000003 + 8,000 x 0.0000003 = 0.006 + 0.0024 = 0.0084.
    await set_price(api, "gpt-cache", "0.000003", "0.000015", cached="0.0000003")
    breakdown = await estimate(api, "gpt-cache", 10_000, 0, cached=8_000)
    assert breakdown == {
        "tokensInput": 10_000,
        "tokensOutput": 0,
        "tokensCachedInput": 8_000,
        "tokensCacheWrite": 0,
        "tokensReasoning": 0,
        "costInput": "0.0084",
        "costOutput": "0",
        "costCachedInput": "0.0024",
        "costCacheWrite": "0",
        "costReasoning": "0",
        "costTotal": "0.0084",
        "pricing": {
            "source": "EXACT",
            "isEstimate": False,
            "matchedModelName": "gpt-cache",
            "inputTokenCost": "0.000003",
            "outputTokenCost": "0.000015",
            "cachedInputTokenCost": "0.0000003",
            "cacheWriteTokenCost": "0.000003",  # unset: the input price
            "reasoningTokenCost": "0.000015",  # unset: the output price
        },
    }


async def test_cache_write_tokens_cost_their_own_price(api: Api) -> None:
    await set_price(
        api, "claude-cache", "0.000003", "0.000015", cached="0.0000003", write="0.00000375"
    )
    breakdown = await estimate(api, "claude-cache", 10_000, 500, cached=6_000, write=3_000)
    # uncached 1,000 x 0.000003 = 0.003; cached 6,000 x 0.0000003 = 0.0018;
    # written 3,000 x 0.00000375 = 0.01125; output 500 x 0.000015 = 0.0075.
    assert breakdown["costCachedInput"] == "0.0018"
    assert breakdown["costCacheWrite"] == "0.01125"
    assert breakdown["costInput"] == "0.01605"
    assert breakdown["costOutput"] == "0.0075"
    assert breakdown["costReasoning"] == "0"
    assert breakdown["costTotal"] == "0.02355"
    assert breakdown["pricing"]["cacheWriteTokenCost"] == "0.00000375"


@pytest.mark.parametrize(
    ("reasoning_price", "cost_reasoning", "cost_output", "cost_total", "applied_price"),
    [
        # 1,000 plain output tokens at 0.000004 = 0.004, plus 2,000 reasoning tokens
        ("0.000002", "0.004", "0.008", "0.009", "0.000002"),  # at their own price
        (None, "0.008", "0.012", "0.013", "0.000004"),  # at the output price
    ],
    ids=["own-price", "unset-output-price"],
)
async def test_reasoning_tokens_cost_their_price_or_the_output_price(
    api: Api,
    reasoning_price: str | None,
    cost_reasoning: str,
    cost_output: str,
    cost_total: str,
    applied_price: str,
) -> None:
    await set_price(api, "o-think", "0.000001", "0.000004", reasoning=reasoning_price)
    breakdown = await estimate(api, "o-think", 1_000, 3_000, reasoning=2_000)
    assert breakdown["tokensReasoning"] == 2_000
    assert breakdown["costInput"] == "0.001"
    assert breakdown["costReasoning"] == cost_reasoning
    assert breakdown["costOutput"] == cost_output
    assert breakdown["costTotal"] == cost_total
    assert breakdown["pricing"]["reasoningTokenCost"] == applied_price


async def test_parts_of_a_version_without_their_prices_cost_input_and_output(api: Api) -> None:
    await set_price(api, "plain-model", "0.000002", "0.000006")
    breakdown = await estimate(
        api, "plain-model", 5_000, 700, cached=2_000, write=1_000, reasoning=300
    )
    # Every prompt token at 0.000002, every completion token at 0.000006.
    assert breakdown["costCachedInput"] == "0.004"
    assert breakdown["costCacheWrite"] == "0.002"
    assert breakdown["costInput"] == "0.01"
    assert breakdown["costReasoning"] == "0.0018"
    assert breakdown["costOutput"] == "0.0042"
    assert breakdown["costTotal"] == "0.0142"
    assert {
        name: breakdown["pricing"][name]
        for name in ("cachedInputTokenCost", "cacheWriteTokenCost", "reasoningTokenCost")
    } == {
        "cachedInputTokenCost": "0.000002",
        "cacheWriteTokenCost": "0.000002",
        "reasoningTokenCost": "0.000006",
    }


@pytest.mark.parametrize(
    ("provider", "model", "source", "expected"),
    [
        # HUGGINGFACE_INPUT/OUTPUT_TOKEN_COST defaults: 0.000001 / 0.000003.
        (
            "HUGGINGFACE",
            "acme/unlisted-model",
            "ENVIRONMENT",
            {
                "costCachedInput": "0.001",
                "costCacheWrite": "0.0005",
                "costInput": "0.004",
                "costReasoning": "0.0045",
                "costOutput": "0.006",
                "costTotal": "0.01",
            },
        ),
        # $1 per million tokens on both sides.
        (
            "OPENAI",
            "never-priced-model",
            "BUILTIN_ESTIMATE",
            {
                "costCachedInput": "0.001",
                "costCacheWrite": "0.0005",
                "costInput": "0.004",
                "costReasoning": "0.0015",
                "costOutput": "0.002",
                "costTotal": "0.006",
            },
        ),
    ],
    ids=["environment", "builtin-estimate"],
)
async def test_fallback_steps_price_parts_at_input_and_output(
    api: Api, provider: str, model: str, source: str, expected: dict[str, str]
) -> None:
    # Without the MISTRAL `default` row, MISTRAL-priced models fall through to ENVIRONMENT.
    await api.data(DELETE, {"provider": "MISTRAL", "modelName": "default"})
    breakdown = await estimate(
        api, model, 4_000, 2_000, provider=provider, cached=1_000, write=500, reasoning=1_500
    )
    assert breakdown["pricing"]["source"] == source
    assert breakdown["pricing"]["isEstimate"] is (source == "BUILTIN_ESTIMATE")
    assert {name: breakdown[name] for name in expected} == expected
    pricing = breakdown["pricing"]
    assert pricing["cachedInputTokenCost"] == pricing["inputTokenCost"]
    assert pricing["cacheWriteTokenCost"] == pricing["inputTokenCost"]
    assert pricing["reasoningTokenCost"] == pricing["outputTokenCost"]


async def test_record_usage_stores_each_parts_tokens_prices_and_costs(api: Api) -> None:
    await set_price(
        api,
        "gpt-cache",
        "0.000003",
        "0.000015",
        cached="0.0000003",
        write="0.00000375",
        reasoning="0.00001",
    )
    usage = {
        "provider": "OPENAI",
        "model": "gpt-cache",
        "requestId": "req-parts",
        "tokensInput": 10_000,
        "tokensCachedInput": 8_000,
        "tokensCacheWrite": 1_000,
        "tokensOutput": 2_000,
        "tokensReasoning": 1_500,
    }
    log = (await api.data(RECORD, {"input": usage}))["recordUsage"]
    # uncached 1,000 x 0.000003 = 0.003; cached 8,000 x 0.0000003 = 0.0024;
    # written 1,000 x 0.00000375 = 0.00375; plain output 500 x 0.000015 = 0.0075;
    # reasoning 1,500 x 0.00001 = 0.015.
    expected = {
        "requestId": "req-parts",
        "provider": "openai",
        "model": "gpt-cache",
        "tokensInput": 10_000,
        "tokensOutput": 2_000,
        "tokensCachedInput": 8_000,
        "tokensCacheWrite": 1_000,
        "tokensReasoning": 1_500,
        "inputTokenCost": "0.000003",
        "outputTokenCost": "0.000015",
        "cachedInputTokenCost": "0.0000003",
        "cacheWriteTokenCost": "0.00000375",
        "reasoningTokenCost": "0.00001",
        "costInput": "0.00915",
        "costOutput": "0.0225",
        "costCachedInput": "0.0024",
        "costCacheWrite": "0.00375",
        "costReasoning": "0.015",
        "costTotal": "0.03165",
        "pricingSource": "EXACT",
        "matchedModelName": "gpt-cache",
    }
    assert {name: log[name] for name in expected} == expected
    # What the database holds, read back, not just what the mutation answered.
    assert await stored_logs(api) == [log]


async def test_record_usage_prices_unset_parts_at_input_and_output(api: Api) -> None:
    await set_price(api, "plain-model", "0.000002", "0.000006")
    usage = {
        "provider": "OPENAI",
        "model": "plain-model",
        "tokensInput": 5_000,
        "tokensCachedInput": 2_000,
        "tokensCacheWrite": 1_000,
        "tokensOutput": 700,
        "tokensReasoning": 300,
    }
    await api.data(RECORD, {"input": usage})
    [log] = await stored_logs(api)
    assert log["cachedInputTokenCost"] == "0.000002"
    assert log["cacheWriteTokenCost"] == "0.000002"
    assert log["reasoningTokenCost"] == "0.000006"
    assert (log["costCachedInput"], log["costCacheWrite"], log["costInput"]) == (
        "0.004",
        "0.002",
        "0.01",
    )
    assert (log["costReasoning"], log["costOutput"], log["costTotal"]) == (
        "0.0018",
        "0.0042",
        "0.0142",
    )


async def test_a_replay_with_other_cached_tokens_is_a_conflict(api: Api) -> None:
    await set_price(api, "gpt-cache", "0.000003", "0.000015", cached="0.0000003")
    usage = {
        "provider": "OPENAI",
        "model": "gpt-cache",
        "requestId": "req-once",
        "tokensInput": 10_000,
        "tokensCachedInput": 8_000,
        "tokensOutput": 0,
    }
    original = (await api.data(RECORD, {"input": usage}))["recordUsage"]
    replay = (await api.data(RECORD, {"input": usage}))["recordUsage"]
    assert replay == original

    error = await api.error(RECORD, {"input": {**usage, "tokensCachedInput": 7_000}})
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["field"] == "requestId"
    assert "tokensCachedInput" in error["message"]
    assert await stored_logs(api) == [original]
    assert original["costTotal"] == "0.0084"


BAD_PARTS = [
    pytest.param({"in": 100, "cached": 101}, "tokensCachedInput", id="cached>input"),
    pytest.param({"in": 100, "cached": 60, "write": 41}, "tokensCacheWrite", id="cached+write>in"),
    pytest.param({"in": 100, "write": 101}, "tokensCacheWrite", id="write>input"),
    pytest.param({"out": 10, "reasoning": 11}, "tokensReasoning", id="reasoning>output"),
    pytest.param({"in": -1}, "tokensInput", id="negative-input"),
    pytest.param({"out": -1}, "tokensOutput", id="negative-output"),
    pytest.param({"in": 100, "cached": -1}, "tokensCachedInput", id="negative-cached"),
    pytest.param({"in": 100, "write": -1}, "tokensCacheWrite", id="negative-write"),
    pytest.param({"out": 100, "reasoning": -1}, "tokensReasoning", id="negative-reasoning"),
]


def _tokens(parts: dict[str, int]) -> dict[str, int]:
    return {"in": 0, "out": 0, "cached": 0, "write": 0, "reasoning": 0, **parts}


def _usage(parts: dict[str, int], request_id: str) -> dict[str, Any]:
    tokens = _tokens(parts)
    return {
        "provider": "OPENAI",
        "model": "gpt-4o",
        "requestId": request_id,
        "tokensInput": tokens["in"],
        "tokensOutput": tokens["out"],
        "tokensCachedInput": tokens["cached"],
        "tokensCacheWrite": tokens["write"],
        "tokensReasoning": tokens["reasoning"],
    }


@pytest.mark.parametrize(("parts", "field"), BAD_PARTS)
async def test_estimate_rejects_bad_parts_naming_the_field(
    api: Api, parts: dict[str, int], field: str
) -> None:
    variables = {"provider": "OPENAI", "model": "gpt-4o", **_tokens(parts)}
    error = await api.error(ESTIMATE, variables)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    assert field in error["message"]


@pytest.mark.parametrize(("parts", "field"), BAD_PARTS)
async def test_record_usage_rejects_bad_parts_and_writes_nothing(
    api: Api, parts: dict[str, int], field: str
) -> None:
    error = await api.error(RECORD, {"input": _usage(parts, "req-bad")})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    assert field in error["message"]
    assert await stored_logs(api) == []


async def test_a_batch_with_one_bad_part_writes_nothing(api: Api) -> None:
    good = _usage({"in": 100, "cached": 50, "out": 10}, "req-good")
    bad = _usage({"in": 100, "cached": 60, "write": 41}, "req-bad")
    error = await api.error(RECORD_BATCH, {"inputs": [good, bad]})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "inputs[1].tokensCacheWrite"
    assert await stored_logs(api) == []


@pytest.mark.parametrize(
    ("cached", "write", "reasoning"),
    [(None, None, None), ("0.0000001", "0.000009", "0.00002")],
    ids=["no-part-prices", "all-part-prices"],
)
async def test_old_style_requests_cost_tokens_times_price(
    api: Api, cached: str | None, write: str | None, reasoning: str | None
) -> None:
    input_price, output_price = Decimal("0.0000025"), Decimal("0.00001")
    await set_price(
        api,
        "gpt-old",
        str(input_price),
        str(output_price),
        cached=cached,
        write=write,
        reasoning=reasoning,
    )
    tokens_in, tokens_out = 123_457, 9_876
    plain = {
        "costInput": str(tokens_in * input_price),
        "costOutput": str(tokens_out * output_price),
        "costTotal": str(tokens_in * input_price + tokens_out * output_price),
    }
    assert plain == {"costInput": "0.3086425", "costOutput": "0.09876", "costTotal": "0.4074025"}

    variables = {"provider": "OPENAI", "model": "gpt-old", "in": tokens_in, "out": tokens_out}
    assert (await api.data(OLD_ESTIMATE, variables))["estimateCost"] == plain
    usage = {
        "provider": "OPENAI",
        "model": "gpt-old",
        "tokensInput": tokens_in,
        "tokensOutput": tokens_out,
    }
    assert (await api.data(OLD_RECORD, {"input": usage}))["recordUsage"] == plain
    [log] = await stored_logs(api)
    assert (log["tokensCachedInput"], log["tokensCacheWrite"], log["tokensReasoning"]) == (0, 0, 0)
    assert (log["costCachedInput"], log["costCacheWrite"], log["costReasoning"]) == ("0", "0", "0")
    assert log["costTotal"] == plain["costTotal"]


# Prices with up to 12 decimal places, small enough that no total overflows.
prices = st.decimals(min_value=0, max_value=Decimal("0.01"), places=12)
optional_prices = st.none() | prices


@st.composite
def token_parts(draw: st.DrawFn) -> TokenCounts:
    """Token counts whose parts fit in their totals."""
    tokens_input = draw(st.integers(0, 10_000_000))
    cached = draw(st.integers(0, tokens_input))
    write = draw(st.integers(0, tokens_input - cached))
    tokens_output = draw(st.integers(0, 10_000_000))
    reasoning = draw(st.integers(0, tokens_output))
    return TokenCounts(tokens_input, tokens_output, cached, write, reasoning)


@settings(max_examples=300, derandomize=True)
@given(
    tokens=token_parts(),
    input_price=prices,
    output_price=prices,
    cached_price=optional_prices,
    write_price=optional_prices,
    reasoning_price=optional_prices,
)
def test_compute_cost_equals_the_decimal_reference(
    tokens: TokenCounts,
    input_price: Decimal,
    output_price: Decimal,
    cached_price: Decimal | None,
    write_price: Decimal | None,
    reasoning_price: Decimal | None,
) -> None:
    def pico(price: Decimal | None) -> int | None:
        return None if price is None else to_pico(price)

    cost = compute_cost(
        tokens,
        UnitPrices(
            input=to_pico(input_price),
            output=to_pico(output_price),
            cached_input=pico(cached_price),
            cache_write=pico(write_price),
            reasoning=pico(reasoning_price),
        ),
    )

    cached, write, reasoning = tokens.cached_input, tokens.cache_write, tokens.reasoning
    cost_cached = cached * (input_price if cached_price is None else cached_price)
    cost_write = write * (input_price if write_price is None else write_price)
    cost_input = (tokens.input - cached - write) * input_price + cost_cached + cost_write
    cost_reasoning = reasoning * (output_price if reasoning_price is None else reasoning_price)
    cost_output = (tokens.output - reasoning) * output_price + cost_reasoning
    assert from_pico(cost.cached_input_pico) == cost_cached
    assert from_pico(cost.cache_write_pico) == cost_write
    assert from_pico(cost.reasoning_pico) == cost_reasoning
    assert from_pico(cost.input_pico) == cost_input
    assert from_pico(cost.output_pico) == cost_output
    assert from_pico(cost.total_pico) == cost_input + cost_output
