"""Price look-ups: the price in effect at a moment (the chain over the cached versions), what
a call would cost at it, and the versions in effect, still to come, or of one model."""

from datetime import datetime

from billgraph.models import Pricing
from billgraph.services.costs import Cost, compute_cost
from billgraph.services.model_names import clean_name, model_key
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.pricing_chain import (
    EnvironmentPrices,
    PricingSnapshot,
    ResolvedPrice,
    version_at,
)
from billgraph.services.provider_ids import provider_id
from billgraph.services.times import require_aware


async def resolve_pricing(
    *,
    provider: str,
    model: str,
    environment_prices: EnvironmentPrices,
    cache: PricingCache,
    at: datetime,
) -> ResolvedPrice:
    """Return the price of `model` from `provider` in effect at `at`."""
    provider = provider_id(provider)
    model = clean_name(model, field="model")
    at = require_aware(at, field="at")
    snapshot = await cache.snapshot()
    return snapshot.resolve(
        provider=provider, model=model, environment_prices=environment_prices, at=at
    )


async def estimate_cost(
    *,
    provider: str,
    model: str,
    tokens: dict[str, int],
    environment_prices: EnvironmentPrices,
    cache: PricingCache,
    at: datetime,
) -> tuple[ResolvedPrice, Cost]:
    """Return the price at `at` and what the given token counts would cost at it."""
    price = await resolve_pricing(
        provider=provider, model=model, environment_prices=environment_prices, cache=cache, at=at
    )
    cost = compute_cost(
        **tokens,
        input_price_pico=price.input_price_pico,
        output_price_pico=price.output_price_pico,
        cached_input_price_pico=price.cached_input_price_pico,
        cache_write_price_pico=price.cache_write_price_pico,
        reasoning_price_pico=price.reasoning_price_pico,
    )
    return price, cost


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
