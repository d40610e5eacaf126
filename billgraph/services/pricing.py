"""Price look-ups: the price in effect at a moment (the chain over the cached versions), what
a call would cost at it, and the versions in effect, still to come, or of one model."""

from collections.abc import Sequence
from datetime import datetime

from billgraph.models import PriceTier, Pricing, ServiceTier
from billgraph.services.costs import Cost, compute_cost
from billgraph.services.model_names import clean_name, model_key
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.pricing_chain import (
    EnvironmentPrices,
    PricingSnapshot,
    ResolvedPrice,
    TierPrices,
    version_at,
)
from billgraph.services.provider_ids import provider_id
from billgraph.services.times import require_aware
from billgraph.services.token_counts import TokenCounts


async def resolve_pricing(
    *,
    provider: str,
    model: str,
    environment_prices: EnvironmentPrices,
    cache: PricingCache,
    at: datetime,
    service_tier: ServiceTier = ServiceTier.STANDARD,
    tokens_input: int = 0,
) -> ResolvedPrice:
    """Return the price of `model` from `provider` in effect at `at`, at the tier of the
    version that prices a call of `service_tier` with `tokens_input` prompt tokens."""
    provider = provider_id(provider)
    model = clean_name(model, field="model")
    at = require_aware(at, field="at")
    snapshot = await cache.snapshot()
    return snapshot.resolve(
        provider=provider,
        model=model,
        environment_prices=environment_prices,
        at=at,
        service_tier=service_tier,
        prompt_tokens=tokens_input,
    )


async def estimate_cost(
    *,
    provider: str,
    model: str,
    tokens: TokenCounts,
    environment_prices: EnvironmentPrices,
    cache: PricingCache,
    at: datetime,
    service_tier: ServiceTier = ServiceTier.STANDARD,
) -> tuple[ResolvedPrice, Cost]:
    """Return the price at `at` (at the tier the call's service tier and prompt size
    pick) and what the given token counts would cost at it."""
    price = await resolve_pricing(
        provider=provider,
        model=model,
        environment_prices=environment_prices,
        cache=cache,
        at=at,
        service_tier=service_tier,
        tokens_input=tokens.input,
    )
    return price, compute_cost(tokens, price.prices)


async def tiers_of_versions(pricing_ids: Sequence[int]) -> list[list[TierPrices]]:
    """Return the tiers of each price version (by service tier, then threshold): one query."""
    tiers: dict[int, list[TierPrices]] = {pricing_id: [] for pricing_id in pricing_ids}
    rows = await PriceTier.filter(pricing_id__in=list(tiers)).order_by(
        "pricing_id", "service_tier", "above_prompt_tokens"
    )
    for row in rows:
        tiers[row.pricing_id].append(TierPrices.of_row(row))
    return [tiers[pricing_id] for pricing_id in pricing_ids]


async def list_pricings(*, provider: str | None = None, at: datetime) -> list[Pricing]:
    """Return the version of each model in effect at `at`, ordered by provider and model."""
    at = require_aware(at, field="at")
    query = Pricing.all() if provider is None else Pricing.filter(provider=provider_id(provider))
    snapshot = PricingSnapshot.of(0, await query)
    in_effect = [version_at(versions, at) for versions in snapshot.versions.values()]
    return sorted(
        (row for row in in_effect if row is not None),
        key=lambda row: (row.provider, row.model_key),
    )


async def scheduled_pricings(*, provider: str | None = None, at: datetime) -> list[Pricing]:
    """Return the versions that take effect after `at`, soonest first."""
    at = require_aware(at, field="at")
    query = Pricing.filter(effective_from__gt=at)
    if provider is not None:
        query = query.filter(provider=provider_id(provider))
    return await query.order_by("effective_from", "provider", "model_key")


async def pricing_versions(*, provider: str, model_name: str) -> list[Pricing]:
    """Return every version of one model's price, oldest first."""
    model_name = clean_name(model_name, field="model_name")
    key = model_key(model_name)
    return await Pricing.filter(provider=provider_id(provider), model_key=key).order_by(
        "effective_from"
    )
