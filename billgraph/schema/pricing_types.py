"""GraphQL types of price versions, their resolution and their audit trail."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Self, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from billgraph import models
from billgraph.schema.connection import Connection, Edge
from billgraph.schema.enums import (
    PricingAuditAction,
    PricingManager,
    PricingSource,
    ServiceTier,
)
from billgraph.schema.scalars import ProviderId
from billgraph.services.costs import from_pico
from billgraph.services.pricing_admin import PriceChange, TierChange
from billgraph.services.pricing_chain import ResolvedPrice, TierPrices
from billgraph.services.pricing_defaults import PricingInitReport as InitReport


def optional_usd(pico: int | None) -> Decimal | None:
    return None if pico is None else from_pico(pico)


@strawberry.type(
    description="Prices of a version for one service tier, for calls of more than "
    "aboveInputTokens prompt tokens (0: every call). They price the whole call."
)
class PriceTier:
    service_tier: ServiceTier
    above_input_tokens: int
    input_token_cost: Decimal
    output_token_cost: Decimal
    cached_input_token_cost: Decimal | None = strawberry.field(
        description="Per cached prompt token; null: this tier's input price."
    )
    cache_write_token_cost: Decimal | None = strawberry.field(
        description="Per prompt token written to the cache; null: this tier's input price."
    )
    reasoning_token_cost: Decimal | None = strawberry.field(
        description="Per reasoning token; null: this tier's output price."
    )

    @classmethod
    def from_service(cls, tier: TierPrices) -> Self:
        prices = tier.prices
        return cls(
            service_tier=tier.service_tier,
            above_input_tokens=tier.above_prompt_tokens,
            input_token_cost=from_pico(prices.input),
            output_token_cost=from_pico(prices.output),
            cached_input_token_cost=optional_usd(prices.cached_input),
            cache_write_token_cost=optional_usd(prices.cache_write),
            reasoning_token_cost=optional_usd(prices.reasoning),
        )


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

    @strawberry.field(
        description="The version's other prices: per service tier and above a prompt size, "
        "by service tier, then threshold. Its own prices are the STANDARD tier from 0."
    )
    async def tiers(self, info: Info[Any, Any]) -> list[PriceTier]:
        tiers = await info.context.price_tiers.load(int(self.id))
        return [PriceTier.from_service(tier) for tier in tiers]

    @classmethod
    def from_model(cls, row: models.Pricing) -> Self:
        return cls(
            id=strawberry.ID(str(row.id)),
            provider=ProviderId(row.provider),
            model_name=row.model_name,
            input_token_cost=from_pico(row.input_token_cost_pico),
            output_token_cost=from_pico(row.output_token_cost_pico),
            cached_input_token_cost=optional_usd(row.cached_input_token_cost_pico),
            cache_write_token_cost=optional_usd(row.cache_write_token_cost_pico),
            reasoning_token_cost=optional_usd(row.reasoning_token_cost_pico),
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
    service_tier: ServiceTier = strawberry.field(
        description="The tier of the version whose prices these are (STANDARD with "
        "aboveInputTokens 0: the version's own)."
    )
    above_input_tokens: int
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
            service_tier=price.service_tier,
            above_input_tokens=price.above_prompt_tokens,
            pricing=Pricing.from_model(price.pricing) if price.pricing else None,
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


@strawberry.input(
    description="Prices of a version for one service tier above a prompt size. Send Decimals "
    "as strings."
)
class PriceTierInput:
    service_tier: ServiceTier
    above_input_tokens: int = strawberry.field(
        description="The tier prices calls of more prompt tokens (tokensInput) than this; 0: "
        "every call of its service tier (not allowed for STANDARD: that is the version itself)."
    )
    input_token_cost: Decimal
    output_token_cost: Decimal
    cached_input_token_cost: Decimal | None = strawberry.field(
        default=None, description="Per cached prompt token; unset: this tier's input price."
    )
    cache_write_token_cost: Decimal | None = strawberry.field(
        default=None,
        description="Per prompt token written to the cache; unset: this tier's input price.",
    )
    reasoning_token_cost: Decimal | None = strawberry.field(
        default=None, description="Per reasoning token; unset: this tier's output price."
    )

    def to_service(self) -> TierChange:
        return TierChange(
            service_tier=self.service_tier.value,
            above_input_tokens=self.above_input_tokens,
            prices=_price_change(self),
        )


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
    tiers: list[PriceTierInput] | None = strawberry.field(
        default=None,
        description="The version's tiers (service tiers, prompt-size tiers), replacing its "
        "tiers. Unset: a replaced version keeps its tiers, a new one has none.",
    )

    def tiers_to_service(self) -> list[TierChange] | None:
        return None if self.tiers is None else [tier.to_service() for tier in self.tiers]

    def to_service(self) -> PriceChange:
        return _price_change(self)


def _price_change(prices: "PricingInput | PriceTierInput") -> PriceChange:
    """The five prices of a version's or a tier's input, as the service takes them."""
    return PriceChange(
        input_token_cost=prices.input_token_cost,
        output_token_cost=prices.output_token_cost,
        cached_input_token_cost=prices.cached_input_token_cost,
        cache_write_token_cost=prices.cache_write_token_cost,
        reasoning_token_cost=prices.reasoning_token_cost,
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
        "reasoningTokenCost (Decimal strings, null where unset), effectiveFrom, managedBy, and "
        "tiers (a list of serviceTier, aboveInputTokens and the same prices) when it has any."
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


@strawberry.type(description="A page of pricing changes, newest first.")
class PricingChangeConnection(Connection[Edge[PricingChange]]):
    pass
