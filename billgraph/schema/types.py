"""GraphQL object and input types, and their conversion from service results."""

from datetime import datetime
from decimal import Decimal
from typing import Self, cast

import strawberry
from strawberry.scalars import JSON

from billgraph import models
from billgraph.models import (
    ApiKeyScope,
    PricingAuditAction,
    PricingManager,
    PricingSource,
    ProviderManager,
)
from billgraph.schema.scalars import Int64, ProviderId
from billgraph.services.api_keys import parse_scopes
from billgraph.services.catalog import CatalogEntry
from billgraph.services.catalog import CatalogImportReport as ServiceCatalogReport
from billgraph.services.costs import Cost, from_pico
from billgraph.services.pricing_admin import PriceChange
from billgraph.services.pricing_chain import ResolvedPrice
from billgraph.services.pricing_defaults import PricingInitReport as InitReport
from billgraph.services.reports import CostReportOrder, ReportRow, SeriesPoint, UsageDimension
from billgraph.services.repricing import RepricingReport as ServiceRepricingReport
from billgraph.services.time_buckets import Granularity
from billgraph.services.usage import BatchResult, UsageInput
from billgraph.services.usage import UsageFilter as ServiceUsageFilter
from billgraph.services.usage_totals import UsageTotals

strawberry.enum(PricingSource, description="Which step of the pricing chain priced a call.")
strawberry.enum(
    PricingManager,
    description="Who owns a pricing row: startup initialization (ENVIRONMENT), an admin "
    "(ADMIN) or a catalog import (CATALOG).",
)
strawberry.enum(ApiKeyScope, description="What an API key may do; ADMIN may do everything.")
strawberry.enum(PricingAuditAction, description="The kind of pricing change.")
strawberry.enum(
    ProviderManager,
    description="Who registered a provider: the installation, an admin or a catalog import.",
)


@strawberry.type(
    name="RegisteredProvider",
    description="A provider usage can name, and the provider whose prices price its models.",
)
class ProviderInfo:
    id: ProviderId
    display_name: str
    priced_from: ProviderId | None = strawberry.field(
        description="The provider whose price rows price this one's models; null: its own."
    )
    pricing_provider: ProviderId = strawberry.field(
        description="The provider whose rows the chain looks in: pricedFrom, or itself."
    )
    managed_by: ProviderManager
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, row: models.ProviderRow) -> Self:
        return cls(
            id=ProviderId(row.id),
            display_name=row.display_name,
            priced_from=ProviderId(row.priced_from) if row.priced_from else None,
            pricing_provider=ProviderId(row.priced_from or row.id),
            managed_by=row.managed_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.input(description="A provider to register.")
class AddProviderInput:
    id: ProviderId = strawberry.field(description='A new slug, e.g. "fireworks_ai".')
    display_name: str
    priced_from: ProviderId | None = strawberry.field(
        default=None, description="Price its models from this provider's rows; null: its own."
    )


def _optional_provider(provider: str | None) -> ProviderId | None:
    return None if provider is None else ProviderId(provider)


def _optional_usd(pico: int | None) -> Decimal | None:
    return None if pico is None else from_pico(pico)


@strawberry.type(description="One version of a model's per-token prices, in USD.")
class Pricing:
    id: strawberry.ID
    provider: ProviderId
    model_name: str
    input_token_cost: Decimal
    output_token_cost: Decimal
    cached_input_token_cost: Decimal | None = strawberry.field(
        description="Per cached prompt token; null: the input price."
    )
    cache_write_token_cost: Decimal | None = strawberry.field(
        description="Per prompt token written to the cache; null: the input price."
    )
    reasoning_token_cost: Decimal | None = strawberry.field(
        description="Per reasoning token; null: the output price."
    )
    effective_from: datetime = strawberry.field(
        description="This version prices usage that occurred from then until the next version."
    )
    managed_by: PricingManager
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, row: models.Pricing) -> Self:
        return cls(
            id=strawberry.ID(str(row.id)),
            provider=ProviderId(row.provider),
            model_name=row.model_name,
            input_token_cost=from_pico(row.input_token_cost_pico),
            output_token_cost=from_pico(row.output_token_cost_pico),
            cached_input_token_cost=_optional_usd(row.cached_input_token_cost_pico),
            cache_write_token_cost=_optional_usd(row.cache_write_token_cost_pico),
            reasoning_token_cost=_optional_usd(row.reasoning_token_cost_pico),
            effective_from=row.effective_from,
            managed_by=row.managed_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(description="The prices the chain chose for a (provider, model) and why.")
class ResolvedPricing:
    provider: ProviderId
    pricing_provider: ProviderId
    requested_model: str
    matched_model_name: str | None
    source: PricingSource
    is_estimate: bool
    input_token_cost: Decimal
    output_token_cost: Decimal
    cached_input_token_cost: Decimal = strawberry.field(description="As applied (after fallback).")
    cache_write_token_cost: Decimal = strawberry.field(description="As applied (after fallback).")
    reasoning_token_cost: Decimal = strawberry.field(description="As applied (after fallback).")
    pricing: Pricing | None = strawberry.field(description="The version that priced it, if any.")

    @classmethod
    def from_service(cls, price: ResolvedPrice) -> Self:
        return cls(
            provider=ProviderId(price.provider),
            pricing_provider=ProviderId(price.pricing_provider),
            requested_model=price.requested_model,
            matched_model_name=price.matched_model_name,
            source=price.source,
            is_estimate=price.is_estimate,
            input_token_cost=from_pico(price.input_price_pico),
            output_token_cost=from_pico(price.output_price_pico),
            cached_input_token_cost=from_pico(price.cached_input_price_pico),
            cache_write_token_cost=from_pico(price.cache_write_price_pico),
            reasoning_token_cost=from_pico(price.reasoning_price_pico),
            pricing=Pricing.from_model(price.pricing) if price.pricing else None,
        )


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
    def from_service(cls, *, tokens: dict[str, int], cost: Cost, price: ResolvedPrice) -> Self:
        return cls(
            tokens_input=tokens["tokens_input"],
            tokens_output=tokens["tokens_output"],
            tokens_cached_input=tokens["tokens_cached_input"],
            tokens_cache_write=tokens["tokens_cache_write"],
            tokens_reasoning=tokens["tokens_reasoning"],
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
            tokens_input=Int64(totals.tokens_input),
            tokens_output=Int64(totals.tokens_output),
            tokens_cached_input=Int64(totals.tokens_cached_input),
            tokens_cache_write=Int64(totals.tokens_cache_write),
            tokens_reasoning=Int64(totals.tokens_reasoning),
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
    skipped: list[Pricing] = strawberry.field(
        description="Rows an admin or a catalog import manages: left alone."
    )

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
    provider: ProviderId | None = None
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


@strawberry.input(description="The per-token prices of one model. Send Decimals as strings.")
class PricingInput:
    provider: ProviderId
    model_name: str
    input_token_cost: Decimal
    output_token_cost: Decimal
    cached_input_token_cost: Decimal | None = strawberry.field(
        default=None, description="Per cached prompt token; unset: the input price."
    )
    cache_write_token_cost: Decimal | None = strawberry.field(
        default=None, description="Per prompt token written to the cache; unset: the input price."
    )
    reasoning_token_cost: Decimal | None = strawberry.field(
        default=None, description="Per reasoning token; unset: the output price."
    )
    effective_from: datetime | None = strawberry.field(
        default=None,
        description="When this price starts to apply; a future date schedules it. Unset: just "
        "after the change commits, as upsertPricing says.",
    )

    def to_service(self) -> PriceChange:
        return PriceChange(
            input_token_cost=self.input_token_cost,
            output_token_cost=self.output_token_cost,
            cached_input_token_cost=self.cached_input_token_cost,
            cache_write_token_cost=self.cache_write_token_cost,
            reasoning_token_cost=self.reasoning_token_cost,
        )


@strawberry.type(description="An API key. Its secret is shown once, when it is created.")
class ApiKey:
    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(description="The visible start of the secret.")
    scopes: list[ApiKeyScope]
    user_id: str | None = strawberry.field(
        description="When set, the key sees and records only this user's usage."
    )
    created_at: datetime
    last_used_at: datetime | None = strawberry.field(description="Refreshed at most once a minute.")
    revoked_at: datetime | None

    @classmethod
    def from_model(cls, key: models.ApiKey) -> Self:
        return cls(
            id=strawberry.ID(str(key.id)),
            name=key.name,
            prefix=key.prefix,
            scopes=sorted(parse_scopes(key.scopes)),
            user_id=key.user_id,
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
        )


@strawberry.type(description="A new API key and its secret: store the secret now.")
class CreatedApiKey:
    api_key: ApiKey
    secret: str = strawberry.field(description="Send as 'Authorization: Bearer <secret>'.")


@strawberry.input
class CreateApiKeyInput:
    name: str
    scopes: list[ApiKeyScope]
    user_id: str | None = strawberry.field(
        default=None, description="Bind the key to one user's usage (READ and INGEST keys)."
    )


@strawberry.type(description="One pricing change, as the audit trail recorded it.")
class PricingChange:
    id: strawberry.ID
    changed_at: datetime
    action: PricingAuditAction
    provider: ProviderId
    model_name: str
    api_key_id: strawberry.ID | None = strawberry.field(
        description="Null for the ADMIN_API_KEY break-glass key, for startup and for the CLI."
    )
    api_key_name: str
    old_values: JSON | None = strawberry.field(
        description="The prices before the change: the replaced or deleted version, or for a "
        "new version the one in effect at its start; null if there was none. Keys: "
        "inputTokenCost, outputTokenCost, cachedInputTokenCost, cacheWriteTokenCost, "
        "reasoningTokenCost (Decimal strings, null where unset), effectiveFrom, managedBy."
    )
    new_values: JSON | None = strawberry.field(
        description="The same after the change; null when deleted."
    )

    @classmethod
    def from_model(cls, row: models.PricingAudit) -> Self:
        return cls(
            id=strawberry.ID(str(row.id)),
            changed_at=row.changed_at,
            action=row.action,
            provider=ProviderId(row.provider),
            model_name=row.model_name,
            api_key_id=strawberry.ID(str(row.api_key_id)) if row.api_key_id is not None else None,
            api_key_name=row.api_key_name,
            old_values=cast(JSON | None, row.old_values),
            new_values=cast(JSON | None, row.new_values),
        )


@strawberry.type
class PricingChangeEdge:
    node: PricingChange
    cursor: str


@strawberry.type(description="A page of pricing changes, newest first.")
class PricingChangeConnection:
    edges: list[PricingChangeEdge]
    page_info: PageInfo


strawberry.enum(UsageDimension, description="What a cost report groups by.")
strawberry.enum(CostReportOrder, description="How cost report rows are ordered.")
strawberry.enum(Granularity, name="TimeGranularity", description="Calendar bucket size.")


@strawberry.type(description="The group a report row totals; dimensions not grouped by are null.")
class CostReportKey:
    provider: ProviderId | None
    model: str | None
    user_id: str | None
    pricing_source: PricingSource | None
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


@strawberry.type(description="A catalog entry that is (or would be) imported.")
class CatalogPrice:
    name: str = strawberry.field(description="The entry's key in the catalog.")
    provider: ProviderId
    model_name: str
    input_token_cost: Decimal
    output_token_cost: Decimal
    cached_input_token_cost: Decimal | None
    cache_write_token_cost: Decimal | None
    reasoning_token_cost: Decimal | None

    @classmethod
    def from_service(cls, entry: CatalogEntry) -> Self:
        columns = entry.columns
        return cls(
            name=entry.name,
            provider=ProviderId(entry.provider),
            model_name=entry.model_name,
            input_token_cost=from_pico(columns["input_token_cost_pico"] or 0),
            output_token_cost=from_pico(columns["output_token_cost_pico"] or 0),
            cached_input_token_cost=_optional_usd(columns["cached_input_token_cost_pico"]),
            cache_write_token_cost=_optional_usd(columns["cache_write_token_cost_pico"]),
            reasoning_token_cost=_optional_usd(columns["reasoning_token_cost_pico"]),
        )


@strawberry.type(description="A catalog entry left out, and why.")
class SkippedCatalogEntry:
    name: str
    reason: str
    kind: str = strawberry.field(
        description='What kind of skip, for counting: "unknown provider", "no per-token '
        'price (priced per image)", "a price needs more than 12 decimal places", ...'
    )


@strawberry.type(description="How many catalog entries one kind of skip holds.")
class SkippedKindCount:
    kind: str
    count: int


@strawberry.type(description="What a catalog import did, or would do in a dry run.")
class CatalogImportReport:
    dry_run: bool
    effective_from: datetime
    created: list[CatalogPrice]
    updated: list[CatalogPrice]
    unchanged_count: int
    unchanged: list[CatalogPrice] = strawberry.field(
        description="Entries whose price is already in effect (left as they are)."
    )
    skipped: list[SkippedCatalogEntry]
    skipped_by_kind: list[SkippedKindCount] = strawberry.field(
        description="The skipped entries counted by kind, most frequent first."
    )
    new_providers: list[ProviderId] = strawberry.field(
        description="Providers the catalog names that were not registered (the import "
        "registers them, CATALOG-managed)."
    )

    @classmethod
    def from_service(cls, report: ServiceCatalogReport) -> Self:
        return cls(
            dry_run=report.dry_run,
            effective_from=report.effective_from,
            created=[CatalogPrice.from_service(entry) for entry in report.created],
            updated=[CatalogPrice.from_service(entry) for entry in report.updated],
            unchanged_count=len(report.unchanged),
            unchanged=[CatalogPrice.from_service(entry) for entry in report.unchanged],
            skipped=[
                SkippedCatalogEntry(name=s.name, reason=s.reason, kind=s.kind)
                for s in report.skipped
            ],
            skipped_by_kind=[
                SkippedKindCount(kind=kind, count=count)
                for kind, count in report.skipped_by_kind().items()
            ],
            new_providers=[ProviderId(slug) for slug in report.new_providers],
        )


@strawberry.type(description="What re-pricing changed, or would change in a dry run.")
class RepricingReport:
    dry_run: bool
    logs: Int64 = strawberry.field(description="Logs walked (matching the filter, after afterId).")
    changed: Int64 = strawberry.field(description="Logs whose prices or costs change.")
    cost_total_before: Decimal
    cost_total_after: Decimal
    difference: Decimal = strawberry.field(description="costTotalAfter - costTotalBefore.")
    last_id: strawberry.ID | None = strawberry.field(
        description="The last log id walked: pass it as afterId to resume an interrupted run."
    )

    @classmethod
    def from_service(cls, report: ServiceRepricingReport) -> Self:
        return cls(
            dry_run=report.dry_run,
            last_id=strawberry.ID(str(report.last_id)) if report.last_id is not None else None,
            logs=Int64(report.logs),
            changed=Int64(report.changed),
            cost_total_before=from_pico(report.cost_total_before_pico),
            cost_total_after=from_pico(report.cost_total_after_pico),
            difference=from_pico(report.difference_pico),
        )


@strawberry.type(description="One log's re-pricing: its pricing before and after (admin).")
class UsageRepricingEntry:
    id: strawberry.ID
    repriced_at: datetime
    usage_log_id: strawberry.ID
    api_key_id: strawberry.ID | None = strawberry.field(
        description="Null for the ADMIN_API_KEY break-glass key and for the CLI."
    )
    api_key_name: str
    cost_total_before: Decimal
    cost_total_after: Decimal
    old_values: JSON = strawberry.field(
        description="pricingSource, matchedModelName, pricingId and the unit prices and costs "
        "in pico-dollars (integers) before."
    )
    new_values: JSON = strawberry.field(description="The same after.")

    @classmethod
    def from_model(cls, row: models.UsageRepricing) -> Self:
        return cls(
            id=strawberry.ID(str(row.id)),
            repriced_at=row.repriced_at,
            usage_log_id=strawberry.ID(str(row.usage_log_id)),
            api_key_id=strawberry.ID(str(row.api_key_id)) if row.api_key_id is not None else None,
            api_key_name=row.api_key_name,
            cost_total_before=from_pico(int(row.old_values["cost_total_pico"])),
            cost_total_after=from_pico(int(row.new_values["cost_total_pico"])),
            old_values=cast(JSON, row.old_values),
            new_values=cast(JSON, row.new_values),
        )


@strawberry.type
class UsageRepricingEdge:
    node: UsageRepricingEntry
    cursor: str


@strawberry.type(description="A page of re-pricing audit rows, newest first.")
class UsageRepricingConnection:
    edges: list[UsageRepricingEdge]
    page_info: PageInfo
