"""GraphQL types of recorded usage: logs, cost breakdowns and usage inputs."""

from datetime import datetime
from decimal import Decimal
from typing import Self

import strawberry

from billgraph import models
from billgraph.schema.connection import Connection, Edge
from billgraph.schema.enums import PricingSource, ServiceTier
from billgraph.schema.pricing_types import ResolvedPricing
from billgraph.schema.scalars import ProviderId
from billgraph.services.costs import Cost, from_pico
from billgraph.services.pricing_chain import ResolvedPrice
from billgraph.services.token_counts import TokenCounts
from billgraph.services.usage import BatchResult, UsageInput
from billgraph.services.usage import UsageFilter as ServiceUsageFilter


@strawberry.type(description="What a call costs, side by side, and the prices used.")
class CostBreakdown:
    tokens_input: int = strawberry.field(description="All prompt tokens, cached ones included.")
    tokens_output: int = strawberry.field(description="All completion tokens, reasoning included.")
    tokens_cached_input: int
    tokens_cache_write: int
    tokens_reasoning: int
    cost_input: Decimal = strawberry.field(description="The whole prompt side.")
    cost_output: Decimal = strawberry.field(description="The whole completion side.")
    cost_cached_input: Decimal
    cost_cache_write: Decimal
    cost_reasoning: Decimal
    cost_total: Decimal
    pricing: ResolvedPricing

    @classmethod
    def from_service(cls, *, tokens: TokenCounts, cost: Cost, price: ResolvedPrice) -> Self:
        return cls(
            tokens_input=tokens.input,
            tokens_output=tokens.output,
            tokens_cached_input=tokens.cached_input,
            tokens_cache_write=tokens.cache_write,
            tokens_reasoning=tokens.reasoning,
            cost_input=from_pico(cost.input_pico),
            cost_output=from_pico(cost.output_pico),
            cost_cached_input=from_pico(cost.cached_input_pico),
            cost_cache_write=from_pico(cost.cache_write_pico),
            cost_reasoning=from_pico(cost.reasoning_pico),
            cost_total=from_pico(cost.total_pico),
            pricing=ResolvedPricing.from_service(price),
        )


@strawberry.type(description="One recorded LLM call with the prices and costs applied then.")
class UsageLog:
    id: strawberry.ID
    request_id: str
    user_id: str | None
    provider: ProviderId
    model: str
    service_tier: ServiceTier = strawberry.field(description="As the caller sent it.")
    tokens_input: int
    tokens_output: int
    tokens_cached_input: int
    tokens_cache_write: int
    tokens_reasoning: int
    input_token_cost: Decimal
    output_token_cost: Decimal
    cached_input_token_cost: Decimal
    cache_write_token_cost: Decimal
    reasoning_token_cost: Decimal
    cost_input: Decimal
    cost_output: Decimal
    cost_cached_input: Decimal
    cost_cache_write: Decimal
    cost_reasoning: Decimal
    cost_total: Decimal
    pricing_source: PricingSource
    matched_model_name: str | None
    pricing_id: strawberry.ID | None = strawberry.field(
        description=(
            "The price version (Pricing.id) that priced it; null when the environment "
            "prices or the built-in estimate did."
        )
    )
    priced_service_tier: ServiceTier = strawberry.field(
        description="The service tier of the price version's tier that priced the call: the "
        "call's own, or STANDARD when the version has no price of that tier for it."
    )
    priced_above_input_tokens: int = strawberry.field(
        description="That tier's prompt-size threshold; 0 with STANDARD: the version's own prices."
    )
    occurred_at: datetime
    recorded_at: datetime

    @classmethod
    def from_model(cls, log: models.UsageLog) -> Self:
        return cls(
            id=strawberry.ID(str(log.id)),
            request_id=log.request_id,
            user_id=log.user_id,
            provider=ProviderId(log.provider),
            model=log.model,
            service_tier=ServiceTier(log.service_tier),
            tokens_input=log.tokens_input,
            tokens_output=log.tokens_output,
            tokens_cached_input=log.tokens_cached_input,
            tokens_cache_write=log.tokens_cache_write,
            tokens_reasoning=log.tokens_reasoning,
            input_token_cost=from_pico(log.input_token_cost_pico),
            output_token_cost=from_pico(log.output_token_cost_pico),
            cached_input_token_cost=from_pico(log.cached_input_token_cost_pico),
            cache_write_token_cost=from_pico(log.cache_write_token_cost_pico),
            reasoning_token_cost=from_pico(log.reasoning_token_cost_pico),
            cost_input=from_pico(log.cost_input_pico),
            cost_output=from_pico(log.cost_output_pico),
            cost_cached_input=from_pico(log.cost_cached_input_pico),
            cost_cache_write=from_pico(log.cost_cache_write_pico),
            cost_reasoning=from_pico(log.cost_reasoning_pico),
            cost_total=from_pico(log.cost_total_pico),
            pricing_source=log.pricing_source,
            matched_model_name=log.matched_model_name,
            pricing_id=strawberry.ID(str(log.pricing_id)) if log.pricing_id is not None else None,
            priced_service_tier=ServiceTier(log.priced_service_tier),
            priced_above_input_tokens=log.priced_above_prompt_tokens,
            occurred_at=log.occurred_at,
            recorded_at=log.recorded_at,
        )


@strawberry.type(description="A page of usage logs, newest first.")
class UsageLogConnection(Connection[Edge[UsageLog]]):
    pass


@strawberry.input(description="Which usage logs to cover; from is inclusive, to exclusive.")
class UsageFilter:
    user_id: str | None = None
    provider: ProviderId | None = None
    model: str | None = None
    pricing_source: PricingSource | None = None
    service_tier: ServiceTier | None = None
    from_: datetime | None = strawberry.field(default=None, name="from")
    to: datetime | None = None

    def to_service(self) -> ServiceUsageFilter:
        return ServiceUsageFilter(
            user_id=self.user_id,
            provider=self.provider,
            model=self.model,
            pricing_source=self.pricing_source,
            service_tier=self.service_tier,
            occurred_from=self.from_,
            occurred_to=self.to,
        )


@strawberry.input(description="One LLM call to record. Same requestId, same payload: no-op.")
class RecordUsageInput:
    provider: ProviderId
    model: str
    tokens_input: int
    tokens_output: int
    request_id: str | None = strawberry.field(
        default=None, description="Your idempotency key; a UUID is generated when absent."
    )
    user_id: str | None = None
    occurred_at: datetime | None = strawberry.field(
        default=None, description="When the call happened (with offset); defaults to now."
    )
    tokens_cached_input: int = strawberry.field(
        default=0, description="Of tokensInput, those read from the prompt cache."
    )
    tokens_cache_write: int = strawberry.field(
        default=0, description="Of tokensInput, those written to the prompt cache."
    )
    tokens_reasoning: int = strawberry.field(
        default=0, description="Of tokensOutput, the reasoning tokens."
    )
    reservation_id: str | None = strawberry.field(
        default=None,
        description="The authorizeUsage reservation this call used: its hold is replaced "
        "by the real cost. An unknown or expired id does not stop the recording.",
    )
    service_tier: ServiceTier | None = strawberry.field(
        default=None,
        description="The provider's service tier the call used; unset: STANDARD. A price "
        "version's tier of that service tier prices it, else its standard prices.",
    )

    def to_service(self) -> UsageInput:
        return UsageInput(
            provider=self.provider,
            model=self.model,
            tokens_input=self.tokens_input,
            tokens_output=self.tokens_output,
            request_id=self.request_id,
            user_id=self.user_id,
            occurred_at=self.occurred_at,
            tokens_cached_input=self.tokens_cached_input,
            tokens_cache_write=self.tokens_cache_write,
            tokens_reasoning=self.tokens_reasoning,
            reservation_id=self.reservation_id,
            service_tier=None if self.service_tier is None else self.service_tier.value,
        )


@strawberry.type(description="What recordUsageBatch stored.")
class RecordUsageBatchResult:
    created: int = strawberry.field(description="Records written by this call.")
    replayed: int = strawberry.field(description="Records whose requestId was already stored.")
    result: strawberry.Private[BatchResult]

    @strawberry.field(description="Every record's log, in input order.")
    def logs(self) -> list[UsageLog]:
        # Built only when selected: ingest clients usually ask for the counts alone.
        return [UsageLog.from_model(log) for log in self.result.logs]

    @classmethod
    def from_service(cls, result: BatchResult) -> Self:
        return cls(created=result.created, replayed=result.replayed, result=result)
