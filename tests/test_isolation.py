"""User-bound keys: a READ key bound to alice never sees another user's logs, totals,
reports or time series, and an INGEST key bound to alice records for alice only (one
call or a batch). Unbound READ keys see everyone.

The admin records interleaved usage for alice, bob, a look-alike "Alice" and no user
(two pairs at the same instant, so cursors break ties by id); each test then asks with
a key. Every expectation is checked against CALLS and against what the admin sees.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import ADMIN_KEY, Api, create_key

RECORD = """
mutation ($input: RecordUsageInput!) {
  recordUsage(input: $input) { requestId userId pricingSource }
}"""
RECORD_BATCH = """
mutation ($inputs: [RecordUsageInput!]!) {
  recordUsageBatch(inputs: $inputs) { logs { requestId userId pricingSource } }
}"""
LOGS = """
query ($filter: UsageFilter, $first: Int, $after: String) {
  usageLogs(filter: $filter, first: $first, after: $after) {
    edges { cursor node { requestId userId } }
    pageInfo { hasNextPage endCursor }
  }
}"""
TOTALS = "totals { requests tokensInput tokensOutput costInput costOutput costTotal }"
SUMMARY = """
query ($filter: UsageFilter) {
  costSummary(filter: $filter) {
    requests tokensInput tokensOutput costInput costOutput costTotal estimatedCostTotal
  }
}"""
REPORT = f"""
query ($groupBy: [UsageDimension!]!, $filter: UsageFilter, $timeZone: String!) {{
  costReport(groupBy: $groupBy, filter: $filter, timeZone: $timeZone, orderBy: KEY_ASC) {{
    key {{ provider model userId pricingSource bucketStart }} {TOTALS}
  }}
}}"""
SERIES = f"""
query ($filter: UsageFilter!, $granularity: TimeGranularity!, $timeZone: String!) {{
  costTimeSeries(filter: $filter, granularity: $granularity, timeZone: $timeZone) {{
    bucketStart {TOTALS}
  }}
}}"""
WHOLE_RANGE = {"from": "2026-01-01T00:00:00Z", "to": "2026-01-06T00:00:00Z"}
# Every query over usage: its document and the variables it needs besides the filter.
# root field: (query, its arguments besides the filter)
USAGE_QUERIES: dict[str, tuple[str, dict[str, Any]]] = {
    "usageLogs": (LOGS, {}),
    "costSummary": (SUMMARY, {}),
    "costReport": (REPORT, {"groupBy": ["USER"], "timeZone": "UTC"}),
    "costTimeSeries": (SERIES, {"granularity": "DAY", "timeZone": "UTC"}),
}


@dataclass(frozen=True)
class Call:
    request_id: str
    user_id: str | None
    provider: str
    model: str
    day: int  # occurred on 2026-01-<day> at <hour>:00 UTC
    hour: int
    tokens_input: int
    pricing_source: str  # what the default pricing makes of (provider, model)

    @property
    def occurred_at(self) -> str:
        return f"2026-01-{self.day:02d}T{self.hour:02d}:00:00Z"


GPT_OSS_ROUTED = "openai/gpt-oss-120b:groq"
ESTIMATE = "BUILTIN_ESTIMATE"
# fmt: off
CALLS = [
    #    requestId  userId   provider       model            day hour tokens source
    Call("a1",      "alice", "OPENAI",      "gpt-4o",         1, 10,  100, ESTIMATE),
    Call("b1",      "bob",   "OPENAI",      "gpt-4o",         1, 11,  200, ESTIMATE),
    Call("n1",      None,    "OPENAI",      "gpt-4o",         1, 12,  300, ESTIMATE),
    Call("a2",      "alice", "HUGGINGFACE", GPT_OSS_ROUTED,   2, 10,  400, "SHORT_NAME"),
    Call("b2",      "bob",   "HUGGINGFACE", GPT_OSS_ROUTED,   2, 10,  500, "SHORT_NAME"),
    Call("l2",      "Alice", "HUGGINGFACE", GPT_OSS_ROUTED,   2, 11,  600, "SHORT_NAME"),
    Call("a3",      "alice", "MISTRAL",     "mistral-large",  3, 10,  700, "DEFAULT_ROW"),
    Call("n3",      None,    "MISTRAL",     "mistral-large",  3, 11,  800, "DEFAULT_ROW"),
    Call("b4",      "bob",   "MISTRAL",     "gpt-oss-120b",   4, 10,  900, "EXACT"),
    Call("a4",      "alice", "MISTRAL",     "gpt-oss-120b",   4, 10, 1000, "EXACT"),
    Call("b5",      "bob",   "OPENAI",      "gpt-4o",         5, 10, 1100, ESTIMATE),
]
# fmt: on
ALICE = {call.request_id for call in CALLS if call.user_id == "alice"}
BOB = {call.request_id for call in CALLS if call.user_id == "bob"}
EVERYONE = {call.request_id for call in CALLS}


def payload(call: Call) -> dict[str, Any]:
    return {
        "requestId": call.request_id,
        "userId": call.user_id,
        "provider": call.provider,
        "model": call.model,
        "occurredAt": call.occurred_at,
        "tokensInput": call.tokens_input,
        "tokensOutput": call.tokens_input // 10,
    }


@pytest.fixture
async def alice_read(api: Api) -> str:
    """Record CALLS as the admin (one batch, in order); return a READ key bound to alice."""
    inputs = [payload(call) for call in CALLS]
    batch = (await api.data(RECORD_BATCH, {"inputs": inputs}))["recordUsageBatch"]
    assert [(log["userId"], log["pricingSource"]) for log in batch["logs"]] == [
        (call.user_id, call.pricing_source) for call in CALLS
    ]
    return await create_key(api, ["READ"], user_id="alice")


async def page(
    api: Api, key: str, usage_filter: dict[str, Any] | None = None, **arguments: Any
) -> dict[str, Any]:
    variables = {"filter": usage_filter, "first": 500} | arguments
    connection: dict[str, Any] = (await api.data(LOGS, variables, key=key))["usageLogs"]
    return connection


async def request_ids(
    api: Api, key: str, usage_filter: dict[str, Any] | None = None, **arguments: Any
) -> list[str]:
    """Return the request ids of one page of usageLogs (up to 500), newest first."""
    connection = await page(api, key, usage_filter, **arguments)
    return [edge["node"]["requestId"] for edge in connection["edges"]]


async def totals(api: Api, key: str, usage_filter: dict[str, Any] | None = None) -> Any:
    return (await api.data(SUMMARY, {"filter": usage_filter}, key=key))["costSummary"]


async def newest_first(api: Api) -> list[str]:
    """Return every request id in the API's newest-first order, as the admin sees it."""
    order = await request_ids(api, ADMIN_KEY)
    assert set(order) == EVERYONE
    return order


async def test_unfiltered_logs_show_only_alices(api: Api, alice_read: str) -> None:
    connection = await page(api, alice_read)
    nodes = [edge["node"] for edge in connection["edges"]]
    assert {node["userId"] for node in nodes} == {"alice"}
    assert [node["requestId"] for node in nodes] == [
        request_id for request_id in await newest_first(api) if request_id in ALICE
    ]
    assert connection["pageInfo"]["hasNextPage"] is False


async def test_filtering_on_alice_herself_shows_hers(api: Api, alice_read: str) -> None:
    own = await request_ids(api, alice_read, {"userId": "alice"})
    assert set(own) == ALICE
    assert own == await request_ids(api, alice_read)
    assert own == await request_ids(api, ADMIN_KEY, {"userId": "alice"})


@pytest.mark.parametrize("other_user", ["bob", "Alice"])
@pytest.mark.parametrize("root", USAGE_QUERIES)
async def test_a_filter_naming_another_user_is_forbidden(
    api: Api, alice_read: str, root: str, other_user: str
) -> None:
    query, arguments = USAGE_QUERIES[root]
    variables = arguments | {"filter": WHOLE_RANGE | {"userId": other_user}}
    body = await api.post(query, variables, key=alice_read)
    assert body["data"] is None
    assert len(body["errors"]) == 1, body["errors"]
    error = body["errors"][0]
    assert error["path"] == [root]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["field"] == "userId"


async def test_unfiltered_totals_are_exactly_alices(api: Api, alice_read: str) -> None:
    alices = await totals(api, alice_read)
    assert alices == await totals(api, ADMIN_KEY, {"userId": "alice"})
    assert alices == await totals(api, alice_read, {"userId": "alice"})
    assert alices["requests"] == str(len(ALICE))
    assert alices["tokensInput"] == str(
        sum(call.tokens_input for call in CALLS if call.user_id == "alice")
    )
    everyone = await totals(api, ADMIN_KEY)
    assert everyone["requests"] == str(len(CALLS))
    assert alices["costTotal"] != everyone["costTotal"]


async def test_paging_one_by_one_never_yields_another_users_log(api: Api, alice_read: str) -> None:
    seen: list[str] = []
    after = None
    for _ in range(len(CALLS) + 1):  # a bound on the loop, not on the pages expected
        connection = await page(api, alice_read, first=1, after=after)
        assert len(connection["edges"]) == 1, connection
        node = connection["edges"][0]["node"]
        assert node["userId"] == "alice", node
        seen.append(node["requestId"])
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == [request_id for request_id in await newest_first(api) if request_id in ALICE]


# b5 is the newest log; b4 and b2 share their instant with an alice log (a tie broken by id).
@pytest.mark.parametrize("pointed_at", ["b5", "b4", "b2", "n3", "l2"])
async def test_an_admin_cursor_at_another_users_log_yields_only_alices(
    api: Api, alice_read: str, pointed_at: str
) -> None:
    admin = await page(api, ADMIN_KEY)
    order = [edge["node"]["requestId"] for edge in admin["edges"]]
    (cursor,) = [
        edge["cursor"] for edge in admin["edges"] if edge["node"]["requestId"] == pointed_at
    ]
    older_alice = [rid for rid in order[order.index(pointed_at) + 1 :] if rid in ALICE]
    assert older_alice
    assert await request_ids(api, alice_read, after=cursor) == older_alice
    one = await page(api, alice_read, first=1, after=cursor)
    assert [edge["node"]["requestId"] for edge in one["edges"]] == older_alice[:1]


def from_day(day: int, hour: int) -> Callable[[Call], bool]:
    return lambda call: (call.day, call.hour) >= (day, hour)


def before_day(day: int, hour: int) -> Callable[[Call], bool]:
    return lambda call: (call.day, call.hour) < (day, hour)


@pytest.mark.parametrize(
    ("usage_filter", "matches"),
    [
        pytest.param({"provider": "OPENAI"}, lambda call: call.provider == "OPENAI", id="provider"),
        pytest.param(
            {"model": "gpt-oss-120b"}, lambda call: call.model == "gpt-oss-120b", id="model"
        ),
        pytest.param(
            {"pricingSource": "SHORT_NAME"},
            lambda call: call.pricing_source == "SHORT_NAME",
            id="pricingSource",
        ),
        pytest.param({"from": "2026-01-02T10:00:00Z"}, from_day(2, 10), id="from"),
        pytest.param({"to": "2026-01-04T10:00:00Z"}, before_day(4, 10), id="to"),
        pytest.param(
            {"from": "2026-01-01T11:00:00Z", "to": "2026-01-03T11:00:00Z"},
            lambda call: from_day(1, 11)(call) and before_day(3, 11)(call),
            id="from-to",
        ),
        pytest.param(
            {"provider": "MISTRAL", "userId": None},
            lambda call: call.provider == "MISTRAL",
            id="provider-userId-null",
        ),
    ],
)
async def test_filters_stay_narrowed_to_alice(
    api: Api, alice_read: str, usage_filter: dict[str, Any], matches: Callable[[Call], bool]
) -> None:
    expected = {call.request_id for call in CALLS if matches(call) and call.user_id == "alice"}
    leaked_without_narrowing = set(await request_ids(api, ADMIN_KEY, usage_filter)) - ALICE
    assert expected
    assert leaked_without_narrowing  # the filter alone would show others' logs
    assert set(await request_ids(api, alice_read, usage_filter)) == expected
    admin_view_of_alice = await totals(api, ADMIN_KEY, usage_filter | {"userId": "alice"})
    assert admin_view_of_alice["requests"] == str(len(expected))
    assert await totals(api, alice_read, usage_filter) == admin_view_of_alice


async def report(
    api: Api, key: str, group_by: list[str], usage_filter: dict[str, Any] | None, zone: str
) -> list[dict[str, Any]]:
    variables = {"groupBy": group_by, "filter": usage_filter, "timeZone": zone}
    rows: list[dict[str, Any]] = (await api.data(REPORT, variables, key=key))["costReport"]
    return rows


def requests_in(rows: list[dict[str, Any]]) -> int:
    return sum(int(row["totals"]["requests"]) for row in rows)


# The planner answers from the hourly rollup (no user column), the daily per-user rollup
# or the logs, depending on the question: each case below lands on a different one
# (for an unbound caller without a user filter; narrowing adds one).
@pytest.mark.parametrize(
    ("group_by", "usage_filter", "zone"),
    [
        pytest.param(["PROVIDER", "MODEL", "PRICING_SOURCE"], None, "UTC", id="dimensions"),
        pytest.param(["USER"], None, "UTC", id="user"),
        pytest.param(["USER", "DAY"], WHOLE_RANGE, "UTC", id="user-day"),
        pytest.param(["HOUR"], WHOLE_RANGE, "UTC", id="hour"),
        pytest.param(["DAY"], None, "Europe/Berlin", id="berlin-day"),
        pytest.param(["PROVIDER"], {"from": "2026-01-02T10:30:00Z"}, "UTC", id="unaligned-from"),
    ],
)
async def test_cost_reports_are_narrowed_to_alice(
    api: Api, alice_read: str, group_by: list[str], usage_filter: dict[str, Any] | None, zone: str
) -> None:
    alices = await report(api, alice_read, group_by, usage_filter, zone)
    admin_view_of_alice = await report(
        api, ADMIN_KEY, group_by, (usage_filter or {}) | {"userId": "alice"}, zone
    )
    everyone = await report(api, ADMIN_KEY, group_by, usage_filter, zone)
    assert alices == admin_view_of_alice
    assert all(row["key"]["userId"] in (None, "alice") for row in alices)
    since = (usage_filter or {}).get("from", "")
    expected = [call for call in CALLS if call.user_id == "alice" and call.occurred_at >= since]
    assert requests_in(alices) == len(expected)
    assert requests_in(everyone) > requests_in(alices)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
async def test_a_cost_time_series_is_narrowed_to_alice(
    api: Api, alice_read: str, zone: str
) -> None:
    def series(key: str, usage_filter: dict[str, Any]) -> Any:
        variables = {"filter": usage_filter, "granularity": "DAY", "timeZone": zone}
        return api.data(SERIES, variables, key=key)

    alices = (await series(alice_read, WHOLE_RANGE))["costTimeSeries"]
    admin_view_of_alice = (await series(ADMIN_KEY, WHOLE_RANGE | {"userId": "alice"}))[
        "costTimeSeries"
    ]
    everyone = (await series(ADMIN_KEY, WHOLE_RANGE))["costTimeSeries"]
    assert alices == admin_view_of_alice
    assert requests_in(alices) == len(ALICE)
    assert requests_in(everyone) == len(CALLS)


async def test_a_key_bound_to_a_user_without_usage_sees_nothing(api: Api, alice_read: str) -> None:
    carol = await create_key(api, ["READ"], user_id="carol")
    assert await request_ids(api, carol) == []
    summary = await totals(api, carol)
    assert (summary["requests"], summary["costTotal"]) == ("0", "0")


async def test_a_bound_ingest_key_records_for_its_user(api: Api, alice_read: str) -> None:
    ingest = await create_key(api, ["INGEST"], user_id="alice")
    call = payload(CALLS[0]) | {"occurredAt": None}
    implicit = await api.data(
        RECORD, {"input": call | {"requestId": "i1", "userId": None}}, key=ingest
    )
    explicit = await api.data(
        RECORD, {"input": call | {"requestId": "i2", "userId": "alice"}}, key=ingest
    )
    assert implicit["recordUsage"]["userId"] == "alice"
    assert explicit["recordUsage"]["userId"] == "alice"
    assert set(await request_ids(api, ADMIN_KEY, {"userId": "alice"})) == ALICE | {"i1", "i2"}
    assert set(await request_ids(api, alice_read)) == ALICE | {"i1", "i2"}


@pytest.mark.parametrize("other_user", ["bob", "Alice"])
async def test_a_bound_ingest_key_may_not_record_for_another_user(
    api: Api, alice_read: str, other_user: str
) -> None:
    ingest = await create_key(api, ["INGEST"], user_id="alice")
    before = await totals(api, ADMIN_KEY)
    call = payload(CALLS[0]) | {"requestId": "not-for-alice", "userId": other_user}
    error = await api.error(RECORD, {"input": call}, key=ingest)
    assert error["path"] == ["recordUsage"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["field"] == "userId"
    assert await totals(api, ADMIN_KEY) == before
    assert "not-for-alice" not in await newest_first(api)


async def test_a_bound_ingest_key_records_a_batch_for_its_user(api: Api, alice_read: str) -> None:
    ingest = await create_key(api, ["INGEST"], user_id="alice")
    call = payload(CALLS[0]) | {"occurredAt": None}
    inputs = [
        call | {"requestId": "i1", "userId": None},
        call | {"requestId": "i2", "userId": "alice"},
    ]
    batch = (await api.data(RECORD_BATCH, {"inputs": inputs}, key=ingest))["recordUsageBatch"]
    assert [log["userId"] for log in batch["logs"]] == ["alice", "alice"]
    assert set(await request_ids(api, ADMIN_KEY, {"userId": "alice"})) == ALICE | {"i1", "i2"}


async def test_a_batch_naming_another_user_is_forbidden_and_writes_nothing(
    api: Api, alice_read: str
) -> None:
    ingest = await create_key(api, ["INGEST"], user_id="alice")
    before = await totals(api, ADMIN_KEY)
    call = payload(CALLS[0]) | {"occurredAt": None}
    inputs = [
        call | {"requestId": "i1", "userId": None},
        call | {"requestId": "i2", "userId": "bob"},
    ]
    error = await api.error(RECORD_BATCH, {"inputs": inputs}, key=ingest)
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["field"] == "inputs[1].userId"
    assert await totals(api, ADMIN_KEY) == before
    assert set(await newest_first(api)) == EVERYONE


async def test_a_bound_ingest_key_cannot_claim_another_users_request_id(
    api: Api, alice_read: str
) -> None:
    ingest = await create_key(api, ["INGEST"], user_id="alice")
    bobs = next(call for call in CALLS if call.request_id == "b1")
    body = await api.post(RECORD, {"input": payload(bobs) | {"userId": None}}, key=ingest)
    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["CONFLICT"]
    assert set(await request_ids(api, ADMIN_KEY, {"userId": "bob"})) == BOB
    assert set(await request_ids(api, alice_read)) == ALICE


async def test_an_unbound_read_key_sees_everyone(api: Api, alice_read: str) -> None:
    reader = await create_key(api, ["READ"])
    assert await request_ids(api, reader) == await newest_first(api)
    assert set(await request_ids(api, reader, {"userId": "bob"})) == BOB
    assert set(await request_ids(api, reader, {"userId": "alice"})) == ALICE
    assert await totals(api, reader) == await totals(api, ADMIN_KEY)
    assert (await totals(api, reader))["requests"] == str(len(CALLS))


async def test_an_admin_key_cannot_be_bound_to_a_user(api: Api) -> None:
    error = await api.error(
        CREATE_ADMIN_KEY, {"input": {"name": "x", "scopes": ["ADMIN"], "userId": "alice"}}
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "userId"}


CREATE_ADMIN_KEY = """
mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }"""
