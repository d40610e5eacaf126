"""Writing price versions: an admin's upsert and delete, and the one locked, audited write
of a version that catalog imports and default initialization use too."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from billgraph.models import (
    PriceTier,
    Pricing,
    PricingAuditAction,
    PricingManager,
    ProviderManager,
    ProviderRow,
    ServiceTier,
)
from billgraph.services.api_keys import Caller
from billgraph.services.audit import pricing_values, record_pricing_change
from billgraph.services.costs import parse_unit_price, to_pico
from billgraph.services.errors import (
    BillingError,
    InvalidInputError,
    NotFoundError,
    UnavailableError,
)
from billgraph.services.model_names import clean_name, model_key
from billgraph.services.pricing_cache import bump_pricing_revision
from billgraph.services.pricing_chain import TierPrices, parse_service_tier, version_at
from billgraph.services.provider_ids import provider_id
from billgraph.services.times import require_aware
from billgraph.services.unit_prices import UnitPrices


async def _check_priced_provider(provider: str) -> bool:
    """Refuse prices for a provider priced from another; return whether it is registered."""
    row = await ProviderRow.get_or_none(id=provider)
    if row is not None and row.priced_from is not None:
        raise InvalidInputError(
            "{provider} models are priced from {priced_from} rows; "
            "set the price with {field} {priced_from}",
            field="provider",
            provider=provider,
            priced_from=row.priced_from,
        )
    return row is not None


@dataclass(frozen=True, slots=True)
class PriceChange:
    """Prices for a new or replaced version; None for an optional part means "as input"."""

    input_token_cost: object
    output_token_cost: object
    cached_input_token_cost: object | None = None
    cache_write_token_cost: object | None = None
    reasoning_token_cost: object | None = None

    def columns(self) -> dict[str, int | None]:
        """Return the checked prices as pico-dollar columns; raise naming a bad field."""

        def optional(value: object | None, field: str) -> int | None:
            return None if value is None else to_pico(parse_unit_price(value, field=field))

        return {
            "input_token_cost_pico": to_pico(
                parse_unit_price(self.input_token_cost, field="input_token_cost")
            ),
            "output_token_cost_pico": to_pico(
                parse_unit_price(self.output_token_cost, field="output_token_cost")
            ),
            "cached_input_token_cost_pico": optional(
                self.cached_input_token_cost, "cached_input_token_cost"
            ),
            "cache_write_token_cost_pico": optional(
                self.cache_write_token_cost, "cache_write_token_cost"
            ),
            "reasoning_token_cost_pico": optional(
                self.reasoning_token_cost, "reasoning_token_cost"
            ),
        }


@dataclass(frozen=True, slots=True)
class TierChange:
    """One tier of a version as an admin sends it: a service tier's prices above a prompt size."""

    service_tier: str
    above_input_tokens: int
    prices: PriceChange


def checked_tiers(tiers: Sequence[TierChange]) -> list[TierPrices]:
    """Return the tiers checked, sorted by service tier and threshold; raise naming the
    tier's field (`tiers[1].inputTokenCost`) when one is bad or repeats another."""
    checked: list[TierPrices] = []
    seen: dict[tuple[ServiceTier, int], int] = {}
    for index, tier in enumerate(tiers):
        try:
            service_tier = parse_service_tier(tier.service_tier)
            if tier.above_input_tokens < 0:
                raise InvalidInputError("{field} must not be negative", field="above_input_tokens")
            if service_tier is ServiceTier.STANDARD and tier.above_input_tokens == 0:
                raise InvalidInputError(
                    "{field} 0 of the STANDARD tier is the version's own prices; "
                    "give a threshold above 0",
                    field="above_input_tokens",
                )
            key = (service_tier, tier.above_input_tokens)
            if key in seen:
                raise InvalidInputError(
                    "{field}: tiers[{other}] already has this serviceTier and threshold",
                    field="above_input_tokens",
                    other=seen[key],
                )
            columns = tier.prices.columns()
        except BillingError as error:
            raise _at_tier_index(index, error) from None
        seen[key] = index
        checked.append(
            TierPrices(service_tier, tier.above_input_tokens, UnitPrices.of_columns(columns))
        )
    return sorted(checked, key=lambda tier: (tier.service_tier, tier.above_prompt_tokens))


def _at_tier_index(index: int, error: BillingError) -> BillingError:
    """Return a tier's error with its path as field, e.g. `tiers[1].inputTokenCost`."""
    path = f"tiers[{index}].{error.field}" if error.field else f"tiers[{index}]"
    template = error.template
    if "{field}" not in template:  # the field is written out: say which tier
        template = "tiers[{tier_index}]: " + template
    return type(error)(
        template, field=path, mentions=error.mentions, tier_index=index, **error.values
    )


async def upsert_pricing(
    *,
    provider: str,
    model_name: str,
    prices: PriceChange,
    effective_from: datetime | None,
    now: datetime,
    actor: Caller,
    settle: timedelta | None = None,
    tiers: Sequence[TierChange] | None = None,
) -> Pricing:
    """Set a model's prices from `effective_from` on; ADMIN-managed. Audited.

    Without `effective_from` the version starts at `now`, or, given `settle`, at the
    moment of writing plus `settle`: a start after the commit that every worker's cache
    has heard of by then, so no call at or after it is priced by the previous version.
    A version with that exact start is replaced; otherwise a new version is added, so
    usage before it keeps the prices it had. `tiers` replace the version's tiers; without
    them a replaced version keeps its tiers and a new one has none.
    """
    provider = provider_id(provider)
    registered = await _check_priced_provider(provider)
    model_name = clean_name(model_name, field="model_name")
    columns_checked = prices.columns()
    tiers_checked = None if tiers is None else checked_tiers(tiers)
    if not registered:  # a price for a new provider registers it
        await ProviderRow.get_or_create(
            id=provider, defaults={"display_name": provider, "managed_by": ProviderManager.ADMIN}
        )
    columns: dict[str, Any] = {
        **columns_checked,
        "model_name": model_name,
        "managed_by": PricingManager.ADMIN,
    }
    if effective_from is not None:
        starts: datetime | timedelta = require_aware(effective_from, field="effective_from")
    else:
        starts = settle or now
    return await save_version(
        provider=provider,
        key=model_key(model_name),
        effective_from=starts,
        columns=columns,
        action=PricingAuditAction.UPSERT,
        actor=actor,
        tiers=tiers_checked,
    )


async def save_version(
    *,
    provider: str,
    key: str,
    effective_from: datetime | timedelta,
    columns: dict[str, Any],
    action: PricingAuditAction,
    actor: Caller,
    tiers: Sequence[TierPrices] | None = None,
) -> Pricing:
    """Insert or replace the version starting at `effective_from`, audited, in one transaction.

    A timedelta means "that long after the moment of writing"; the transaction is
    retried if it could not commit before that moment.
    """
    for attempt in range(_SAVE_ATTEMPTS):
        try:
            async with in_transaction() as connection:
                versions = await lock_versions(connection, provider, key)
                starts = (
                    datetime.now(UTC) + effective_from
                    if isinstance(effective_from, timedelta)
                    else effective_from
                )
                row = await write_version(
                    connection, versions, provider, key, starts, columns, action, actor, tiers=tiers
                )
                _check_settled(effective_from, starts)
                return row
        except (IntegrityError, _SettleMissedError) as error:
            # Another request added this very version after our look-up (replace it), or
            # the write was too slow to start its version after its commit (write again).
            if attempt == _SAVE_ATTEMPTS - 1:
                if isinstance(error, _SettleMissedError):
                    raise UnavailableError(
                        "The price change could not commit before its start; retry"
                    ) from None
                raise
    raise AssertionError("unreachable")  # pragma: no cover


_SAVE_ATTEMPTS = 3


class _SettleMissedError(Exception):
    """The transaction reached its version's start before committing."""


def _check_settled(effective_from: datetime | timedelta, starts: datetime) -> None:
    if isinstance(effective_from, timedelta) and datetime.now(UTC) >= starts:
        raise _SettleMissedError


async def lock_versions(connection: BaseDBAsyncClient, provider: str, key: str) -> list[Pricing]:
    return await (
        Pricing.filter(provider=provider, model_key=key)
        .select_for_update()
        .order_by("effective_from")
        .using_db(connection)
    )


async def write_version(  # noqa: PLR0917  (the versions come from lock_versions)
    connection: BaseDBAsyncClient,
    versions: list[Pricing],
    provider: str,
    key: str,
    effective_from: datetime,
    columns: dict[str, Any],
    action: PricingAuditAction,
    actor: Caller,
    *,
    tiers: Sequence[TierPrices] | None = None,
) -> Pricing:
    """Replace or insert one version, given the model's versions read in this transaction.

    `tiers` replace the version's tiers (None: a replaced version keeps its own).
    Inserting can still raise IntegrityError if a concurrent transaction added the same
    version meanwhile; callers retry with a fresh read.
    """
    replaced = next((row for row in versions if row.effective_from == effective_from), None)
    before = replaced or version_at(versions, effective_from)
    before_tiers = await stored_tiers(connection, before.id) if before is not None else []
    old_values = pricing_values(before, before_tiers) if before is not None else None
    if replaced is not None:
        row = await replaced.update_from_dict(columns)
        await row.save(using_db=connection)
    else:
        row = await Pricing.create(
            using_db=connection,
            provider=provider,
            model_key=key,
            effective_from=effective_from,
            **columns,
        )
    if tiers is not None:
        await replace_tiers(connection, row.id, tiers, had_tiers=replaced is not None)
        new_tiers: Sequence[TierPrices] = tiers
    else:
        new_tiers = before_tiers if replaced is not None else []
    await record_pricing_change(
        action=action,
        actor=actor,
        row=row,
        old_values=old_values,
        new_values=pricing_values(row, new_tiers),
    )
    await bump_pricing_revision(connection)
    return row


async def stored_tiers(connection: BaseDBAsyncClient, pricing_id: int) -> list[TierPrices]:
    """Return a version's tiers, sorted by service tier and threshold."""
    rows = await PriceTier.filter(pricing_id=pricing_id).using_db(connection)
    return sorted(
        (TierPrices.of_row(row) for row in rows),
        key=lambda tier: (tier.service_tier, tier.above_prompt_tokens),
    )


async def replace_tiers(
    connection: BaseDBAsyncClient,
    pricing_id: int,
    tiers: Sequence[TierPrices],
    *,
    had_tiers: bool = True,
) -> None:
    """Make a version's stored tiers exactly `tiers` (inside the change's transaction)."""
    if had_tiers:
        await PriceTier.filter(pricing_id=pricing_id).using_db(connection).delete()
    if tiers:
        await PriceTier.bulk_create(
            [tier_row(pricing_id, tier) for tier in tiers], using_db=connection
        )


def tier_row(pricing_id: int, tier: TierPrices) -> PriceTier:
    """Return an unsaved tier row of a version."""
    return PriceTier(
        pricing_id=pricing_id,
        service_tier=tier.service_tier,
        above_prompt_tokens=tier.above_prompt_tokens,
        **tier.prices.columns(),
    )


async def delete_pricing(
    *, provider: str, model_name: str, effective_from: datetime | None, actor: Caller
) -> int:
    """Delete a model's price versions (all, or the one starting at `effective_from`).

    Return how many were deleted; raise NotFoundError when none matched. Audited; usage
    logs keep the costs they were recorded with.
    """
    provider = provider_id(provider)
    model_name = clean_name(model_name, field="model_name")
    query = Pricing.filter(provider=provider, model_key=model_key(model_name))
    if effective_from is not None:
        query = query.filter(effective_from=require_aware(effective_from, field="effective_from"))
    async with in_transaction() as connection:
        rows = await query.select_for_update().using_db(connection)
        if not rows:
            raise NotFoundError(
                "no pricing for provider {provider} and model {model!r}",
                field="model_name",
                provider=provider,
                model=model_name,
            )
        for row in rows:
            tiers = await stored_tiers(connection, row.id)
            await row.delete(using_db=connection)  # its tiers go with it (ON DELETE CASCADE)
            await record_pricing_change(
                action=PricingAuditAction.DELETE,
                actor=actor,
                row=row,
                old_values=pricing_values(row, tiers),
                new_values=None,
            )
        await bump_pricing_revision(connection)
    return len(rows)
