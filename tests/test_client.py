"""The Python client against real billgraph servers, and the SDK integrations.

A `billgraph serve` process per database; the real `openai` and `anthropic` SDKs talk
to a fake LLM API on another free port (as they would to HuggingFace's router or
Anthropic), and LiteLLM answers with its `mock_response`. Every call must end up as
exactly one usage log with the right provider, model, token kinds and exact cost.
"""

import logging
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any, Literal

import anthropic
import httpx
import openai
import pytest
from tortoise.context import TortoiseContext

from billgraph.client import (
    AsyncBillgraphClient,
    AsyncBufferedRecorder,
    BillgraphClient,
    BillgraphError,
    BufferedRecorder,
    RetryPolicy,
    UsageRecord,
    record_stream,
)
from billgraph.db import tortoise_config
from tests.conftest import ADMIN_KEY, Database, empty_tables
from tests.live_server import BillgraphServer, FakeLlmServer, serve_fake_llm
from tests.servers import free_port

FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)
GUIDE_MODEL = "openai/gpt-oss-120b:groq"


LOGS = """
query ($filter: UsageFilter) {
  usageLogs(filter: $filter, first: 500) {
    edges { node { requestId userId provider model tokensInput tokensOutput tokensCachedInput
      tokensCacheWrite tokensReasoning costTotal pricingSource } }
  }
}"""

UPSERT = """
mutation ($input: PricingInput!) { upsertPricing(input: $input) { id } }"""


@pytest.fixture(scope="module")
async def server(
    database: Database, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BillgraphServer]:
    """`billgraph serve` on an empty database (default pricing set by its startup)."""
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(database.url))
        await empty_tables(database)
    running = BillgraphServer(database.url, ADMIN_KEY, tmp_path_factory.mktemp("billgraph"))
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[FakeLlmServer]:
    yield from serve_fake_llm()


@pytest.fixture
def bg(server: BillgraphServer) -> Iterator[BillgraphClient]:
    with BillgraphClient(server.url, api_key=ADMIN_KEY, retry=FAST, ingest="graphql") as client:
        yield client


def logs_of(bg: BillgraphClient, user_id: str) -> list[dict[str, Any]]:
    data = bg.graphql(LOGS, {"filter": {"userId": user_id}})
    return [edge["node"] for edge in data["usageLogs"]["edges"]]


def new_user() -> str:
    return f"user-{uuid.uuid4().hex[:8]}"


# --- The guide: a HuggingFace call through the OpenAI SDK, and its cost ----------------


def test_huggingface_call_through_openai_sdk_costs_the_guides_amount(
    bg: BillgraphClient, fake_llm: FakeLlmServer
) -> None:
    fake_llm.state.usage = {"prompt_tokens": 1000, "completion_tokens": 500, "total_tokens": 1500}
    router = openai.OpenAI(base_url=f"{fake_llm.url}/v1", api_key="hf_test")
    user = new_user()
    completion = router.chat.completions.create(
        model=GUIDE_MODEL, messages=[{"role": "user", "content": "Hello"}]
    )

    result = bg.record_response(completion, provider="HUGGINGFACE", user_id=user)

    assert (result.created, result.replayed) == (1, 0)
    [log] = logs_of(bg, user)
    assert log["provider"] == "huggingface"
    assert log["model"] == GUIDE_MODEL
    assert log["requestId"] == completion.id
    assert (log["tokensInput"], log["tokensOutput"]) == (1000, 500)
    assert log["costTotal"] == "0.0025"
    assert log["pricingSource"] == "SHORT_NAME"
    # The same response recorded again (a retry, a second hook) is the same log.
    again = bg.record_response(completion, provider="HUGGINGFACE", user_id=user)
    assert (again.created, again.replayed) == (0, 1)
    assert len(logs_of(bg, user)) == 1


def test_openai_stream_with_cached_and_reasoning_tokens(
    bg: BillgraphClient, fake_llm: FakeLlmServer
) -> None:
    bg.graphql(
        UPSERT,
        {
            "input": {
                "provider": "OPENAI",
                "modelName": "gpt-5-mini",
                "inputTokenCost": "0.00000025",
                "outputTokenCost": "0.000002",
                "cachedInputTokenCost": "0.000000025",
                "reasoningTokenCost": "0.000002",
                "effectiveFrom": "2020-01-01T00:00:00Z",
            }
        },
    )
    fake_llm.state.usage = {
        "prompt_tokens": 1200,
        "completion_tokens": 300,
        "total_tokens": 1500,
        "prompt_tokens_details": {"cached_tokens": 1024},
        "completion_tokens_details": {"reasoning_tokens": 128},
    }
    sdk = openai.OpenAI(base_url=f"{fake_llm.url}/v1", api_key="sk-test")
    user = new_user()
    stream = sdk.chat.completions.create(
        model="gpt-5-mini",
        messages=[{"role": "user", "content": "Hello"}],
        stream=True,
        stream_options={"include_usage": True},
    )

    text = "".join(
        chunk.choices[0].delta.content or ""
        for chunk in record_stream(stream, bg, user_id=user)
        if chunk.choices
    )

    assert text == "Hello!"
    [log] = logs_of(bg, user)
    assert log["provider"] == "openai"
    assert log["model"] == "gpt-5-mini"
    assert log["requestId"].startswith("chatcmpl-")
    assert (log["tokensInput"], log["tokensCachedInput"]) == (1200, 1024)
    assert (log["tokensOutput"], log["tokensReasoning"]) == (300, 128)
    # 176 x 0.00000025 + 1024 x 0.000000025 + 300 x 0.000002
    expected = Decimal(176) * Decimal("0.00000025") + Decimal(1024) * Decimal("0.000000025")
    expected += Decimal(300) * Decimal("0.000002")
    assert Decimal(log["costTotal"]) == expected


ANTHROPIC_PRICE = {
    "provider": "ANTHROPIC",
    "modelName": "claude-sonnet-4",
    "inputTokenCost": "0.000003",
    "outputTokenCost": "0.000015",
    "cachedInputTokenCost": "0.0000003",
    "cacheWriteTokenCost": "0.00000375",
    "effectiveFrom": "2020-01-01T00:00:00Z",
}
ANTHROPIC_USAGE = {
    "input_tokens": 100,
    "cache_read_input_tokens": 8000,
    "cache_creation_input_tokens": 2000,
    "output_tokens": 400,
}
# 100 x 0.000003 + 8000 x 0.0000003 + 2000 x 0.00000375 + 400 x 0.000015
ANTHROPIC_COST = Decimal("0.0003") + Decimal("0.0024") + Decimal("0.0075") + Decimal("0.006")


@pytest.mark.parametrize("stream", [False, True], ids=["message", "stream"])
def test_anthropic_messages_with_prompt_cache(
    bg: BillgraphClient, fake_llm: FakeLlmServer, stream: bool
) -> None:
    bg.graphql(UPSERT, {"input": ANTHROPIC_PRICE})
    fake_llm.state.usage = ANTHROPIC_USAGE
    sdk = anthropic.Anthropic(base_url=fake_llm.url, api_key="sk-ant-test")
    user = new_user()
    request: dict[str, Any] = {
        "model": "claude-sonnet-4",
        "max_tokens": 1024,
        "messages": [{"role": "user", "content": "Hello"}],
    }
    if stream:
        events = list(record_stream(sdk.messages.create(**request, stream=True), bg, user_id=user))
        message_id = events[0].message.id
    else:
        message = sdk.messages.create(**request)
        bg.record_response(message, user_id=user)
        message_id = message.id

    [log] = logs_of(bg, user)
    assert log["provider"] == "anthropic"
    assert log["model"] == "claude-sonnet-4"
    assert log["requestId"] == message_id
    assert log["tokensInput"] == 10100  # the prompt total: uncached + cache reads + writes
    assert (log["tokensCachedInput"], log["tokensCacheWrite"]) == (8000, 2000)
    assert log["tokensOutput"] == 400
    assert Decimal(log["costTotal"]) == ANTHROPIC_COST


# --- LiteLLM ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def litellm_module() -> Any:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # its bundled map, no network
    import litellm  # noqa: PLC0415  (slow to import: only for these tests)

    return litellm


def _mock(response_id: str, model: str, usage: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": response_id,
        "object": "chat.completion",
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}
        ],
        "usage": usage,
    }


def test_litellm_callback_records_every_call_with_the_resolved_provider(
    server: BillgraphServer, bg: BillgraphClient, litellm_module: Any
) -> None:
    from billgraph.client.litellm_callback import BillgraphCallback  # noqa: PLC0415

    litellm = litellm_module
    client = BillgraphClient(server.url, api_key=ADMIN_KEY, retry=FAST, ingest="graphql")
    callback = BillgraphCallback(BufferedRecorder(client, flush_interval=0.05))
    user = new_user()
    calls = [
        (
            "huggingface/" + GUIDE_MODEL,
            GUIDE_MODEL,
            {"prompt_tokens": 1000, "completion_tokens": 500},
        ),
        (
            "anthropic/claude-sonnet-4",
            "claude-sonnet-4",
            {"prompt_tokens": 10, "completion_tokens": 20},
        ),
        ("ollama/llama3", "llama3", {"prompt_tokens": 7, "completion_tokens": 3}),
    ]
    litellm.callbacks = [callback]
    try:
        for index, (model, _, usage) in enumerate(calls):
            litellm.completion(
                model=model,
                messages=[{"role": "user", "content": "Hello"}],
                user=user,
                mock_response=_mock(f"chatcmpl-lite-{user}-{index}", model, usage),
            )
        # LiteLLM runs success callbacks on its own logging thread.
        deadline = time.monotonic() + 30
        while callback.recorded < len(calls) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert callback.recorder.flush(timeout=30)
    finally:
        litellm.callbacks = []
        callback.recorder.close()
        client.close()

    logs = {log["requestId"]: log for log in logs_of(bg, user)}
    assert len(logs) == 3, logs
    hf = logs[f"chatcmpl-lite-{user}-0"]
    assert (hf["provider"], hf["model"], hf["costTotal"]) == ("huggingface", GUIDE_MODEL, "0.0025")
    claude = logs[f"chatcmpl-lite-{user}-1"]
    assert (claude["provider"], claude["model"]) == ("anthropic", "claude-sonnet-4")
    assert Decimal(claude["costTotal"]) == 10 * Decimal("0.000003") + 20 * Decimal("0.000015")
    other = logs[f"chatcmpl-lite-{user}-2"]
    assert (other["provider"], other["model"], other["pricingSource"]) == (
        "ollama",  # recorded as LiteLLM names it
        "llama3",
        "BUILTIN_ESTIMATE",
    )
    assert other["costTotal"] == "0.00001"  # 10 tokens at the $1 per 1M estimate


# --- Retries: the same request ids, so a record is stored once -------------------------


class FlakyTransport(httpx.BaseTransport):
    """Fails the first requests in the ways networks and servers fail."""

    def __init__(self, failures: list[str]) -> None:
        self.failures = failures
        self.inner = httpx.HTTPTransport()
        self.bodies: list[bytes] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(request.read())
        failure = self.failures.pop(0) if self.failures else None
        if failure == "refused":
            raise httpx.ConnectError("connection refused", request=request)
        if failure == "unavailable":
            return httpx.Response(
                503,
                headers={"Retry-After": "0"},
                json={
                    "errors": [
                        {
                            "message": "database down",
                            "extensions": {"code": "UNAVAILABLE", "retryable": True},
                        }
                    ]
                },
            )
        response = self.inner.handle_request(request)
        if failure == "answer lost":  # the server stored it; the client never hears
            response.read()
            response.close()
            raise httpx.ReadError("connection reset", request=request)
        return response


def test_retries_resend_the_same_request_and_store_it_once(server: BillgraphServer) -> None:
    transport = FlakyTransport(["refused", "unavailable", "answer lost"])
    user = new_user()
    with BillgraphClient(
        server.url, api_key=ADMIN_KEY, retry=FAST, ingest="graphql", transport=transport
    ) as client:
        record = UsageRecord(
            provider="openai", model="gpt-4o", tokens_input=5, tokens_output=6, user_id=user
        )
        result = client.record(record)

        assert (result.created, result.replayed) == (0, 1)  # the lost answer had stored it
        assert client.attempts == 4
        assert len(set(transport.bodies)) == 1  # every attempt sent the same bytes
        [log] = logs_of(client, user)
        assert log["requestId"] == record.request_id


class AsyncFlakyTransport(httpx.AsyncBaseTransport):
    """The async twin of FlakyTransport."""

    def __init__(self, failures: list[str]) -> None:
        self.failures = failures
        self.inner = httpx.AsyncHTTPTransport()
        self.bodies: list[bytes] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(await request.aread())
        failure = self.failures.pop(0) if self.failures else None
        if failure == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        response = await self.inner.handle_async_request(request)
        if failure == "answer lost":
            await response.aread()
            await response.aclose()
            raise httpx.ReadError("connection reset", request=request)
        return response


async def test_async_retries_store_once(server: BillgraphServer) -> None:
    transport = AsyncFlakyTransport(["answer lost", "timeout"])
    user = new_user()
    async with AsyncBillgraphClient(
        server.url, api_key=ADMIN_KEY, retry=FAST, ingest="graphql", transport=transport
    ) as client:
        records = [
            UsageRecord(
                provider="XAI", model="grok-4", tokens_input=2, tokens_output=3, user_id=user
            )
            for _ in range(3)
        ]
        result = await client.record_many(records)
        assert (result.created, result.replayed, client.attempts) == (0, 3, 3)
        assert len(set(transport.bodies)) == 1
        data = await client.graphql(
            "query ($f: UsageFilter) { costSummary(filter: $f) { requests } }",
            {"f": {"userId": user}},
        )
    assert data["costSummary"]["requests"] == "3"


def test_a_mutation_whose_answer_was_lost_is_not_resent(server: BillgraphServer) -> None:
    transport = FlakyTransport(["answer lost"])
    with BillgraphClient(server.url, api_key=ADMIN_KEY, retry=FAST, transport=transport) as client:
        with pytest.raises(BillgraphError) as raised:
            client.graphql(
                'mutation { createApiKey(input: {name: "once", scopes: [READ]}) { secret } }'
            )
        assert (raised.value.code, raised.value.retryable, client.attempts) == (
            "CONNECTION",
            True,
            1,
        )
        # A query is safe to resend.
        transport.failures = ["answer lost"]
        assert client.graphql("{ apiKeys { name } }")["apiKeys"]
        assert client.attempts == 3


def test_refusals_are_not_retried_and_name_the_field(bg: BillgraphClient) -> None:
    good = UsageRecord(provider="OPENAI", model="gpt-4o", tokens_input=5, tokens_output=6)
    bad = UsageRecord(provider="OPENAI", model="gpt-4o", tokens_input=-1, tokens_output=6)
    attempts = bg.attempts
    with pytest.raises(BillgraphError) as raised:
        bg.record_many([good, bad])
    assert raised.value.code == "BAD_USER_INPUT"
    assert raised.value.index == 1
    assert not raised.value.retryable
    assert bg.attempts == attempts + 1


def test_a_wrong_key_is_unauthenticated(server: BillgraphServer) -> None:
    record = UsageRecord(provider="OPENAI", model="m", tokens_input=1, tokens_output=1)
    with (
        BillgraphClient(server.url, api_key="wrong-key-0123456789", ingest="graphql") as client,
        pytest.raises(BillgraphError) as raised,
    ):
        client.record(record)
    assert raised.value.code == "UNAUTHENTICATED"


def test_auto_ingest_uses_the_bulk_endpoint_or_falls_back_to_graphql(
    server: BillgraphServer, bg: BillgraphClient
) -> None:
    user = new_user()
    records = [
        UsageRecord(
            provider="MISTRAL",
            model="gpt-oss-120b",
            tokens_input=1000,
            tokens_output=500,
            user_id=user,
        )
        for _ in range(3)
    ]
    with BillgraphClient(server.url, api_key=ADMIN_KEY, retry=FAST) as client:
        first = client.record_many(records)
        again = client.record_many(records)
        assert client.ingest == "auto"  # the bulk endpoint answered: no fallback
    assert (first.created, first.replayed, again.created, again.replayed) == (3, 0, 0, 3)
    assert [log["costTotal"] for log in logs_of(bg, user)] == ["0.0025"] * 3


def test_bulk_endpoint_records_and_replays(server: BillgraphServer, bg: BillgraphClient) -> None:
    user = new_user()
    records = [
        UsageRecord(
            provider="HUGGINGFACE",
            model=GUIDE_MODEL,
            tokens_input=1000,
            tokens_output=500,
            user_id=user,
        )
        for _ in range(5)
    ]
    with BillgraphClient(
        server.url, api_key=ADMIN_KEY, retry=FAST, ingest="bulk", batch_size=2
    ) as client:
        first = client.record_many(records)
        again = client.record_many(records)
    assert (first.created, first.replayed, again.created, again.replayed) == (5, 0, 0, 5)
    assert [log["costTotal"] for log in logs_of(bg, user)] == ["0.0025"] * 5


@pytest.mark.parametrize("ingest", ["bulk", "graphql"])
def test_the_service_tier_travels_with_the_record(
    server: BillgraphServer, bg: BillgraphClient, ingest: Literal["bulk", "graphql"]
) -> None:
    user = new_user()
    records = [
        UsageRecord(
            provider="OPENAI",
            model="gpt-4o",
            tokens_input=10,
            tokens_output=5,
            user_id=user,
            service_tier=tier,
        )
        for tier in ("Batch", None)
    ]
    with BillgraphClient(server.url, api_key=ADMIN_KEY, retry=FAST, ingest=ingest) as client:
        client.record_many(records)
    data = bg.graphql(
        "query ($filter: UsageFilter) { usageLogs(filter: $filter) "
        "{ edges { node { requestId serviceTier } } } }",
        {"filter": {"userId": user}},
    )
    tiers = {
        edge["node"]["requestId"]: edge["node"]["serviceTier"]
        for edge in data["usageLogs"]["edges"]
    }
    assert tiers == {records[0].request_id: "BATCH", records[1].request_id: "STANDARD"}
    with pytest.raises(ValueError, match="service_tier"):
        UsageRecord(provider="openai", model="m", tokens_input=1, tokens_output=1, service_tier="x")


def test_bulk_endpoint_refusal_names_the_item(server: BillgraphServer, bg: BillgraphClient) -> None:
    user = new_user()
    good = UsageRecord(
        provider="OPENAI", model="gpt-4o", tokens_input=5, tokens_output=6, user_id=user
    )
    bad = UsageRecord(
        provider="OPENAI", model="gpt-4o", tokens_input=-1, tokens_output=6, user_id=user
    )
    with (
        BillgraphClient(server.url, api_key=ADMIN_KEY, retry=FAST, ingest="bulk") as client,
        pytest.raises(BillgraphError) as raised,
    ):
        client.record_many([good, bad])
    assert (raised.value.code, raised.value.index, raised.value.status) == (
        "BAD_USER_INPUT",
        1,
        400,
    )
    assert logs_of(bg, user) == []


def test_buffered_bulk_recording_across_a_restart(
    server: BillgraphServer, bg: BillgraphClient
) -> None:
    _buffered_across_restart(server, bg, ingest="bulk")


# --- Buffered recording ----------------------------------------------------------------


def _buffered_across_restart(server: BillgraphServer, bg: BillgraphClient, *, ingest: Any) -> None:
    user = new_user()
    client = BillgraphClient(server.url, api_key=ADMIN_KEY, retry=FAST, ingest=ingest, timeout=5)
    recorder = BufferedRecorder(
        client, batch_size=7, flush_interval=0.05, retry=RetryPolicy(base_delay=0.05, max_delay=0.2)
    )
    records = [
        UsageRecord(
            provider="HUGGINGFACE",
            model=GUIDE_MODEL,
            tokens_input=1000,
            tokens_output=500,
            user_id=user,
        )
        for _ in range(40)
    ]
    try:
        for record in records[:20]:
            recorder.record(record)
        assert recorder.flush(timeout=30)
        server.stop()
        for record in records[20:]:
            recorder.record(record)
        deadline = time.monotonic() + 30
        while recorder.stats.failed_sends == 0 and time.monotonic() < deadline:
            time.sleep(0.02)  # waiting for the recorder to notice the server is gone
        assert recorder.stats.failed_sends > 0
        assert recorder.pending > 0
        server.start()
        recorder.close(timeout=60)
    finally:
        if not server.running:
            server.start()
        client.close()

    stats = recorder.stats
    assert (stats.accepted, stats.created + stats.replayed, stats.unsent) == (40, 40, 0)
    assert (stats.dropped_full, stats.rejected) == (0, 0)
    logs = logs_of(bg, user)
    assert sorted(log["requestId"] for log in logs) == sorted(r.request_id for r in records)
    summary = bg.graphql(
        "query ($f: UsageFilter) { costSummary(filter: $f) { requests costTotal } }",
        {"f": {"userId": user}},
    )["costSummary"]
    assert summary == {"requests": "40", "costTotal": "0.1"}


def test_buffered_recording_across_a_server_restart(
    server: BillgraphServer, bg: BillgraphClient
) -> None:
    _buffered_across_restart(server, bg, ingest="graphql")


def test_full_buffer_drops_with_a_count_and_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    port = free_port()  # nobody serves it
    client = BillgraphClient(f"http://127.0.0.1:{port}", retry=RetryPolicy(attempts=1))
    recorder = BufferedRecorder(
        client,
        batch_size=2,
        max_buffer=2,
        when_full="drop",
        flush_interval=60,
        retry=RetryPolicy(base_delay=0.01, max_delay=0.02),
    )
    records = [
        UsageRecord(provider="OPENAI", model="m", tokens_input=1, tokens_output=1) for _ in range(5)
    ]
    with caplog.at_level(logging.WARNING, logger="billgraph.client"):
        kept = [recorder.record(record) for record in records]
        recorder.close(timeout=0.2)
    client.close()
    assert kept == [True, True, False, False, False]
    assert (recorder.stats.dropped_full, recorder.stats.unsent) == (3, 2)
    assert "usage buffer full" in caplog.text
    assert "2 usage records not sent" in caplog.text


def test_bad_record_in_a_buffered_batch_is_rejected_alone(
    server: BillgraphServer, bg: BillgraphClient, caplog: pytest.LogCaptureFixture
) -> None:
    user = new_user()
    client = BillgraphClient(server.url, api_key=ADMIN_KEY, retry=FAST, ingest="graphql")
    records = [
        UsageRecord(
            provider="OPENAI", model="gpt-4o", tokens_input=tokens, tokens_output=1, user_id=user
        )
        for tokens in (3, -1, 4)
    ]
    with (
        caplog.at_level(logging.ERROR, logger="billgraph.client"),
        BufferedRecorder(client, batch_size=10, flush_interval=60) as recorder,
    ):
        for record in records:
            recorder.record(record)
    client.close()
    assert (recorder.stats.created, recorder.stats.rejected) == (2, 1)
    assert records[1].request_id in caplog.text
    assert len(logs_of(bg, user)) == 2


async def test_async_client_and_buffered_recorder(server: BillgraphServer) -> None:
    user = new_user()
    async with AsyncBillgraphClient(
        server.url, api_key=ADMIN_KEY, retry=FAST, ingest="graphql"
    ) as client:
        one = await client.record(
            UsageRecord(
                provider="HUGGINGFACE",
                model=GUIDE_MODEL,
                tokens_input=1000,
                tokens_output=500,
                user_id=user,
            )
        )
        assert one.created == 1
        async with AsyncBufferedRecorder(client, batch_size=4, flush_interval=0.05) as recorder:
            for _ in range(10):
                await recorder.record(
                    UsageRecord(
                        provider="OPENAI",
                        model="gpt-4o",
                        tokens_input=1,
                        tokens_output=1,
                        user_id=user,
                    )
                )
        assert (recorder.stats.created, recorder.stats.unsent) == (10, 0)
        data = await client.graphql(
            "query ($f: UsageFilter) { costSummary(filter: $f) { requests } }",
            {"f": {"userId": user}},
        )
    assert data["costSummary"]["requests"] == "11"


def test_the_client_imports_without_the_server_or_the_sdks() -> None:
    code = (
        "import sys, billgraph.client\n"
        "heavy = {'fastapi', 'tortoise', 'strawberry', 'pydantic', 'openai', 'anthropic',"
        " 'litellm'}\n"
        "print(sorted(heavy & {name.split('.')[0] for name in sys.modules}))\n"
    )
    completed = subprocess.run(  # noqa: S603  (our interpreter)
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"
