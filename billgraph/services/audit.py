"""The append-only audit trail of pricing changes. Rows are only ever inserted."""

from collections.abc import Sequence
from typing import Any

from billgraph.models import Pricing, PricingAudit, PricingAuditAction, UsageRepricing
from billgraph.services.api_keys import Caller
from billgraph.services.costs import format_decimal, from_pico
from billgraph.services.errors import InvalidInputError
from billgraph.services.model_names import clean_name, model_key
from billgraph.services.pricing_chain import TierPrices
from billgraph.services.unit_prices import PRICE_API_NAMES

MAX_HISTORY_PAGE = 500


def _price(pico: int | None) -> str | None:
    return None if pico is None else format_decimal(from_pico(pico))


def tier_values(tiers: Sequence[TierPrices]) -> list[dict[str, Any]]:
    """Return a version's tiers as the audit keeps them, Decimals as exact strings."""
    return [
        {
            "serviceTier": tier.service_tier.name,
            "aboveInputTokens": tier.above_prompt_tokens,
            **{
                name: _price(value)
                for name, value in zip(PRICE_API_NAMES, tier.prices.as_tuple(), strict=True)
            },
        }
        for tier in tiers
    ]


def pricing_values(row: Pricing, tiers: Sequence[TierPrices] = ()) -> dict[str, Any]:
    """Return the audited values of a pricing row (with its tiers, when it has any),
    Decimals as exact strings."""
    price = _price
    extra = {"tiers": tier_values(tiers)} if tiers else {}
    return {
        "inputTokenCost": price(row.input_token_cost_pico),
        "outputTokenCost": price(row.output_token_cost_pico),
        "cachedInputTokenCost": price(row.cached_input_token_cost_pico),
        "cacheWriteTokenCost": price(row.cache_write_token_cost_pico),
        "reasoningTokenCost": price(row.reasoning_token_cost_pico),
        "effectiveFrom": row.effective_from.isoformat(),
        "managedBy": row.managed_by.value,
        **extra,
    }


async def record_pricing_change(
    *,
    action: PricingAuditAction,
    actor: Caller,
    row: Pricing,
    old_values: dict[str, Any] | None,
    new_values: dict[str, Any] | None,
) -> PricingAudit:
    """Append one audit row; call it inside the transaction that makes the change."""
    return await PricingAudit.create(
        action=action,
        provider=row.provider,
        model_name=row.model_name,
        model_key=row.model_key,
        api_key_id=actor.key_id,
        api_key_name=actor.name,
        old_values=old_values,
        new_values=new_values,
    )


async def pricing_history(
    *, provider: Any, model_name: str, first: int, after_id: int | None
) -> tuple[list[PricingAudit], bool]:
    """Return up to `first` audit rows of one model, newest first, and whether more exist."""
    if not 1 <= first <= MAX_HISTORY_PAGE:
        raise InvalidInputError(
            f"{{field}} must be between 1 and {MAX_HISTORY_PAGE}", field="first"
        )
    model_name = clean_name(model_name, field="model_name")
    query = PricingAudit.filter(provider=provider, model_key=model_key(model_name))
    if after_id is not None:
        query = query.filter(id__lt=after_id)
    rows = await query.order_by("-id").limit(first + 1)
    return rows[:first], len(rows) > first


async def repricing_history(
    *, first: int, after_id: int | None, usage_log_id: int | None
) -> tuple[list[UsageRepricing], bool]:
    """Return up to `first` re-pricing audit rows, newest first, and whether more exist."""
    if not 1 <= first <= MAX_HISTORY_PAGE:
        raise InvalidInputError(
            f"{{field}} must be between 1 and {MAX_HISTORY_PAGE}", field="first"
        )
    query = UsageRepricing.all()
    if usage_log_id is not None:
        query = query.filter(usage_log_id=usage_log_id)
    if after_id is not None:
        query = query.filter(id__lt=after_id)
    rows = await query.order_by("-id").limit(first + 1)
    return rows[:first], len(rows) > first
