"""The wire shape of one usage record, as POST /v1/usage and GraphQL variables carry it."""

from datetime import datetime

import msgspec


class UsageRecord(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """One record of POST /v1/usage: the fields of GraphQL RecordUsageInput."""

    provider: str  # a provider id, checked by the service (any case: "openai", "OPENAI")
    model: str
    tokens_input: int
    tokens_output: int
    request_id: str | None = None
    user_id: str | None = None
    occurred_at: datetime | None = None
    tokens_cached_input: int = 0
    tokens_cache_write: int = 0
    tokens_reasoning: int = 0
    reservation_id: str | None = None
    service_tier: str | None = None  # standard, batch, flex or priority, in any case
