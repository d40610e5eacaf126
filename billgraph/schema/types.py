"""GraphQL object and input types, and their conversion from service results."""

from datetime import datetime
from decimal import Decimal
from typing import Self

import strawberry

from billgraph import models
from billgraph.models import PricingManager, PricingSource, Provider
from billgraph.schema.scalars import Int64
from billgraph.services.costs import Cost, from_pico
from billgraph.services.pricing import PricingInitReport as InitReport
from billgraph.services.pricing import ResolvedPrice
from billgraph.services.usage import UsageFilter as ServiceUsageFilter
from billgraph.services.usage_totals import UsageTotals

strawberry.enum(Provider, description="The LLM provider a call went to.")
strawberry.enum(PricingSource, description="Which step of the pricing chain priced a call.")
strawberry.enum(
    PricingManager,
    description="Who owns a pricing row: startup initialization (ENVIRONMENT) or an admin.",
)


@strawberry.type(description="The per-token prices of one provider's model, in USD.")
class Pricing:
    id: strawberry.ID
    provider: Provider
    model_name: str
    input_token_cost: Decimal
    output_token_cost: Decimal
    managed_by: PricingManager
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, row: models.Pricing) -> Self:
        return cls(
            id=strawberry.ID(str(row.id)),
            provider=row.provider,
            model_name=row.model_name,
            input_token_cost=from_pico(row.input_token_cost_pico),
            output_token_cost=from_pico(row.output_token_cost_pico),
            managed_by=row.managed_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(description="The prices the chain chose for a (provider, model) and why.")
class ResolvedPricing:
    provider: Provider
    pricing_provider: Provider
    requested_model: str
    matched_model_name: str | None
    source: PricingSource
    is_estimate: bool
    input_token_cost: Decimal
    output_token_cost: Decimal
    pricing: Pricing | None

    @classmethod
    def from_service(cls, price: ResolvedPrice) -> Self:
        return cls(
            provider=price.provider,
            pricing_provider=price.pricing_provider,
            requested_model=price.requested_model,
            matched_model_name=price.matched_model_name,
            source=price.source,
            is_estimate=price.is_estimate,
            input_token_cost=from_pico(price.input_price_pico),
            output_token_cost=from_pico(price.output_price_pico),
            pricing=Pricing.from_model(price.pricing) if price.pricing else None,
        )


@strawberry.type(description="What a call costs, side by side, and the prices used.")
class CostBreakdown:
    tokens_input: int
    tokens_output: int
    cost_input: Decimal
    cost_output: Decimal
    cost_total: Decimal
    pricing: ResolvedPricing

    @classmethod
    def from_service(
        cls, *, tokens_input: int, tokens_output: int, cost: Cost, price: ResolvedPrice
    ) -> Self:
        return cls(
            tokens_input=tokens_input,
            tokens_output=tokens_output,
            cost_input=from_pico(cost.input_pico),
            cost_output=from_pico(cost.output_pico),
            cost_total=from_pico(cost.total_pico),
            pricing=ResolvedPricing.from_service(price),
        )


@strawberry.type(description="One recorded LLM call with the prices and costs applied then.")
class UsageLog:
    id: strawberry.ID
    request_id: str
    user_id: str | None
    provider: Provider
    model: str
    tokens_input: int
    tokens_output: int
    input_token_cost: Decimal
    output_token_cost: Decimal
    cost_input: Decimal
    cost_output: Decimal
    cost_total: Decimal
    pricing_source: PricingSource
    matched_model_name: str | None
    occurred_at: datetime
    recorded_at: datetime

    @classmethod
    def from_model(cls, log: models.UsageLog) -> Self:
        return cls(
            id=strawberry.ID(str(log.id)),
            request_id=log.request_id,
            user_id=log.user_id,
            provider=log.provider,
            model=log.model,
            tokens_input=log.tokens_input,
            tokens_output=log.tokens_output,
            input_token_cost=from_pico(log.input_token_cost_pico),
            output_token_cost=from_pico(log.output_token_cost_pico),
            cost_input=from_pico(log.cost_input_pico),
            cost_output=from_pico(log.cost_output_pico),
            cost_total=from_pico(log.cost_total_pico),
            pricing_source=log.pricing_source,
            matched_model_name=log.matched_model_name,
            occurred_at=log.occurred_at,
            recorded_at=log.recorded_at,
        )


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class UsageLogEdge:
    node: UsageLog
    cursor: str


@strawberry.type(description="A page of usage logs, newest first.")
class UsageLogConnection:
    edges: list[UsageLogEdge]
    page_info: PageInfo


@strawberry.type(description="Exact totals over the matching usage logs.")
class CostTotals:
    requests: Int64
    tokens_input: Int64
    tokens_output: Int64
    cost_input: Decimal
    cost_output: Decimal
    cost_total: Decimal
    estimated_cost_total: Decimal = strawberry.field(
        description="The part of costTotal priced by BUILTIN_ESTIMATE (unpriced models)."
    )

    @classmethod
    def from_service(cls, totals: UsageTotals) -> Self:
        return cls(
            requests=Int64(totals.requests),
            tokens_input=Int64(totals.tokens_input),
            tokens_output=Int64(totals.tokens_output),
            cost_input=from_pico(totals.cost_input_pico),
            cost_output=from_pico(totals.cost_output_pico),
            cost_total=from_pico(totals.cost_total_pico),
            estimated_cost_total=from_pico(totals.estimated_cost_total_pico),
        )


@strawberry.type(description="What initializePricing did to each environment-managed row.")
class PricingInitReport:
    created: list[Pricing]
    updated: list[Pricing]
    unchanged: list[Pricing]
    skipped: list[Pricing] = strawberry.field(description="Rows an admin manages: left alone.")

    @classmethod
    def from_service(cls, report: InitReport) -> Self:
        return cls(
            created=[Pricing.from_model(row) for row in report.created],
            updated=[Pricing.from_model(row) for row in report.updated],
            unchanged=[Pricing.from_model(row) for row in report.unchanged],
            skipped=[Pricing.from_model(row) for row in report.skipped],
        )


@strawberry.input(description="Which usage logs to cover; from is inclusive, to exclusive.")
class UsageFilter:
    user_id: str | None = None
    provider: Provider | None = None
    model: str | None = None
    pricing_source: PricingSource | None = None
    from_: datetime | None = strawberry.field(default=None, name="from")
    to: datetime | None = None

    def to_service(self) -> ServiceUsageFilter:
        return ServiceUsageFilter(
            user_id=self.user_id,
            provider=self.provider,
            model=self.model,
            pricing_source=self.pricing_source,
            occurred_from=self.from_,
            occurred_to=self.to,
        )


@strawberry.input(description="One LLM call to record. Same requestId, same payload: no-op.")
class RecordUsageInput:
    provider: Provider
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


@strawberry.input(description="The per-token prices of one model. Send Decimals as strings.")
class PricingInput:
    provider: Provider
    model_name: str
    input_token_cost: Decimal
    output_token_cost: Decimal
