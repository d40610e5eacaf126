"""Read-only GraphQL operations. Each resolver: arguments -> service call -> type."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from billgraph.schema.api_key_types import ApiKey
from billgraph.schema.budgets import BudgetQueries
from billgraph.schema.connection import Edge
from billgraph.schema.context import Context
from billgraph.schema.enums import CostReportOrder, Granularity, ServiceTier, UsageDimension
from billgraph.schema.pagination import (
    decode_audit_cursor,
    decode_cursor,
    decode_row_cursor,
    encode_audit_cursor,
    encode_cursor,
    encode_row_cursor,
    parse_id,
)
from billgraph.schema.permissions import CanRead, IsAdmin
from billgraph.schema.pricing_types import (
    Pricing,
    PricingChange,
    PricingChangeConnection,
    ResolvedPricing,
)
from billgraph.schema.provider_types import ProviderInfo
from billgraph.schema.report_types import CostReportRow, CostTotals, TimeSeriesPoint
from billgraph.schema.repricing_types import (
    UsageRepricingConnection,
    UsageRepricingEdge,
    UsageRepricingEntry,
)
from billgraph.schema.scalars import ProviderId
from billgraph.schema.usage_types import CostBreakdown, UsageFilter, UsageLog, UsageLogConnection
from billgraph.schema.webhooks import WebhookQueries
from billgraph.services import api_keys, audit, pricing, reports, usage
from billgraph.services import providers as provider_service
from billgraph.services.errors import InvalidInputError
from billgraph.services.token_counts import TokenCounts

RequestInfo = Info[Context, Any]


# SDL order: the budgets' fields, the webhooks', then these (strawberry takes a
# type's fields base by base in the order the bases are listed).
@strawberry.type
class Query(BudgetQueries, WebhookQueries):
    @strawberry.field(
        description="Every registered provider, by id, with the provider whose prices it uses.",
        permission_classes=[CanRead],
    )
    async def providers(self, info: RequestInfo) -> list[ProviderInfo]:
        return [ProviderInfo.from_model(row) for row in await provider_service.list_providers()]

    @strawberry.field(
        description="The price of each model in effect at `at` (default now).",
        permission_classes=[CanRead],
    )
    async def pricings(
        self, info: RequestInfo, provider: ProviderId | None = None, at: datetime | None = None
    ) -> list[Pricing]:
        rows = await pricing.list_pricings(provider=provider, at=at or info.context.now())
        return [Pricing.from_model(row) for row in rows]

    @strawberry.field(
        description="Price versions scheduled to take effect after now, soonest first.",
        permission_classes=[CanRead],
    )
    async def scheduled_pricings(
        self, info: RequestInfo, provider: ProviderId | None = None
    ) -> list[Pricing]:
        rows = await pricing.scheduled_pricings(provider=provider, at=info.context.now())
        return [Pricing.from_model(row) for row in rows]

    @strawberry.field(
        description="Every version of one model's price, oldest first.",
        permission_classes=[CanRead],
    )
    async def pricing_versions(
        self, info: RequestInfo, provider: ProviderId, model_name: str
    ) -> list[Pricing]:
        rows = await pricing.pricing_versions(provider=provider, model_name=model_name)
        return [Pricing.from_model(row) for row in rows]

    @strawberry.field(
        description=(
            "The prices the chain picks for a model at `at` (default now), and why; at the "
            "version's tier for serviceTier and a prompt of tokensInput tokens."
        ),
        permission_classes=[CanRead],
    )
    async def resolve_pricing(
        self,
        info: RequestInfo,
        provider: ProviderId,
        model: str,
        at: datetime | None = None,
        service_tier: ServiceTier = ServiceTier.STANDARD,
        tokens_input: int = 0,
    ) -> ResolvedPricing:
        price = await pricing.resolve_pricing(
            provider=provider,
            model=model,
            environment_prices=info.context.environment_prices,
            cache=info.context.pricing_cache,
            at=at or info.context.now(),
            service_tier=service_tier,
            tokens_input=tokens_input,
        )
        return ResolvedPricing.from_service(price)

    @strawberry.field(
        description=(
            "What a call would cost, without recording it. tokensInput counts all prompt "
            "tokens (cached and cache-write included), tokensOutput all completion tokens "
            "(reasoning included)."
        ),
        permission_classes=[CanRead],
    )
    async def estimate_cost(
        self,
        info: RequestInfo,
        provider: ProviderId,
        model: str,
        tokens_input: int,
        tokens_output: int,
        tokens_cached_input: int = 0,
        tokens_cache_write: int = 0,
        tokens_reasoning: int = 0,
        at: datetime | None = None,
        service_tier: ServiceTier = ServiceTier.STANDARD,
    ) -> CostBreakdown:
        tokens = TokenCounts(
            input=tokens_input,
            output=tokens_output,
            cached_input=tokens_cached_input,
            cache_write=tokens_cache_write,
            reasoning=tokens_reasoning,
        )
        price, cost = await pricing.estimate_cost(
            provider=provider,
            model=model,
            tokens=tokens,
            environment_prices=info.context.environment_prices,
            cache=info.context.pricing_cache,
            at=at or info.context.now(),
            service_tier=service_tier,
        )
        return CostBreakdown.from_service(tokens=tokens, cost=cost, price=price)

    @strawberry.field(
        description="Usage logs, newest first, 1 to 500 per page.", permission_classes=[CanRead]
    )
    async def usage_logs(
        self,
        info: RequestInfo,
        filter: UsageFilter | None = None,
        first: int | None = usage.DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> UsageLogConnection:
        page = await usage.list_usage_logs(
            usage_filter=(filter or UsageFilter()).to_service(),
            first=usage.DEFAULT_PAGE_SIZE if first is None else first,
            after=decode_cursor(after) if after is not None else None,
            caller=await info.context.caller(),
        )
        return UsageLogConnection.of(
            [Edge(node=UsageLog.from_model(log), cursor=encode_cursor(log)) for log in page.logs],
            has_next_page=page.has_next_page,
        )

    @strawberry.field(
        description="Exact request, token and cost totals of the matching logs.",
        permission_classes=[CanRead],
    )
    async def cost_summary(
        self,
        info: RequestInfo,
        filter: UsageFilter | None = None,
    ) -> CostTotals:
        totals = await reports.cost_summary(
            usage_filter=(filter or UsageFilter()).to_service(),
            caller=await info.context.caller(),
            budget=info.context.report_budget,
        )
        return CostTotals.from_service(totals)

    @strawberry.field(
        description=(
            "Exact totals per group of the matching usage. Time buckets (HOUR, DAY, WEEK, "
            "MONTH) follow the IANA timeZone; first gives the top N (at most 1000)."
        ),
        permission_classes=[CanRead],
    )
    async def cost_report(
        self,
        info: RequestInfo,
        group_by: list[UsageDimension],
        filter: UsageFilter | None = None,
        time_zone: str = "UTC",
        order_by: CostReportOrder = CostReportOrder.COST_DESC,
        first: int | None = None,
    ) -> list[CostReportRow]:
        report = await reports.cost_report(
            usage_filter=(filter or UsageFilter()).to_service(),
            group_by=group_by,
            time_zone=time_zone,
            order=order_by,
            first=first,
            caller=await info.context.caller(),
            budget=info.context.report_budget,
        )
        return [CostReportRow.from_service(row) for row in report.rows]

    @strawberry.field(
        description=(
            "One point per bucket between filter.from and filter.to (both required), empty "
            "buckets as zeros, ready to chart."
        ),
        permission_classes=[CanRead],
    )
    async def cost_time_series(
        self,
        info: RequestInfo,
        filter: UsageFilter,
        granularity: Granularity,
        time_zone: str = "UTC",
    ) -> list[TimeSeriesPoint]:
        points = await reports.cost_time_series(
            usage_filter=filter.to_service(),
            granularity=granularity,
            time_zone=time_zone,
            caller=await info.context.caller(),
            budget=info.context.report_budget,
        )
        return [TimeSeriesPoint.from_service(point) for point in points]

    @strawberry.field(
        description="The audit trail of one model's price, newest first.",
        permission_classes=[CanRead],
    )
    async def pricing_history(
        self,
        info: RequestInfo,
        provider: ProviderId,
        model_name: str,
        first: int | None = usage.DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> PricingChangeConnection:
        rows, has_next_page = await audit.pricing_history(
            provider=provider,
            model_name=model_name,
            first=usage.DEFAULT_PAGE_SIZE if first is None else first,
            after_id=decode_audit_cursor(after) if after is not None else None,
        )
        return PricingChangeConnection.of(
            [
                Edge(node=PricingChange.from_model(row), cursor=encode_audit_cursor(row.id))
                for row in rows
            ],
            has_next_page=has_next_page,
        )

    @strawberry.field(
        description=(
            "The re-pricing audit trail, newest first, 1 to 500 per page; usageLogId narrows "
            "it to one log (admin)."
        ),
        permission_classes=[IsAdmin],
    )
    async def usage_repricings(
        self,
        info: RequestInfo,
        usage_log_id: strawberry.ID | None = None,
        first: int | None = usage.DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> UsageRepricingConnection:
        rows, has_next_page = await audit.repricing_history(
            first=usage.DEFAULT_PAGE_SIZE if first is None else first,
            after_id=decode_row_cursor("repricing", after) if after is not None else None,
            usage_log_id=_log_id(usage_log_id) if usage_log_id is not None else None,
        )
        return UsageRepricingConnection.of(
            [
                UsageRepricingEdge(
                    node=UsageRepricingEntry.from_model(row),
                    cursor=encode_row_cursor("repricing", row.id),
                )
                for row in rows
            ],
            has_next_page=has_next_page,
        )

    @strawberry.field(
        description="Every API key, newest first (admin).", permission_classes=[IsAdmin]
    )
    async def api_keys(self, info: RequestInfo) -> list[ApiKey]:
        return [ApiKey.from_model(key) for key in await api_keys.list_api_keys()]


def _log_id(value: str) -> int:
    log_id = parse_id(str(value))
    if log_id is None:
        raise InvalidInputError("usageLogId is not a usage log id", field="usageLogId")
    return log_id
