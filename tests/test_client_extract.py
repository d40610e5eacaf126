"""Usage extraction from the response shapes of real SDKs, as plain dicts (no network)."""

from datetime import UTC, datetime
from typing import Any, cast

import pytest

from billgraph.client import (
    PROVIDERS,
    UsageMissingError,
    UsageStream,
    provider_from_base_url,
    provider_from_litellm,
    usage_from_response,
)
from billgraph.client.providers import LITELLM_PROVIDERS
from billgraph.models.enums import Provider
from billgraph.services.catalog import catalog_provider
from billgraph.services.provider_ids import provider_id


def tokens(record: Any) -> tuple[int, int, int, int, int]:
    return (
        record.tokens_input,
        record.tokens_output,
        record.tokens_cached_input,
        record.tokens_cache_write,
        record.tokens_reasoning,
    )


CHAT = {
    "id": "chatcmpl-abc",
    "object": "chat.completion",
    "created": 1764806400,
    "model": "openai/gpt-oss-120b:groq",
    "choices": [],
    "usage": {
        "prompt_tokens": 1200,
        "completion_tokens": 300,
        "total_tokens": 1500,
        "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 128, "audio_tokens": 0},
    },
}


def test_chat_completion() -> None:
    record = usage_from_response(CHAT, provider="huggingface", user_id="alice")
    assert (record.provider, record.model, record.user_id) == (
        "huggingface",
        "openai/gpt-oss-120b:groq",
        "alice",
    )
    assert tokens(record) == (1200, 300, 1024, 0, 128)
    assert record.request_id == "chatcmpl-abc"
    assert record.occurred_at == datetime(2025, 12, 4, tzinfo=UTC)


def test_chat_completion_without_details_and_with_the_model_as_sent() -> None:
    response = {
        "id": "x",
        "object": "chat.completion",
        "model": "gpt-oss-120b",
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "prompt_tokens_details": None},
    }
    record = usage_from_response(response, model="openai/gpt-oss-120b:groq")
    assert (record.provider, record.model) == ("openai", "openai/gpt-oss-120b:groq")
    assert tokens(record) == (10, 5, 0, 0, 0)


def test_responses_api() -> None:
    response = {
        "id": "resp_123",
        "object": "response",
        "created_at": 1764806400,
        "model": "gpt-5",
        "usage": {
            "input_tokens": 900,
            "input_tokens_details": {"cached_tokens": 512},
            "output_tokens": 700,
            "output_tokens_details": {"reasoning_tokens": 600},
            "total_tokens": 1600,
        },
    }
    record = usage_from_response(response)
    assert (record.provider, record.model, record.request_id) == ("openai", "gpt-5", "resp_123")
    assert tokens(record) == (900, 700, 512, 0, 600)


ANTHROPIC = {
    "id": "msg_01",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5",
    "content": [],
    "usage": {
        "input_tokens": 100,
        "cache_creation_input_tokens": 2000,
        "cache_read_input_tokens": 8000,
        "output_tokens": 400,
    },
}


def test_anthropic_message_prompt_total_is_the_sum_of_its_parts() -> None:
    record = usage_from_response(ANTHROPIC)
    assert (record.provider, record.model, record.request_id) == (
        "anthropic",
        "claude-sonnet-4-5",
        "msg_01",
    )
    assert tokens(record) == (10100, 400, 8000, 2000, 0)
    assert record.occurred_at is None  # no time in the response: the server's


def test_sdk_objects_are_read_like_dicts() -> None:
    class Obj:
        def __init__(self, **fields: Any) -> None:
            self.__dict__.update(fields)

    response = Obj(
        id="chatcmpl-obj",
        object="chat.completion",
        model="gpt-4o",
        created=None,
        usage=Obj(prompt_tokens=3, completion_tokens=4, prompt_tokens_details=None),
    )
    assert tokens(usage_from_response(response)) == (3, 4, 0, 0, 0)


def test_openai_stream_usage_comes_in_the_last_chunk() -> None:
    stream = UsageStream()
    base = {"id": "chatcmpl-s", "object": "chat.completion.chunk", "model": "gpt-4o"}
    stream.add({**base, "choices": [{"delta": {"content": "Hi"}}], "usage": None})
    stream.add({**base, "choices": [], "usage": {"prompt_tokens": 8, "completion_tokens": 2}})
    record = stream.record(user_id="bob")
    assert (record.request_id, record.model, record.user_id) == ("chatcmpl-s", "gpt-4o", "bob")
    assert tokens(record) == (8, 2, 0, 0, 0)


def test_openai_stream_without_include_usage_says_how_to_get_it() -> None:
    stream = UsageStream()
    stream.add({"id": "c", "object": "chat.completion.chunk", "model": "m", "choices": []})
    with pytest.raises(UsageMissingError, match="include_usage"):
        stream.record()


def test_anthropic_stream_events() -> None:
    stream = UsageStream()
    start_usage = {**ANTHROPIC["usage"], "output_tokens": 1}  # type: ignore[dict-item]
    stream.add({"type": "message_start", "message": {**ANTHROPIC, "usage": start_usage}})
    stream.add({"type": "content_block_delta", "index": 0, "delta": {"text": "Hi"}})
    stream.add({"type": "message_delta", "delta": {}, "usage": {"output_tokens": 15}})
    stream.add({"type": "message_delta", "delta": {}, "usage": {"output_tokens": 400}})
    stream.add({"type": "message_stop"})
    record = stream.record()
    assert (record.provider, record.request_id) == ("anthropic", "msg_01")
    assert tokens(record) == (10100, 400, 8000, 2000, 0)


def test_responses_api_stream_completed_event() -> None:
    stream = UsageStream()
    stream.add({"type": "response.output_text.delta", "delta": "Hi"})
    stream.add(
        {
            "type": "response.completed",
            "response": {
                "id": "resp_9",
                "object": "response",
                "model": "gpt-5",
                "usage": {"input_tokens": 5, "output_tokens": 6},
            },
        }
    )
    assert tokens(stream.record()) == (5, 6, 0, 0, 0)


def test_a_response_without_usage_is_an_error() -> None:
    with pytest.raises(UsageMissingError):
        usage_from_response({"id": "x", "object": "chat.completion", "model": "m"})


def test_provider_names_are_billgraphs() -> None:
    assert {provider.value for provider in Provider} == PROVIDERS
    assert all(provider_id(value) == value for value in LITELLM_PROVIDERS.values())
    assert provider_from_litellm("huggingface") == "huggingface"
    assert provider_from_litellm("gemini") == "google"
    # The same provider ids as a catalog import gives LiteLLM's names.
    for name in ("vertex_ai", "vertex_ai_beta", "gemini", "cohere_chat", "azure", "fireworks_ai"):
        assert provider_from_litellm(name) == catalog_provider(
            "vertex_ai" if name == "vertex_ai_beta" else name
        )
    # Providers are open: other LiteLLM names are recorded as they are.
    assert provider_from_litellm("Fireworks_AI") == "fireworks_ai"
    assert provider_from_litellm("azure") == "azure"
    assert provider_from_litellm("not a provider") == "other"
    assert provider_from_litellm(None) == "other"
    assert provider_from_base_url("https://router.huggingface.co/v1") == "huggingface"
    assert provider_from_base_url("http://127.0.0.1:9999/v1") == "other"


ANTHROPIC_USAGE: dict[str, Any] = cast(dict[str, Any], ANTHROPIC["usage"])


@pytest.mark.parametrize(
    ("response", "tier"),
    [
        ({**CHAT, "service_tier": "flex"}, "flex"),
        ({**CHAT, "service_tier": "default"}, None),  # OpenAI's standard tier
        ({**CHAT}, None),
        ({**ANTHROPIC, "usage": {**ANTHROPIC_USAGE, "service_tier": "priority"}}, "priority"),
        ({**ANTHROPIC, "usage": {**ANTHROPIC_USAGE, "service_tier": "standard"}}, None),
    ],
)
def test_the_service_tier_a_response_reports_is_recorded(
    response: dict[str, Any], tier: str | None
) -> None:
    record = usage_from_response(response)
    assert record.service_tier == tier
    assert record.to_json().get("serviceTier") == (tier.upper() if tier else None)
