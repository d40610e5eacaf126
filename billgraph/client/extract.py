"""Usage from the responses LLM SDKs return, as SDK objects or plain dicts.

Shapes understood:
- OpenAI chat completions (and every OpenAI-compatible server, HuggingFace's router
  included): `usage.prompt_tokens`, `usage.completion_tokens`,
  `prompt_tokens_details.cached_tokens`, `completion_tokens_details.reasoning_tokens`;
- the OpenAI Responses API: `usage.input_tokens`, `usage.output_tokens`,
  `input_tokens_details.cached_tokens`, `output_tokens_details.reasoning_tokens`;
- Anthropic messages: `usage.input_tokens` (the uncached part),
  `cache_read_input_tokens`, `cache_creation_input_tokens`, `output_tokens`;
- streams of any of these (`UsageStream`): usage arrives in the last chunk (OpenAI with
  `stream_options={"include_usage": True}`), in `response.completed` (Responses API),
  or in `message_start` and `message_delta` events (Anthropic).

The request id is the provider's response id and the time is the response's creation
time (`created`, `created_at`) or, when it has none (Anthropic), left to the server, so
recording one response twice stores it once.
"""

from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from billgraph.client.records import UsageRecord, new_request_id


class UsageMissingError(ValueError):
    """The response carries no token usage (e.g. a stream without include_usage)."""


def _get(obj: Any, *path: str) -> Any:
    """Return obj.a.b... (attributes or mapping keys); None where a step is missing."""
    for name in path:
        if obj is None:
            return None
        obj = obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)
    return obj


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float | str) and str(value).strip() else 0


def _created(response: Any) -> datetime | None:
    """Return when the provider made the response, if it says (Unix seconds)."""
    for name in ("created", "created_at"):
        value = _get(response, name)
        if isinstance(value, int | float) and value > 0:
            return datetime.fromtimestamp(value, UTC)
    return None


def _kind(response: Any) -> str:
    """Return "chat", "responses" or "anthropic" by the response's own markers."""
    marker = _get(response, "object")
    if marker == "response":
        return "responses"
    if isinstance(marker, str) and marker.startswith(("chat.completion", "text_completion")):
        return "chat"
    if _get(response, "type") == "message":
        return "anthropic"
    usage = _get(response, "usage")
    if _get(usage, "prompt_tokens") is not None:
        return "chat"
    if _get(usage, "input_tokens_details") is not None:
        return "responses"
    if _get(usage, "input_tokens") is not None:
        return "anthropic"
    raise UsageMissingError("the response has no token usage")


def _from_usage(kind: str, usage: Any) -> dict[str, int]:
    """Return billgraph's token kinds from a usage block of the given kind."""
    if kind == "anthropic":
        cache_read = _int(_get(usage, "cache_read_input_tokens"))
        cache_write = _int(_get(usage, "cache_creation_input_tokens"))
        return {
            "tokens_input": _int(_get(usage, "input_tokens")) + cache_read + cache_write,
            "tokens_output": _int(_get(usage, "output_tokens")),
            "tokens_cached_input": cache_read,
            "tokens_cache_write": cache_write,
            "tokens_reasoning": 0,
        }
    if kind == "responses":
        return {
            "tokens_input": _int(_get(usage, "input_tokens")),
            "tokens_output": _int(_get(usage, "output_tokens")),
            "tokens_cached_input": _int(_get(usage, "input_tokens_details", "cached_tokens")),
            "tokens_cache_write": 0,
            "tokens_reasoning": _int(_get(usage, "output_tokens_details", "reasoning_tokens")),
        }
    # Chat completions; LiteLLM adds Anthropic's cache-write count beside them.
    return {
        "tokens_input": _int(_get(usage, "prompt_tokens")),
        "tokens_output": _int(_get(usage, "completion_tokens")),
        "tokens_cached_input": _int(_get(usage, "prompt_tokens_details", "cached_tokens")),
        "tokens_cache_write": _int(_get(usage, "cache_creation_input_tokens")),
        "tokens_reasoning": _int(_get(usage, "completion_tokens_details", "reasoning_tokens")),
    }


def _default_provider(kind: str) -> str:
    return "anthropic" if kind == "anthropic" else "openai"


def usage_from_response(
    response: Any,
    *,
    provider: str | None = None,
    model: str | None = None,
    user_id: str | None = None,
    request_id: str | None = None,
) -> UsageRecord:
    """Return the usage record of one (non-streamed) LLM response.

    `provider` defaults to OPENAI for OpenAI shapes and ANTHROPIC for Anthropic's; pass
    it for OpenAI-compatible servers (e.g. "HUGGINGFACE" for HuggingFace's router).
    `model` defaults to the response's model; pass the model as sent when the server
    answers with another name. `request_id` defaults to the response's id.
    """
    kind = _kind(response)
    usage = _get(response, "usage")
    if usage is None:
        raise UsageMissingError("the response has no token usage")
    return _record(
        kind,
        _from_usage(kind, usage),
        provider=provider,
        model=model or _get(response, "model"),
        user_id=user_id,
        request_id=request_id or _get(response, "id"),
        occurred_at=_created(response),
        service_tier=_service_tier(response, usage),
    )


# The service tiers the SDKs report that billgraph prices apart (OpenAI's "default" and
# "auto", Anthropic's "standard": the standard tier).
_PRICED_TIERS = {"batch", "flex", "priority"}


def _service_tier(response: Any, usage: Any) -> str | None:
    """Return the priced service tier a response reports (OpenAI on the response,
    Anthropic in its usage), or None for the standard tier."""
    for tier in (_get(response, "service_tier"), _get(usage, "service_tier")):
        if isinstance(tier, str) and tier.strip().lower() in _PRICED_TIERS:
            return tier.strip().lower()
    return None


def _record(
    kind: str,
    tokens: dict[str, int],
    *,
    provider: str | None,
    model: Any,
    user_id: str | None,
    request_id: Any,
    occurred_at: datetime | None,
    service_tier: str | None = None,
) -> UsageRecord:
    if not isinstance(model, str) or not model:
        raise UsageMissingError("the response names no model: pass model=")
    return UsageRecord(
        provider=provider or _default_provider(kind),
        model=model,
        user_id=user_id,
        request_id=str(request_id) if request_id else new_request_id(),
        occurred_at=occurred_at,
        tokens_input=tokens["tokens_input"],
        tokens_output=tokens["tokens_output"],
        tokens_cached_input=tokens["tokens_cached_input"],
        tokens_cache_write=tokens["tokens_cache_write"],
        tokens_reasoning=tokens["tokens_reasoning"],
        service_tier=service_tier,
    )


class UsageStream:
    """Collects the usage of a streamed response, chunk by chunk or event by event."""

    def __init__(self) -> None:
        self.kind: str | None = None
        self.response_id: str | None = None
        self.model: str | None = None
        self.created: datetime | None = None
        self._tokens: dict[str, int] | None = None
        self._anthropic_usage: dict[str, Any] = {}

    def add(self, event: Any) -> None:
        """Take one chunk (OpenAI) or event (Responses API, Anthropic) of the stream."""
        event_type = _get(event, "type")
        if event_type == "message_start":  # Anthropic: input side, id and model
            message = _get(event, "message")
            self._note("anthropic", message)
            self._merge_anthropic(_get(message, "usage"))
        elif event_type == "message_delta":  # Anthropic: the output count so far
            self._merge_anthropic(_get(event, "usage"))
        elif event_type in {"response.completed", "response.incomplete"}:
            response = _get(event, "response")
            self._note("responses", response)
            if (usage := _get(response, "usage")) is not None:
                self._tokens = _from_usage("responses", usage)
        elif _get(event, "object") == "chat.completion.chunk" or _get(event, "choices") is not None:
            self._note("chat", event)
            if (usage := _get(event, "usage")) is not None:
                self._tokens = _from_usage("chat", usage)

    def record(
        self,
        *,
        provider: str | None = None,
        model: str | None = None,
        user_id: str | None = None,
        request_id: str | None = None,
    ) -> UsageRecord:
        """Return the stream's usage record; raise UsageMissingError if none arrived."""
        if self.kind is None or self._tokens is None:
            raise UsageMissingError(
                "the stream carried no usage (OpenAI: stream_options={'include_usage': True})"
            )
        return _record(
            self.kind,
            self._tokens,
            provider=provider,
            model=model or self.model,
            user_id=user_id,
            request_id=request_id or self.response_id,
            occurred_at=self.created,
        )

    def _note(self, kind: str, response: Any) -> None:
        self.kind = kind
        if (response_id := _get(response, "id")) and self.response_id is None:
            self.response_id = str(response_id)
        if (model := _get(response, "model")) and self.model is None:
            self.model = str(model)
        if self.created is None:
            self.created = _created(response)

    def _merge_anthropic(self, usage: Any) -> None:
        if usage is None:
            return
        self.kind = self.kind or "anthropic"
        known = {
            name: value
            for name in (
                "input_tokens",
                "cache_read_input_tokens",
                "cache_creation_input_tokens",
                "output_tokens",
            )
            if (value := _get(usage, name)) is not None
        }
        # message_delta counts are cumulative: later values replace earlier ones.
        self._anthropic_usage.update(known)
        self._tokens = _from_usage("anthropic", self._anthropic_usage)


class Recorder(Protocol):
    """Anything with `record(UsageRecord)`: a client or a buffered recorder."""

    def record(self, record: UsageRecord, /) -> Any: ...


def record_stream(
    stream: Any,
    recorder: Recorder,
    *,
    provider: str | None = None,
    model: str | None = None,
    user_id: str | None = None,
) -> Iterator[Any]:
    """Yield every chunk of `stream`, then record its usage once it is exhausted."""
    usage = UsageStream()
    for event in stream:
        usage.add(event)
        yield event
    recorder.record(usage.record(provider=provider, model=model, user_id=user_id))


class AsyncRecorder(Protocol):
    """Anything with `async record(UsageRecord)`."""

    async def record(self, record: UsageRecord, /) -> Any: ...


async def arecord_stream(
    stream: Any,
    recorder: AsyncRecorder,
    *,
    provider: str | None = None,
    model: str | None = None,
    user_id: str | None = None,
) -> AsyncIterator[Any]:
    """Yield every chunk of an async `stream`, then record its usage."""
    usage = UsageStream()
    async for event in stream:
        usage.add(event)
        yield event
    await recorder.record(usage.record(provider=provider, model=model, user_id=user_id))
