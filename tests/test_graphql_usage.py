"""Recording usage over GraphQL: exactly once, validated, history kept; pages and totals."""

import base64
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import Api

RECORD = """
mutation ($input: RecordUsageInput!) {
  recordUsage(input: $input) {
    id requestId userId provider model tokensInput tokensOutput
    inputTokenCost outputTokenCost costInput costOutput costTotal
    pricingSource matchedModelName occurredAt recordedAt
  }
}"""
LOGS = """
query ($filter: UsageFilter, $first: Int, $after: String) {
  usageLogs(filter: $filter, first: $first, after: $after) {
    edges { cursor node { requestId costTotal occurredAt } }
    pageInfo { hasNextPage endCursor }
  }
}"""
SUMMARY = """
query ($filter: UsageFilter) {
  costSummary(filter: $filter) {
    requests tokensInput tokensOutput costInput costOutput costTotal estimatedCostTotal
  }
}"""
UPSERT = """
mutation ($input: PricingInput!) { upsertPricing(input: $input) { id } }"""
DELETE = """
mutation ($p: Provider!, $m: String!) { deletePricing(provider: $p, modelName: $m) }"""

START = datetime(2026, 1, 1, tzinfo=UTC)


def call(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "requestId": "req-1",
        "userId": "alice",
        "provider": "HUGGINGFACE",
        "model": "openai/gpt-oss-120b:groq",
        "tokensInput": 1000,
        "tokensOutput": 500,
    }
    payload.update(overrides)
    return payload


async def record(api: Api, **overrides: Any) -> dict[str, Any]:
    log: dict[str, Any] = (await api.data(RECORD, {"input": call(**overrides)}))["recordUsage"]
    return log


async def summary(api: Api, **usage_filter: Any) -> dict[str, Any]:
    totals: dict[str, Any] = (await api.data(SUMMARY, {"filter": usage_filter or None}))[
        "costSummary"
    ]
    return totals


async def set_price(api: Api, provider: str, model: str, input_cost: str, output_cost: str) -> None:
    pricing = {
        "provider": provider,
        "modelName": model,
        "inputTokenCost": input_cost,
        "outputTokenCost": output_cost,
        # The tests record usage dated in 2026, so the prices start before that.
        "effectiveFrom": "2020-01-01T00:00:00Z",
    }
    await api.data(UPSERT, {"input": pricing})


async def test_recording_prices_the_call_and_keeps_the_provider_named(api: Api) -> None:
    log = await record(api, occurredAt="2026-01-01T10:00:00+02:00")
    assert log["provider"] == "huggingface"  # sent as HUGGINGFACE
    assert log["model"] == "openai/gpt-oss-120b:groq"
    assert (log["inputTokenCost"], log["outputTokenCost"]) == ("0.000001", "0.000003")
    assert (log["costInput"], log["costOutput"], log["costTotal"]) == ("0.001", "0.0015", "0.0025")
    assert (log["pricingSource"], log["matchedModelName"]) == ("SHORT_NAME", "gpt-oss-120b")
    assert log["occurredAt"] == "2026-01-01T08:00:00+00:00"
    assert datetime.fromisoformat(log["recordedAt"]).utcoffset() == timedelta(0)


async def test_each_log_names_the_price_version_that_priced_it(api: Api) -> None:
    versions = await api.data(
        """query { pricingVersions(provider: MISTRAL, modelName: "gpt-oss-120b") { id } }"""
    )
    (row,) = versions["pricingVersions"]
    priced = await api.data(
        "mutation ($input: RecordUsageInput!) { recordUsage(input: $input) { pricingId } }",
        {"input": call()},
    )
    estimated = await api.data(
        "mutation ($input: RecordUsageInput!) { recordUsage(input: $input) { pricingId } }",
        {"input": call(requestId="req-2", provider="XAI", model="grok-unpriced")},
    )
    listed = await api.data("query { usageLogs { edges { node { requestId pricingId } } } }")

    assert priced["recordUsage"]["pricingId"] == row["id"]
    assert estimated["recordUsage"]["pricingId"] is None
    assert {
        edge["node"]["requestId"]: edge["node"]["pricingId"]
        for edge in listed["usageLogs"]["edges"]
    } == {"req-1": row["id"], "req-2": None}


async def test_a_missing_request_id_gets_a_generated_one(api: Api) -> None:
    first = await record(api, requestId=None)
    second = await record(api, requestId=None)
    assert len(first["requestId"]) == 36
    assert first["requestId"] != second["requestId"]
    assert (await summary(api))["requests"] == "2"


async def test_a_replay_returns_the_original_and_writes_nothing(api: Api) -> None:
    original = await record(api, occurredAt="2026-01-01T08:00:00Z")
    await set_price(api, "MISTRAL", "gpt-oss-120b", "0.000009", "0.000009")
    replay = await record(api, occurredAt="2026-01-01T09:00:00+01:00")
    without_time = await record(api)
    assert replay == original
    assert without_time == original
    assert (await summary(api))["requests"] == "1"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"tokensInput": 1001}, "tokensInput"),
        ({"tokensOutput": 1}, "tokensOutput"),
        ({"userId": "bob"}, "userId"),
        ({"userId": None}, "userId"),
        ({"model": "gpt-oss-120b"}, "model"),
        ({"provider": "MISTRAL"}, "provider"),
        ({"occurredAt": "2026-01-01T08:00:01Z"}, "occurredAt"),
    ],
)
async def test_the_same_request_id_with_another_payload_is_a_conflict(
    api: Api, change: dict[str, Any], named: str
) -> None:
    original = await record(api, occurredAt="2026-01-01T08:00:00Z")
    error = await api.error(
        RECORD, {"input": call(**{"occurredAt": "2026-01-01T08:00:00Z", **change})}
    )
    assert error["extensions"] == {"code": "CONFLICT", "field": "requestId"}
    assert named in error["message"]
    logs = (await api.data(LOGS))["usageLogs"]["edges"]
    assert [edge["node"]["costTotal"] for edge in logs] == [original["costTotal"]]


def _in_ten_minutes() -> str:
    return (datetime.now(UTC) + timedelta(minutes=10)).isoformat()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"tokensInput": -1}, "tokensInput", "must not be negative"),
        ({"tokensOutput": -5}, "tokensOutput", "must not be negative"),
        ({"model": ""}, "model", "must not be empty"),
        ({"model": "m" * 256}, "model", "at most 255"),
        ({"userId": " "}, "userId", "must not be empty"),
        ({"userId": "u" * 256}, "userId", "at most 255"),
        ({"requestId": ""}, "requestId", "must not be empty"),
        ({"requestId": "r" * 256}, "requestId", "at most 255"),
        ({"occurredAt": "2026-01-01T08:00:00"}, "occurredAt", "UTC offset"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(
    api: Api, change: dict[str, Any], field: str, message: str
) -> None:
    error = await api.error(RECORD, {"input": call(**change)})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    assert message in error["message"]
    assert (await summary(api))["requests"] == "0"


async def test_usage_from_the_future_is_refused(api: Api) -> None:
    error = await api.error(RECORD, {"input": call(occurredAt=_in_ten_minutes())})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "occurredAt"}
    soon = (datetime.now(UTC) + timedelta(minutes=4)).isoformat()
    assert (await record(api, occurredAt=soon))["requestId"] == "req-1"


async def test_token_counts_beyond_graphql_int_are_refused(api: Api) -> None:
    error = await api.error(RECORD, {"input": call(tokensInput=2**31)})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "tokensInput" in error["message"]


async def test_changing_a_price_does_not_rewrite_history(api: Api) -> None:
    before = await record(api, requestId="before")
    await set_price(api, "MISTRAL", "gpt-oss-120b", "0.00001", "0.00003")
    after = await record(api, requestId="after")
    assert after["costTotal"] == "0.025"
    logs = (await api.data(LOGS))["usageLogs"]["edges"]
    costs = {edge["node"]["requestId"]: edge["node"]["costTotal"] for edge in logs}
    assert costs == {"before": before["costTotal"], "after": "0.025"}


async def test_deleting_a_pricing_row_leaves_its_logs_untouched(api: Api) -> None:
    await set_price(api, "OPENAI", "gpt-4o", "0.0000025", "0.00001")
    log = await record(api, provider="OPENAI", model="gpt-4o")
    assert (log["pricingSource"], log["costTotal"]) == ("EXACT", "0.0075")
    await api.data(DELETE, {"p": "OPENAI", "m": "gpt-4o"})
    (edge,) = (await api.data(LOGS))["usageLogs"]["edges"]
    assert edge["node"]["costTotal"] == "0.0075"
    assert (await summary(api))["costTotal"] == "0.0075"


async def test_pages_walk_every_log_once_newest_first(api: Api) -> None:
    times = [START + timedelta(minutes=minute) for minute in (5, 1, 3, 3, 3, 2, 4, 0)]
    for index, occurred_at in enumerate(times):
        await record(api, requestId=f"r{index}", occurredAt=occurred_at.isoformat())
    seen: list[str] = []
    after = None
    while True:
        page = (await api.data(LOGS, {"first": 3, "after": after}))["usageLogs"]
        seen += [edge["node"]["occurredAt"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
    assert len(seen) == len(times)
    assert seen == sorted(seen, reverse=True)


async def test_an_empty_page_has_no_end_cursor(api: Api) -> None:
    page = (await api.data(LOGS))["usageLogs"]
    assert page == {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}


@pytest.mark.parametrize("first", [0, -1, 501])
async def test_first_must_be_between_1_and_500(api: Api, first: int) -> None:
    error = await api.error(LOGS, {"first": first})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}


@pytest.mark.parametrize(
    "cursor", ["nonsense", "dXNhZ2U6bm90LWEtZGF0ZXwx", "dXNhZ2U6MjAyNi0wMS0wMVQwMDowMDowMHwx", ""]
)
async def test_a_malformed_cursor_is_bad_input(api: Api, cursor: str) -> None:
    error = await api.error(LOGS, {"after": cursor})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


async def test_filters_narrow_logs_and_totals(api: Api) -> None:
    await set_price(api, "OPENAI", "gpt-4o", "0.0000025", "0.00001")
    await record(api, requestId="a", userId="alice", occurredAt="2026-01-01T00:00:00Z")
    await record(
        api,
        requestId="b",
        userId="bob",
        provider="OPENAI",
        model="gpt-4o",
        occurredAt="2026-01-02T00:00:00Z",
    )
    await record(
        api,
        requestId="c",
        userId="bob",
        provider="OPENAI",
        model="gpt-x",
        occurredAt="2026-01-03T00:00:00Z",
    )
    assert (await summary(api, userId="bob"))["requests"] == "2"
    assert (await summary(api, provider="OPENAI", model="gpt-4o"))["costTotal"] == "0.0075"
    assert (await summary(api, pricingSource="BUILTIN_ESTIMATE"))["requests"] == "1"
    window = await summary(api, **{"from": "2026-01-02T00:00:00Z", "to": "2026-01-03T00:00:00Z"})
    assert window["requests"] == "1"  # from is inclusive, to exclusive
    logs = (await api.data(LOGS, {"filter": {"userId": "bob"}}))["usageLogs"]["edges"]
    assert [edge["node"]["requestId"] for edge in logs] == ["c", "b"]


async def test_estimated_cost_total_is_the_unpriced_part(api: Api) -> None:
    await record(api, requestId="priced")
    await record(
        api, requestId="unpriced", provider="OPENAI", model="gpt-x", tokensInput=3, tokensOutput=1
    )
    totals = await summary(api)
    assert totals["costTotal"] == "0.002504"
    assert totals["estimatedCostTotal"] == "0.000004"


@pytest.mark.parametrize(
    ("usage_filter", "field"),
    [
        ({"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "to"),
        ({"from": "2026-01-02T00:00:00"}, "from"),
    ],
)
async def test_bad_time_ranges_are_refused(
    api: Api, usage_filter: dict[str, str], field: str
) -> None:
    error = await api.error(SUMMARY, {"filter": usage_filter})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


async def test_totals_over_thousands_of_logs_equal_the_decimal_reference(api: Api) -> None:
    generator = random.Random(20261127)
    prices = {
        "gpt-4o": (Decimal("0.0000025"), Decimal("0.00001")),
        "gpt-4o-mini": (Decimal("0.00000015"), Decimal("0.0000006")),
        "o1": (Decimal("0.000015"), Decimal("0.00006")),
        "odd": (Decimal("0.000000000001"), Decimal("0.123456789012")),
    }
    for model, (input_cost, output_cost) in prices.items():
        await set_price(api, "OPENAI", model, str(input_cost), str(output_cost))
    prices["gpt-x"] = (Decimal("0.000001"), Decimal("0.000001"))  # the built-in estimate
    reference: dict[str, int | Decimal] = {
        "in": 0,
        "out": 0,
        "cost_in": Decimal(0),
        "cost_out": Decimal(0),
        "est": Decimal(0),
    }
    count = 2000
    for index in range(count):
        model = generator.choice(list(prices))
        tokens_in = generator.randint(0, 2_000_000)
        tokens_out = generator.randint(0, 200_000)
        await record(
            api,
            requestId=f"bulk-{index}",
            provider="OPENAI",
            model=model,
            tokensInput=tokens_in,
            tokensOutput=tokens_out,
        )
        input_cost, output_cost = prices[model]
        reference["in"] += tokens_in
        reference["out"] += tokens_out
        reference["cost_in"] += tokens_in * input_cost
        reference["cost_out"] += tokens_out * output_cost
        if model == "gpt-x":
            reference["est"] += tokens_in * input_cost + tokens_out * output_cost
    totals = await summary(api)
    assert totals["requests"] == str(count)
    assert int(totals["tokensInput"]) == reference["in"]
    assert int(totals["tokensOutput"]) == reference["out"]
    assert Decimal(totals["costInput"]) == reference["cost_in"]
    assert Decimal(totals["costOutput"]) == reference["cost_out"]
    assert Decimal(totals["costTotal"]) == reference["cost_in"] + reference["cost_out"]
    assert Decimal(totals["estimatedCostTotal"]) == reference["est"]


@pytest.mark.parametrize(
    ("usage_filter", "field"),
    [
        ({"userId": "u" * 256}, "userId"),
        ({"userId": "nul\u0000byte"}, "userId"),
        ({"model": "m" * 256}, "model"),
        ({"from": "9999-12-31T23:59:59.999999-14:00"}, "from"),
    ],
)
async def test_filters_that_no_log_could_match_are_refused_naming_the_field(
    api: Api, usage_filter: dict[str, str], field: str
) -> None:
    for query in (SUMMARY, LOGS):
        error = await api.error(query, {"filter": usage_filter})
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


async def test_names_with_nul_and_times_past_the_calendar_are_refused(api: Api) -> None:
    error = await api.error(RECORD, {"input": call(model="gpt\u00004o")})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "model"}
    error = await api.error(RECORD, {"input": call(occurredAt="0001-01-01T00:00:00+14:00")})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "occurredAt"}


async def test_a_cursor_naming_an_id_past_64_bits_is_bad_input(api: Api) -> None:
    raw = "usage:2024-01-01T00:00:00+00:00|9223372036854775808"
    cursor = base64.urlsafe_b64encode(raw.encode()).decode()
    error = await api.error(LOGS, {"after": cursor})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
