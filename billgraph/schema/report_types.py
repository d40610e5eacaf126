"""GraphQL types of cost reports: totals, grouped rows and time series."""

from datetime import datetime
from decimal import Decimal
from typing import Self

import strawberry

from billgraph.schema.enums import PricingSource, ServiceTier
from billgraph.schema.scalars import Int64, ProviderId
from billgraph.services.costs import from_pico
from billgraph.services.reports import ReportRow, SeriesPoint
from billgraph.services.usage_totals import UsageTotals


@strawberry.type(description="Exact totals over the matching usage logs.")
class CostTotals:
    requests: Int64
    tokens_input: Int64 = strawberry.field(description="All prompt tokens, cached ones included.")
    tokens_output: Int64 = strawberry.field(
        description="All completion tokens, reasoning included."
    )
    tokens_cached_input: Int64 = strawberry.field(
        description="The part of tokensInput read from the provider's prompt cache."
    )
    tokens_cache_write: Int64 = strawberry.field(
        description="The part of tokensInput written to the provider's prompt cache."
    )
    tokens_reasoning: Int64 = strawberry.field(
        description="The part of tokensOutput spent reasoning."
    )
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
            tokens_input=Int64(totals.tokens.input),
            tokens_output=Int64(totals.tokens.output),
            tokens_cached_input=Int64(totals.tokens.cached_input),
            tokens_cache_write=Int64(totals.tokens.cache_write),
            tokens_reasoning=Int64(totals.tokens.reasoning),
            cost_input=from_pico(totals.cost_input_pico),
            cost_output=from_pico(totals.cost_output_pico),
            cost_total=from_pico(totals.cost_total_pico),
            estimated_cost_total=from_pico(totals.estimated_cost_total_pico),
        )


def _optional_provider(provider: str | None) -> ProviderId | None:
    return None if provider is None else ProviderId(provider)


@strawberry.type(description="The group a report row totals; dimensions not grouped by are null.")
class CostReportKey:
    provider: ProviderId | None
    model: str | None
    user_id: str | None
    pricing_source: PricingSource | None
    service_tier: ServiceTier | None
    bucket_start: datetime | None = strawberry.field(
        description="Start of the HOUR/DAY/WEEK/MONTH bucket, in the report's time zone."
    )


@strawberry.type
class CostReportRow:
    key: CostReportKey
    totals: CostTotals

    @classmethod
    def from_service(cls, row: ReportRow) -> Self:
        return cls(
            key=CostReportKey(
                provider=_optional_provider(row.key.provider),
                model=row.key.model,
                user_id=row.key.user_id,
                pricing_source=row.key.pricing_source,
                service_tier=row.key.service_tier,
                bucket_start=row.key.bucket_start,
            ),
            totals=CostTotals.from_service(row.totals),
        )


@strawberry.type(description="One bucket of a time series; empty buckets have zero totals.")
class TimeSeriesPoint:
    bucket_start: datetime
    totals: CostTotals

    @classmethod
    def from_service(cls, point: SeriesPoint) -> Self:
        return cls(bucket_start=point.bucket_start, totals=CostTotals.from_service(point.totals))
