"""GraphQL operations that write. Each resolver: arguments -> service call -> type."""

from typing import Any

import strawberry
from strawberry.types import Info

from billgraph.models import Provider
from billgraph.schema.context import Context
from billgraph.schema.permissions import IsAdmin
from billgraph.schema.types import (
    Pricing,
    PricingInitReport,
    PricingInput,
    RecordUsageInput,
    UsageLog,
)
from billgraph.services import pricing, usage

RequestInfo = Info[Context, Any]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Price and record one LLM call, exactly once per requestId.")
    async def record_usage(self, info: RequestInfo, input: RecordUsageInput) -> UsageLog:
        log = await usage.record_usage(
            provider=input.provider,
            model=input.model,
            tokens_input=input.tokens_input,
            tokens_output=input.tokens_output,
            request_id=input.request_id,
            user_id=input.user_id,
            occurred_at=input.occurred_at,
            now=info.context.now(),
            environment_prices=info.context.environment_prices,
        )
        return UsageLog.from_model(log)

    @strawberry.mutation(
        description="Upsert the environment-managed default prices (admin).",
        permission_classes=[IsAdmin],
    )
    async def initialize_pricing(self, info: RequestInfo) -> PricingInitReport:
        report = await pricing.initialize_default_pricing(
            environment_prices=info.context.environment_prices
        )
        return PricingInitReport.from_service(report)

    @strawberry.mutation(
        description="Create or replace a model's prices; the row becomes ADMIN-managed (admin).",
        permission_classes=[IsAdmin],
    )
    async def upsert_pricing(self, info: RequestInfo, input: PricingInput) -> Pricing:
        row = await pricing.upsert_pricing(
            provider=input.provider,
            model_name=input.model_name,
            input_token_cost=input.input_token_cost,
            output_token_cost=input.output_token_cost,
        )
        return Pricing.from_model(row)

    @strawberry.mutation(
        description="Delete a pricing row; logs it priced keep their costs (admin).",
        permission_classes=[IsAdmin],
    )
    async def delete_pricing(self, info: RequestInfo, provider: Provider, model_name: str) -> bool:
        await pricing.delete_pricing(provider=provider, model_name=model_name)
        return True
