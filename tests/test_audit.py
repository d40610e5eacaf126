"""The append-only audit trail of pricing changes, as `pricingHistory` shows it.

Every change to a pricing row (upsert, delete, initialization from the environment
prices, at startup or by mutation) appends one row naming the key that made it
(never its secret), with the values before and after as exact Decimal strings.
Refused changes write nothing, and no mutation rewrites or deletes the trail.
"""

import base64
from datetime import datetime
from typing import Any

from tests.conftest import Api, create_key, make_settings, running_app

HISTORY = """
query ($provider: Provider!, $modelName: String!, $first: Int, $after: String) {
  pricingHistory(provider: $provider, modelName: $modelName, first: $first, after: $after) {
    edges {
      cursor
      node {
        id changedAt action provider modelName apiKeyId apiKeyName oldValues newValues
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}"""
UPSERT = """
mutation ($input: PricingInput!) {
  upsertPricing(input: $input) { modelName inputTokenCost outputTokenCost managedBy }
}"""
DELETE = """
mutation ($provider: Provider!, $modelName: String!) {
  deletePricing(provider: $provider, modelName: $modelName)
}"""
INITIALIZE = "mutation { initializePricing { created { modelName } updated { modelName } } }"
CREATE_KEY = """
mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }
"""
STARTUP = "billgraph startup"
BREAK_GLASS = "ADMIN_API_KEY"


def pricing_input(model: str, input_cost: str, output_cost: str = "0.000002") -> dict[str, Any]:
    return {
        "input": {
            "provider": "OPENAI",
            "modelName": model,
            "inputTokenCost": input_cost,
            "outputTokenCost": output_cost,
        }
    }


def values(input_cost: str, output_cost: str, managed_by: str) -> dict[str, str]:
    """Return audited values as the API shows them."""
    return {"inputTokenCost": input_cost, "outputTokenCost": output_cost, "managedBy": managed_by}


def priced(audited: dict[str, str] | None) -> dict[str, str] | None:
    """Return the input/output prices and manager of audited values (they hold more)."""
    if audited is None:
        return None
    return {name: audited[name] for name in ("inputTokenCost", "outputTokenCost", "managedBy")}


async def history_page(
    api: Api,
    model: str,
    *,
    provider: str = "OPENAI",
    first: int | None = None,
    after: str | None = None,
    key: str | None = None,
) -> dict[str, Any]:
    variables = {"provider": provider, "modelName": model, "first": first, "after": after}
    if key is None:
        data = await api.data(HISTORY, variables)
    else:
        data = await api.data(HISTORY, variables, key=key)
    page: dict[str, Any] = data["pricingHistory"]
    return page


async def history(api: Api, model: str, *, provider: str = "OPENAI") -> list[dict[str, Any]]:
    """Return every audit row of one model, newest first."""
    page = await history_page(api, model, provider=provider, first=500)
    assert page["pageInfo"]["hasNextPage"] is False
    return [edge["node"] for edge in page["edges"]]


async def create_named_admin_key(api: Api, name: str) -> tuple[str, str]:
    """Create an ADMIN key called `name`; return its id and secret."""
    data = await api.data(CREATE_KEY, {"input": {"name": name, "scopes": ["ADMIN"]}})
    return data["createApiKey"]["apiKey"]["id"], data["createApiKey"]["secret"]


async def test_a_created_then_updated_price_has_two_rows_newest_first(api: Api) -> None:
    await api.data(UPSERT, pricing_input("gpt-audit", "0.00000150"))
    await api.data(UPSERT, pricing_input("gpt-audit", "0.0000025", "0.000010"))

    rows = await history(api, "gpt-audit")

    assert [row["action"] for row in rows] == ["UPSERT", "UPSERT"]
    updated, created = rows
    assert created["oldValues"] is None
    assert priced(created["newValues"]) == values("0.0000015", "0.000002", "ADMIN")
    assert priced(updated["oldValues"]) == values("0.0000015", "0.000002", "ADMIN")
    assert priced(updated["newValues"]) == values("0.0000025", "0.00001", "ADMIN")
    assert int(updated["id"]) > int(created["id"])
    changed = [datetime.fromisoformat(row["changedAt"]) for row in rows]
    assert all(moment.utcoffset() is not None for moment in changed)
    assert changed[0] >= changed[1]
    for row in rows:
        assert (row["provider"], row["modelName"]) == ("openai", "gpt-audit")
        assert (row["apiKeyId"], row["apiKeyName"]) == (None, BREAK_GLASS)


async def test_history_is_per_provider_and_model_matched_like_prices(api: Api) -> None:
    await api.data(UPSERT, pricing_input("gpt-audit", "0.000001"))
    await api.data(UPSERT, pricing_input("other-model", "0.000001"))

    assert len(await history(api, "  GPT-Audit ")) == 1
    assert await history(api, "gpt-audit", provider="ANTHROPIC") == []
    assert await history(api, "never-priced") == []


async def test_a_deletion_is_audited_with_null_new_values(api: Api) -> None:
    await api.data(UPSERT, pricing_input("gpt-audit", "0.000003", "0.000004"))
    await api.data(DELETE, {"provider": "OPENAI", "modelName": "gpt-audit"})

    deleted, created = await history(api, "gpt-audit")

    assert deleted["action"] == "DELETE"
    assert priced(deleted["oldValues"]) == values("0.000003", "0.000004", "ADMIN")
    assert deleted["newValues"] is None
    assert deleted["apiKeyName"] == BREAK_GLASS
    assert created["action"] == "UPSERT"


async def test_startup_audits_the_environment_rows_only_when_their_prices_change(
    api: Api,
) -> None:
    # The `api` fixture's startup created both environment-managed rows.
    for model in ("gpt-oss-120b", "default"):
        (created,) = await history(api, model, provider="MISTRAL")
        assert created["action"] == "INITIALIZE"
        assert (created["apiKeyId"], created["apiKeyName"]) == (None, STARTUP)
        assert created["oldValues"] is None
        assert priced(created["newValues"]) == values("0.000001", "0.000003", "ENVIRONMENT")

    async with running_app(make_settings(api.database)) as client:
        same_prices = Api(client, api.database)
        assert len(await history(same_prices, "gpt-oss-120b", provider="MISTRAL")) == 1

    changed = make_settings(api.database, huggingface_input_token_cost="0.000002")
    async with running_app(changed) as client:
        restarted = Api(client, api.database)
        for model in ("gpt-oss-120b", "default"):
            updated, _ = await history(restarted, model, provider="MISTRAL")
            assert updated["action"] == "INITIALIZE"
            assert (updated["apiKeyId"], updated["apiKeyName"]) == (None, STARTUP)
            assert priced(updated["oldValues"]) == values("0.000001", "0.000003", "ENVIRONMENT")
            assert priced(updated["newValues"]) == values("0.000002", "0.000003", "ENVIRONMENT")


async def test_each_change_names_the_key_that_made_it(api: Api) -> None:
    bot_id, bot = await create_named_admin_key(api, "pricing bot")

    await api.data(UPSERT, pricing_input("gpt-audit", "0.000001"), key=bot)
    await api.data(UPSERT, pricing_input("gpt-audit", "0.000002"))
    await api.data(DELETE, {"provider": "MISTRAL", "modelName": "gpt-oss-120b"}, key=bot)
    report = await api.data(INITIALIZE, key=bot)

    assert report["initializePricing"]["created"] == [{"modelName": "gpt-oss-120b"}]
    by_break_glass, by_bot = await history(api, "gpt-audit")
    assert (by_bot["apiKeyId"], by_bot["apiKeyName"]) == (bot_id, "pricing bot")
    assert (by_break_glass["apiKeyId"], by_break_glass["apiKeyName"]) == (None, BREAK_GLASS)
    initialized, deleted, _startup = await history(api, "gpt-oss-120b", provider="MISTRAL")
    assert (deleted["action"], deleted["apiKeyId"], deleted["apiKeyName"]) == (
        "DELETE",
        bot_id,
        "pricing bot",
    )
    assert (initialized["action"], initialized["apiKeyId"], initialized["apiKeyName"]) == (
        "INITIALIZE",
        bot_id,
        "pricing bot",
    )
    assert initialized["oldValues"] is None
    assert bot not in str(await history(api, "gpt-audit"))


async def test_history_needs_a_read_or_admin_key(api: Api) -> None:
    await api.data(UPSERT, pricing_input("gpt-audit", "0.000001"))
    reader = await create_key(api, ["READ"])
    ingester = await create_key(api, ["INGEST"])
    variables = {"provider": "OPENAI", "modelName": "gpt-audit"}

    seen_by_reader = await history_page(api, "gpt-audit", key=reader)
    forbidden = await api.error(HISTORY, variables, key=ingester)
    anonymous = await api.error(HISTORY, variables, key=None)

    assert len(seen_by_reader["edges"]) == 1
    assert forbidden["extensions"]["code"] == "FORBIDDEN"
    assert anonymous["extensions"]["code"] == "UNAUTHENTICATED"


async def test_pages_walk_the_history_once_newest_first(api: Api) -> None:
    for cents in range(1, 6):
        await api.data(UPSERT, pricing_input("gpt-audit", f"0.00000{cents}"))

    pages = []
    after = None
    while True:
        page = await history_page(api, "gpt-audit", first=2, after=after)
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]

    walked = [edge["node"]["newValues"]["inputTokenCost"] for p in pages for edge in p["edges"]]
    assert [len(page["edges"]) for page in pages] == [2, 2, 1]
    assert walked == ["0.000005", "0.000004", "0.000003", "0.000002", "0.000001"]
    assert pages[-1]["pageInfo"]["endCursor"] == pages[-1]["edges"][-1]["cursor"]
    default_page = await history_page(api, "gpt-audit")  # first defaults to 50
    assert len(default_page["edges"]) == 5


async def test_an_empty_history_has_no_end_cursor(api: Api) -> None:
    page = await history_page(api, "never-priced", first=10)

    assert page == {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


MALFORMED_CURSORS = [
    "abc",
    "",
    "not base64 at all!",
    b64("audit:"),
    b64("audit:x"),
    b64("audit:-1"),
    b64("usage:2026-01-01T00:00:00+00:00|1"),
]


async def test_a_malformed_cursor_is_bad_input_naming_after(api: Api) -> None:
    variables = {"provider": "OPENAI", "modelName": "gpt-audit"}
    for cursor in MALFORMED_CURSORS:
        error = await api.error(HISTORY, {**variables, "after": cursor})

        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}, cursor


async def test_a_cursor_with_odd_digits_is_bad_input_too(api: Api) -> None:
    variables = {"provider": "OPENAI", "modelName": "gpt-audit"}
    for cursor in (b64("audit:²"), b64("audit:99999999999999999999")):
        error = await api.error(HISTORY, {**variables, "after": cursor})

        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}, error


async def test_first_must_be_between_1_and_500(api: Api) -> None:
    variables = {"provider": "OPENAI", "modelName": "gpt-audit"}
    for first in (0, -1, 501):
        error = await api.error(HISTORY, {**variables, "first": first})

        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}, first
        assert "500" in error["message"]
    for first in (1, 500):
        await api.data(HISTORY, {**variables, "first": first})


async def test_an_empty_model_name_is_bad_input(api: Api) -> None:
    error = await api.error(HISTORY, {"provider": "OPENAI", "modelName": "  "})

    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "modelName"}


async def test_no_mutation_can_rewrite_the_audit_trail(api: Api) -> None:
    data = await api.data('{ __type(name: "Mutation") { fields { name } } }')
    names = [field["name"] for field in data["__type"]["fields"]]

    assert "upsertPricing" in names  # the introspection did list the mutations
    assert [
        name
        for name in names
        if any(word in name.lower() for word in ("audit", "history", "change"))
    ] == []


async def test_refused_changes_write_no_audit_row(api: Api) -> None:
    await api.data(UPSERT, pricing_input("gpt-audit", "0.000001"))
    reader = await create_key(api, ["READ"])

    for bad_price in ("-0.000001", "abc", "0.0000000000001", "NaN"):
        for model in ("gpt-audit", "brand-new"):
            error = await api.error(UPSERT, pricing_input(model, bad_price))
            assert error["extensions"]["code"] == "BAD_USER_INPUT", (model, bad_price)
    forbidden = await api.error(UPSERT, pricing_input("gpt-audit", "0.000009"), key=reader)
    missing = await api.error(DELETE, {"provider": "OPENAI", "modelName": "brand-new"})
    routed = await api.error(
        UPSERT,
        {
            "input": {
                **pricing_input("gpt-oss-120b", "0.000009")["input"],
                "provider": "HUGGINGFACE",
            }
        },
    )

    assert forbidden["extensions"]["code"] == "FORBIDDEN"
    assert missing["extensions"]["code"] == "NOT_FOUND"
    assert routed["extensions"] == {"code": "BAD_USER_INPUT", "field": "provider"}
    assert len(await history(api, "gpt-audit")) == 1
    assert await history(api, "brand-new") == []
    assert await history(api, "gpt-oss-120b", provider="HUGGINGFACE") == []
    assert len(await history(api, "gpt-oss-120b", provider="MISTRAL")) == 1  # startup only
