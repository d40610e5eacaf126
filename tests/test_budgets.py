"""Budgets over GraphQL: admin changes (audited), status, enforcement, alerts, bad input."""

import asyncio
from datetime import UTC, datetime
from typing import Any

from tortoise.context import TortoiseContext

from billgraph.db import tortoise_config
from billgraph.models import UsageLog
from billgraph.services.budgets.verify import verify_budget_spend
from tests.conftest import Api, create_key

CREATE = """
mutation ($input: CreateBudgetInput!) {
  createBudget(input: $input) {
    id name limit period mode timeZone anchorDay anchorHour thresholds userId apiKeyId
    status { spent reserved remaining percentUsed exceeded windowStart windowEnd }
  }
}"""
UPDATE = """
mutation ($id: ID!, $input: UpdateBudgetInput!) {
  updateBudget(id: $id, input: $input) { id limit thresholds model provider }
}"""
DELETE = "mutation ($id: ID!) { deleteBudget(id: $id) }"
STATUS = """
query ($id: ID!) {
  budgetStatus(id: $id) {
    limit spent estimatedSpent reserved remaining percentUsed exceeded windowStart windowEnd
  }
}"""
BUDGETS = "{ budgets { id name } }"
HISTORY = """
query ($id: ID!) { budgetHistory(id: $id) { action apiKeyName oldValues newValues } }"""
AUTHORIZE = """
mutation ($input: AuthorizeUsageInput!) {
  authorizeUsage(input: $input) {
    id status amount expiresAt budgets { budget { id name } remaining }
  }
}"""
RESERVATION = "query ($id: ID!) { reservation(id: $id) { id status amount } }"
RELEASE = "mutation ($id: ID!) { releaseReservation(id: $id) { id status } }"
RECORD = """
mutation ($input: RecordUsageInput!) { recordUsage(input: $input) { id costTotal } }"""
EVENTS = """
query ($budgetId: ID) {
  alertEvents(budgetId: $budgetId) { edges { node { eventId threshold payload } } }
}"""
UPSERT = "mutation ($input: PricingInput!) { upsertPricing(input: $input) { id } }"


async def price_gpt(api: Api) -> None:
    """gpt-4o at 1 USD per million tokens each way: 1000 tokens cost 0.001."""
    await api.data(
        UPSERT,
        {
            "input": {
                "provider": "OPENAI",
                "modelName": "gpt-4o",
                "inputTokenCost": "0.000001",
                "outputTokenCost": "0.000001",
                "effectiveFrom": "2020-01-01T00:00:00Z",
            }
        },
    )


async def create_budget(api: Api, **fields: Any) -> dict[str, Any]:
    budget: dict[str, Any] = {"name": "team", "limit": "0.01"}
    budget.update(fields)
    created: dict[str, Any] = (await api.data(CREATE, {"input": budget}))["createBudget"]
    return created


async def record(api: Api, tokens: int, **fields: Any) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "provider": "OPENAI",
        "model": "gpt-4o",
        "tokensInput": tokens,
        "tokensOutput": 0,
        "userId": "alice",
    }
    usage.update(fields)
    log: dict[str, Any] = (await api.data(RECORD, {"input": usage}))["recordUsage"]
    return log


async def authorize(api: Api, tokens: int, key: str | None = None, **fields: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "provider": "OPENAI",
        "model": "gpt-4o",
        "maxTokensInput": tokens,
        "maxTokensOutput": 0,
        "userId": "alice",
    }
    request.update(fields)
    if key is None:
        return await api.post(AUTHORIZE, {"input": request})
    return await api.post(AUTHORIZE, {"input": request}, key=key)


async def status(api: Api, budget_id: str) -> dict[str, Any]:
    result: dict[str, Any] = (await api.data(STATUS, {"id": budget_id}))["budgetStatus"]
    return result


async def test_a_monthly_user_budget_counts_spend_in_its_window(api: Api) -> None:
    await price_gpt(api)
    await record(api, 2000)  # spent before the budget existed: counted
    budget = await create_budget(api, userId="alice", timeZone="Asia/Tokyo", anchorDay=15)
    assert budget["period"] == "MONTH"
    assert budget["mode"] == "HARD"
    assert budget["thresholds"] == [80, 100]
    assert budget["status"]["spent"] == "0.002"
    await record(api, 3000)
    await record(api, 5000, userId="bob")  # someone else's usage
    await record(api, 1000, model="mystery-model")  # priced by the built-in estimate
    figures = await status(api, budget["id"])
    assert figures["spent"] == "0.006"
    assert figures["estimatedSpent"] == "0.001"
    assert figures["remaining"] == "0.004"
    assert figures["percentUsed"] == "60"
    assert figures["exceeded"] is False
    start = datetime.fromisoformat(figures["windowStart"]).astimezone(UTC)
    assert start.hour == 15  # the 15th at midnight in Tokyo is 15:00 UTC the day before
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(api.database.url))
        assert await verify_budget_spend(UsageLog._meta.db) == []


BAD_BUDGETS: list[tuple[dict[str, Any], str]] = [
    ({"limit": "-1"}, "limit"),
    ({"limit": "0.0000000000001"}, "limit"),
    ({"timeZone": "Mars/Olympus_Mons"}, "timeZone"),
    ({"thresholds": [0, 80]}, "thresholds"),
    ({"thresholds": [101]}, "thresholds"),
    ({"apiKeyId": "987654"}, "apiKeyId"),
    ({"period": "MONTH", "anchorDay": 32}, "anchorDay"),
    ({"period": "WEEK", "anchorDay": 8}, "anchorDay"),
    ({"period": "DAY", "anchorDay": 3}, "anchorDay"),
    ({"anchorHour": 24}, "anchorHour"),
    ({"name": "  "}, "name"),
    ({"userId": "alice", "apiKeyId": "1"}, "apiKeyId"),
]


async def test_bad_budgets_are_refused_naming_the_field(api: Api) -> None:
    for fields, field in BAD_BUDGETS:
        budget: dict[str, Any] = {"name": "bad", "limit": "5"}
        budget.update(fields)
        error = await api.error(CREATE, {"input": budget})
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (fields, error)
        assert error["extensions"]["field"] == field, (fields, error)
    assert (await api.data(BUDGETS))["budgets"] == []
    created = await create_budget(api)
    error = await api.error(UPDATE, {"id": created["id"], "input": {"limit": "-0.5"}})
    assert error["extensions"]["field"] == "limit"
    assert (await status(api, created["id"]))["limit"] == "0.01"


async def test_budget_changes_are_audited_and_need_admin(api: Api) -> None:
    budget = await create_budget(api)
    updated = (
        await api.data(
            UPDATE, {"id": budget["id"], "input": {"limit": "7.5", "thresholds": [50, 90]}}
        )
    )["updateBudget"]
    assert updated["limit"] == "7.5"
    assert updated["thresholds"] == [50, 90]
    narrowed = (await api.data(UPDATE, {"id": budget["id"], "input": {"model": "gpt-4o"}}))[
        "updateBudget"
    ]
    assert narrowed["model"] == "gpt-4o"
    widened = (await api.data(UPDATE, {"id": budget["id"], "input": {"model": None}}))[
        "updateBudget"
    ]
    assert widened["model"] is None
    assert (await api.data(DELETE, {"id": budget["id"]}))["deleteBudget"] is True
    history = (await api.data(HISTORY, {"id": budget["id"]}))["budgetHistory"]
    assert [change["action"] for change in history] == [
        "DELETE",
        "UPDATE",
        "UPDATE",
        "UPDATE",
        "CREATE",
    ]
    assert history[-1]["newValues"]["limit"] == "0.01"
    assert history[-2]["oldValues"]["limit"] == "0.01"
    assert history[-2]["newValues"]["limit"] == "7.5"
    reader = await create_key(api, ["READ"])
    error = await api.error(CREATE, {"input": {"name": "x", "limit": "1"}}, key=reader)
    assert error["extensions"]["code"] == "FORBIDDEN"
    missing = await api.error(DELETE, {"id": budget["id"]})
    assert missing["extensions"]["code"] == "NOT_FOUND"


async def test_a_user_bound_key_sees_only_its_own_budgets(api: Api) -> None:
    await create_budget(api, name="everyone")
    alices = await create_budget(api, name="alice", userId="alice")
    await create_budget(api, name="bob", userId="bob")
    alice_key = await create_key(api, ["READ"], user_id="alice")
    seen = (await api.data(BUDGETS, key=alice_key))["budgets"]
    assert [budget["name"] for budget in seen] == ["alice"]
    reader = await create_key(api, ["READ"])
    assert len((await api.data(BUDGETS, key=reader))["budgets"]) == 3
    error = await api.error(STATUS, {"id": str(int(alices["id"]) + 1)}, key=alice_key)
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_authorize_holds_the_maximum_and_refuses_past_a_hard_limit(api: Api) -> None:
    await price_gpt(api)
    budget = await create_budget(api, name="alice monthly", userId="alice", limit="0.01")
    ingest = await create_key(api, ["INGEST"])
    granted = await authorize(api, 6000, key=ingest)
    reservation = granted["data"]["authorizeUsage"]
    assert reservation["status"] == "HELD"
    assert reservation["amount"] == "0.006"
    assert reservation["budgets"][0]["remaining"] == "0.004"
    assert (await status(api, budget["id"]))["reserved"] == "0.006"

    refused = await authorize(api, 5000, key=ingest)
    error = refused["errors"][0]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["reason"] == "BUDGET_EXCEEDED"
    assert error["extensions"]["budgetId"] == budget["id"]
    assert error["extensions"]["limit"] == "0.01"
    assert error["extensions"]["remaining"] == "0.004"
    assert "alice monthly" in error["message"]

    # The call used less than its maximum: the hold is replaced by the real cost.
    await record(api, 2000, reservationId=reservation["id"])
    held = (await api.data(RESERVATION, {"id": reservation["id"]}, key=ingest))["reservation"]
    assert held["status"] == "RECORDED"
    figures = await status(api, budget["id"])
    assert figures["spent"] == "0.002"
    assert figures["reserved"] == "0"
    assert figures["remaining"] == "0.008"

    second = (await authorize(api, 8000, key=ingest))["data"]["authorizeUsage"]
    assert (await status(api, budget["id"]))["remaining"] == "0"
    released = (await api.data(RELEASE, {"id": second["id"]}, key=ingest))["releaseReservation"]
    assert released["status"] == "RELEASED"
    assert (await status(api, budget["id"]))["remaining"] == "0.008"
    # Usage for other users, and SOFT budgets, are not held.
    other = await authorize(api, 50_000, key=ingest, userId="bob")
    assert "errors" not in other
    # Recording never fails because of a budget.
    await record(api, 50_000)
    assert (await status(api, budget["id"]))["exceeded"] is True


async def test_parallel_authorizations_never_pass_a_hard_limit(api: Api) -> None:
    await price_gpt(api)
    budget = await create_budget(api, limit="0.01")  # fits exactly 10 calls of 0.001
    answers = await asyncio.gather(*(authorize(api, 1000) for _ in range(50)))
    granted = [answer for answer in answers if "errors" not in answer]
    refused = [answer for answer in answers if "errors" in answer]
    assert len(granted) == 10
    assert {answer["errors"][0]["extensions"]["reason"] for answer in refused} == {
        "BUDGET_EXCEEDED"
    }
    figures = await status(api, budget["id"])
    assert figures["reserved"] == "0.01"
    assert figures["remaining"] == "0"


async def test_parallel_spend_crossing_a_threshold_creates_one_event(api: Api) -> None:
    await price_gpt(api)
    budget = await create_budget(api, limit="0.01", mode="SOFT", thresholds=[50, 80, 100])
    await asyncio.gather(*(record(api, 1000) for _ in range(12)))
    events = (await api.data(EVENTS, {"budgetId": budget["id"]}))["alertEvents"]["edges"]
    assert sorted(edge["node"]["threshold"] for edge in events) == [50, 80, 100]
    payload = next(e["node"]["payload"] for e in events if e["node"]["threshold"] == 80)
    assert payload["type"] == "budget.threshold_crossed"
    assert payload["budget"]["id"] == budget["id"]
    assert payload["figures"]["limit"] == "0.01"
    assert payload["id"] == next(
        e["node"]["eventId"] for e in events if e["node"]["threshold"] == 80
    )
    figures = await status(api, budget["id"])
    assert figures["spent"] == "0.012"
    assert figures["exceeded"] is True


async def test_bad_authorizations_name_the_field(api: Api) -> None:
    negative = (await authorize(api, -1))["errors"][0]
    assert negative["extensions"] == {"code": "BAD_USER_INPUT", "field": "maxTokensInput"}
    negative_output = (await authorize(api, 10, maxTokensOutput=-5))["errors"][0]
    assert negative_output["extensions"]["field"] == "maxTokensOutput"
    bob_key = await create_key(api, ["INGEST"], user_id="bob")
    other_user = (await authorize(api, 10, key=bob_key))["errors"][0]
    assert other_user["extensions"]["code"] == "FORBIDDEN"
    reader = await create_key(api, ["READ"])
    assert (await authorize(api, 10, key=reader))["errors"][0]["extensions"]["code"] == (
        "FORBIDDEN"
    )
    missing = await api.error(RELEASE, {"id": "res_unknown"})
    assert missing["extensions"]["code"] == "NOT_FOUND"
