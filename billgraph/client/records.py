"""What one LLM call costs billgraph to know: the record the client sends."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# The service tiers billgraph prices apart; None (or "standard") is the standard tier.
SERVICE_TIERS = frozenset({"standard", "batch", "flex", "priority"})
# The providers every billgraph starts with (a test keeps this list in step); any other
# provider id ("azure", "fireworks_ai") can be recorded too.
PROVIDERS = frozenset(
    {
        "openai",
        "anthropic",
        "google",
        "mistral",
        "huggingface",
        "groq",
        "cohere",
        "deepseek",
        "xai",
        "other",
    }
)


def new_request_id() -> str:
    """Return a fresh idempotency key for a record the caller did not name."""
    return str(uuid.uuid4())


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class UsageRecord:
    """One LLM call, in billgraph's token kinds.

    `tokens_input` counts every prompt token (cached and cache-write included) and
    `tokens_output` every completion token (reasoning included). The request id and the
    time are fixed when the record is made, so every resend of it is the same record.
    `occurred_at=None` leaves the time to the server (the moment it first stores it).
    `service_tier` is the provider's service tier the call used (batch, flex, priority);
    None is standard.
    """

    provider: str
    model: str
    tokens_input: int
    tokens_output: int
    tokens_cached_input: int = 0
    tokens_cache_write: int = 0
    tokens_reasoning: int = 0
    user_id: str | None = None
    request_id: str = field(default_factory=new_request_id)
    occurred_at: datetime | None = field(default_factory=_now)
    service_tier: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "provider", self.provider.strip().lower())
        if self.service_tier is not None:
            tier = self.service_tier.strip().lower()
            if tier not in SERVICE_TIERS:
                raise ValueError(f"service_tier must be one of {sorted(SERVICE_TIERS)}")
            object.__setattr__(self, "service_tier", tier)
        if self.occurred_at is not None and self.occurred_at.tzinfo is None:
            raise ValueError("occurred_at needs a time zone (an aware datetime)")

    def to_json(self) -> dict[str, Any]:
        """Return the record as billgraph's `RecordUsageInput` in JSON (camelCase)."""
        payload: dict[str, Any] = {
            "provider": self.provider,
            "model": self.model,
            "tokensInput": self.tokens_input,
            "tokensOutput": self.tokens_output,
            "tokensCachedInput": self.tokens_cached_input,
            "tokensCacheWrite": self.tokens_cache_write,
            "tokensReasoning": self.tokens_reasoning,
            "requestId": self.request_id,
        }
        if self.occurred_at is not None:
            payload["occurredAt"] = self.occurred_at.isoformat()
        if self.user_id is not None:
            payload["userId"] = self.user_id
        if self.service_tier is not None:
            # Upper case: the GraphQL enum's values, which POST /v1/usage takes too.
            payload["serviceTier"] = self.service_tier.upper()
        return payload


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What billgraph stored: new records, and records it already had (resends)."""

    created: int = 0
    replayed: int = 0

    def __add__(self, other: "IngestResult") -> "IngestResult":
        return IngestResult(self.created + other.created, self.replayed + other.replayed)
