"""Pricing rows and the resolution chain that prices a (provider, model) pair."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from billgraph.models import (
    Pricing,
    PricingAuditAction,
    PricingManager,
    PricingRevision,
    PricingSource,
    Provider,
)
from billgraph.services.api_keys import SYSTEM, Caller
from billgraph.services.audit import pricing_values, record_pricing_change
from billgraph.services.costs import BUILTIN_ESTIMATE_PRICE, parse_unit_price, to_pico
from billgraph.services.errors import InvalidInputError, NotFoundError
from billgraph.services.model_names import (
    DEFAULT_MODEL_KEY,
    clean_name,
    model_key,
    short_model_key,
)

# HuggingFace's router serves open models whose prices the MISTRAL rows hold.
_PRICING_PROVIDER = {Provider.HUGGINGFACE: Provider.MISTRAL}
ENVIRONMENT_MANAGED_MODELS = ("gpt-oss-120b", DEFAULT_MODEL_KEY)


@dataclass(frozen=True, slots=True)
class EnvironmentPrices:
    """The HUGGINGFACE_*_TOKEN_COST settings: USD per token."""

    input_token_cost: Decimal
    output_token_cost: Decimal


@dataclass(frozen=True, slots=True)
class ResolvedPrice:
    """The per-token prices for one (provider, model) and the chain step that chose them."""

    provider: Provider
    pricing_provider: Provider
    requested_model: str
    source: PricingSource
    input_price_pico: int
    output_price_pico: int
    matched_model_name: str | None = None
    pricing: Pricing | None = None

    @property
    def is_estimate(self) -> bool:
        return self.source is PricingSource.BUILTIN_ESTIMATE


@dataclass(slots=True)
class PricingInitReport:
    """What initialize_default_pricing did to each environment-managed row."""

    created: list[Pricing] = field(default_factory=list)
    updated: list[Pricing] = field(default_factory=list)
    unchanged: list[Pricing] = field(default_factory=list)
    skipped: list[Pricing] = field(default_factory=list)


def pricing_provider_for(provider: Provider) -> Provider:
    """Return the provider whose rows price `provider`'s models."""
    return _PRICING_PROVIDER.get(provider, provider)


def uses_environment_prices(provider: Provider) -> bool:
    """Return True when the HUGGINGFACE_* settings are a step of `provider`'s chain."""
    return pricing_provider_for(provider) is Provider.MISTRAL


def choose_price(
    *,
    provider: Provider,
    model: str,
    rows: Iterable[Pricing],
    environment_prices: EnvironmentPrices,
) -> ResolvedPrice:
    """Return the first hit of the chain EXACT, SHORT_NAME, DEFAULT_ROW, ENVIRONMENT,
    BUILTIN_ESTIMATE among `rows` (the pricing provider's candidate rows)."""
    pricing_provider = pricing_provider_for(provider)
    rows_by_key = {row.model_key: row for row in rows if row.provider is pricing_provider}
    steps = (
        (PricingSource.EXACT, model_key(model)),
        (PricingSource.SHORT_NAME, short_model_key(model)),
        (PricingSource.DEFAULT_ROW, DEFAULT_MODEL_KEY),
    )
    for source, key in steps:
        row = rows_by_key.get(key)
        if row is not None:
            return ResolvedPrice(
                provider=provider,
                pricing_provider=pricing_provider,
                requested_model=model,
                source=source,
                input_price_pico=row.input_token_cost_pico,
                output_price_pico=row.output_token_cost_pico,
                matched_model_name=row.model_name,
                pricing=row,
            )
    if uses_environment_prices(provider):
        return ResolvedPrice(
            provider=provider,
            pricing_provider=pricing_provider,
            requested_model=model,
            source=PricingSource.ENVIRONMENT,
            input_price_pico=to_pico(environment_prices.input_token_cost),
            output_price_pico=to_pico(environment_prices.output_token_cost),
        )
    return ResolvedPrice(
        provider=provider,
        pricing_provider=pricing_provider,
        requested_model=model,
        source=PricingSource.BUILTIN_ESTIMATE,
        input_price_pico=to_pico(BUILTIN_ESTIMATE_PRICE),
        output_price_pico=to_pico(BUILTIN_ESTIMATE_PRICE),
    )


@dataclass(frozen=True, slots=True)
class PricingSnapshot:
    """Every pricing row as of one pricing revision, keyed for the chain's look-ups."""

    revision: int
    rows: dict[tuple[Provider, str], Pricing]

    def resolve(
        self, *, provider: Provider, model: str, environment_prices: EnvironmentPrices
    ) -> ResolvedPrice:
        """Return the price of an already cleaned model name; no I/O."""
        pricing_provider = pricing_provider_for(provider)
        candidates = (
            self.rows.get((pricing_provider, key))
            for key in (model_key(model), short_model_key(model), DEFAULT_MODEL_KEY)
        )
        return choose_price(
            provider=provider,
            model=model,
            rows=[row for row in candidates if row is not None],
            environment_prices=environment_prices,
        )


class PricingCache:
    """All pricing rows in memory, reloaded when the pricing revision moves.

    Every pricing change bumps `pricing_revision` in its transaction, so one small
    query tells each worker whether its copy is current.
    """

    def __init__(self) -> None:
        self._snapshot = PricingSnapshot(revision=-1, rows={})

    async def snapshot(self) -> PricingSnapshot:
        """Return the rows as of the current revision (one query, two when it moved)."""
        current = await PricingRevision.get_or_none(id=_REVISION_ROW)
        revision = current.revision if current is not None else 0
        if revision != self._snapshot.revision:
            rows = await Pricing.all()
            self._snapshot = PricingSnapshot(
                revision=revision, rows={(row.provider, row.model_key): row for row in rows}
            )
        return self._snapshot


_REVISION_ROW = 1


async def bump_pricing_revision(connection: BaseDBAsyncClient) -> None:
    """Tell every worker's PricingCache that prices changed (inside the change's transaction)."""
    await connection.execute_query(
        "INSERT INTO pricing_revision (id, revision) VALUES (1, 1) "
        "ON CONFLICT (id) DO UPDATE SET revision = pricing_revision.revision + 1"
    )


async def resolve_pricing(
    *,
    provider: Provider,
    model: str,
    environment_prices: EnvironmentPrices,
    cache: PricingCache,
) -> ResolvedPrice:
    """Return the price of `model` from `provider`, from the cache's current snapshot."""
    model = clean_name(model, field="model")
    snapshot = await cache.snapshot()
    return snapshot.resolve(provider=provider, model=model, environment_prices=environment_prices)


async def list_pricings(*, provider: Provider | None = None) -> list[Pricing]:
    """Return the pricing rows, optionally of one provider, ordered by provider and model."""
    query = Pricing.all() if provider is None else Pricing.filter(provider=provider)
    return await query.order_by("provider", "model_key")


def _check_priced_provider(provider: Provider) -> None:
    if pricing_provider_for(provider) is not provider:
        raise InvalidInputError(
            f"{provider.value} models are priced from {pricing_provider_for(provider).value} "
            f"rows; set the price with provider {pricing_provider_for(provider).value}",
            field="provider",
        )


async def upsert_pricing(
    *,
    provider: Provider,
    model_name: str,
    input_token_cost: object,
    output_token_cost: object,
    actor: Caller,
) -> Pricing:
    """Create or replace the price of one model; the row becomes ADMIN-managed. Audited."""
    _check_priced_provider(provider)
    model_name = clean_name(model_name, field="modelName")
    prices: dict[str, Any] = {
        "input_token_cost_pico": to_pico(
            parse_unit_price(input_token_cost, field="inputTokenCost")
        ),
        "output_token_cost_pico": to_pico(
            parse_unit_price(output_token_cost, field="outputTokenCost")
        ),
        "model_name": model_name,
        "managed_by": PricingManager.ADMIN,
    }
    key = model_key(model_name)
    try:
        return await _upsert_once(provider=provider, key=key, prices=prices, actor=actor)
    except IntegrityError:
        # Another request created the row after our look-up: now it exists, update it.
        return await _upsert_once(provider=provider, key=key, prices=prices, actor=actor)


async def _upsert_once(
    *, provider: Provider, key: str, prices: dict[str, Any], actor: Caller
) -> Pricing:
    async with in_transaction() as connection:
        row = await Pricing.filter(provider=provider, model_key=key).select_for_update().first()
        if row is None:
            row = await Pricing.create(provider=provider, model_key=key, **prices)
            old_values = None
        else:
            old_values = pricing_values(row)
            await row.update_from_dict(prices).save()
        await record_pricing_change(
            action=PricingAuditAction.UPSERT,
            actor=actor,
            row=row,
            old_values=old_values,
            new_values=pricing_values(row),
        )
        await bump_pricing_revision(connection)
    return row


async def delete_pricing(*, provider: Provider, model_name: str, actor: Caller) -> None:
    """Delete one pricing row; raise NotFoundError when there is none. Audited; logs kept."""
    model_name = clean_name(model_name, field="modelName")
    async with in_transaction() as connection:
        row = (
            await Pricing.filter(provider=provider, model_key=model_key(model_name))
            .select_for_update()
            .first()
        )
        if row is None:
            raise NotFoundError(
                f"no pricing for provider {provider.value} and model {model_name!r}",
                field="modelName",
            )
        await row.delete()
        await record_pricing_change(
            action=PricingAuditAction.DELETE,
            actor=actor,
            row=row,
            old_values=pricing_values(row),
            new_values=None,
        )
        await bump_pricing_revision(connection)


async def initialize_default_pricing(
    *, environment_prices: EnvironmentPrices, actor: Caller = SYSTEM
) -> PricingInitReport:
    """Upsert the ENVIRONMENT-managed rows at the environment prices; report each row's fate.

    Idempotent and safe when several workers run it at once: the unique constraint
    decides who creates a row, and updates only touch rows still ENVIRONMENT-managed.
    Creations and updates are audited.
    """
    report = PricingInitReport()
    wanted: dict[str, Any] = {
        "input_token_cost_pico": to_pico(environment_prices.input_token_cost),
        "output_token_cost_pico": to_pico(environment_prices.output_token_cost),
    }
    for name in ENVIRONMENT_MANAGED_MODELS:
        key = model_key(name)
        row = await Pricing.filter(provider=Provider.MISTRAL, model_key=key).first()
        if row is None:
            try:
                async with in_transaction() as connection:
                    row = await Pricing.create(
                        provider=Provider.MISTRAL,
                        model_name=name,
                        model_key=key,
                        managed_by=PricingManager.ENVIRONMENT,
                        **wanted,
                    )
                    await record_pricing_change(
                        action=PricingAuditAction.INITIALIZE,
                        actor=actor,
                        row=row,
                        old_values=None,
                        new_values=pricing_values(row),
                    )
                    await bump_pricing_revision(connection)
            except IntegrityError:
                row = await Pricing.get(provider=Provider.MISTRAL, model_key=key)
            else:
                report.created.append(row)
                continue
        if row.managed_by is PricingManager.ADMIN:
            report.skipped.append(row)
        elif all(getattr(row, column) == value for column, value in wanted.items()):
            report.unchanged.append(row)
        else:
            (
                report.updated
                if await _apply_environment_prices(row, wanted, actor)
                else report.skipped
            ).append(row)
    return report


async def _apply_environment_prices(row: Pricing, wanted: dict[str, Any], actor: Caller) -> bool:
    """Update a row to the environment prices unless an admin took it over meanwhile."""
    old_values = pricing_values(row)
    async with in_transaction() as connection:
        changed = await Pricing.filter(id=row.id, managed_by=PricingManager.ENVIRONMENT).update(
            **wanted, updated_at=datetime.now(UTC)
        )
        await row.refresh_from_db()
        if changed:
            await record_pricing_change(
                action=PricingAuditAction.INITIALIZE,
                actor=actor,
                row=row,
                old_values=old_values,
                new_values=pricing_values(row),
            )
            await bump_pricing_revision(connection)
    return bool(changed)
