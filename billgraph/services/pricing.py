"""Price versions in the database: the cache, admin changes, and default initialization."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from billgraph import metrics
from billgraph.models import (
    Pricing,
    PricingAuditAction,
    PricingManager,
    PricingRevision,
    Provider,
)
from billgraph.services.api_keys import SYSTEM, Caller
from billgraph.services.audit import pricing_values, record_pricing_change
from billgraph.services.costs import Cost, compute_cost, parse_unit_price, to_pico
from billgraph.services.errors import InvalidInputError, NotFoundError, UnavailableError
from billgraph.services.model_names import DEFAULT_MODEL_KEY, clean_name, model_key
from billgraph.services.pricing_chain import (
    BEGINNING_OF_TIME,
    EnvironmentPrices,
    PricingSnapshot,
    ResolvedPrice,
    choose_price,
    pricing_provider_for,
    uses_environment_prices,
    version_at,
)
from billgraph.services.times import require_aware

__all__ = [
    "EnvironmentPrices",
    "PricingCache",
    "PricingSnapshot",
    "ResolvedPrice",
    "choose_price",
    "pricing_provider_for",
    "uses_environment_prices",
]

ENVIRONMENT_MANAGED_MODELS = ("gpt-oss-120b", DEFAULT_MODEL_KEY)


@dataclass(slots=True)
class PricingInitReport:
    """What initialize_default_pricing did to each environment-managed row."""

    created: list[Pricing] = field(default_factory=list)
    updated: list[Pricing] = field(default_factory=list)
    unchanged: list[Pricing] = field(default_factory=list)
    skipped: list[Pricing] = field(default_factory=list)


class PricingCache:
    """All price versions in memory, reloaded when prices change.

    Every pricing change bumps `pricing_revision` in its transaction and, on PostgreSQL,
    sends a notification on commit. While a listener (services/pricing_listener.py) is
    connected, the cache trusts the notifications and prices without a query; otherwise
    one small query of the revision tells whether its copy is current (the backstop).
    """

    def __init__(self) -> None:
        self._snapshot = PricingSnapshot(revision=-1, versions={})
        self._generation = 0  # moves on every notification or (re)connect
        self._loaded_generation = -1
        self._loaded_local = -1
        self._reason = "startup"
        self.listening = False

    def invalidate(self, reason: str) -> None:
        """Make the next snapshot reload every version (a notification came, or a reconnect)."""
        self._generation += 1
        self._reason = reason

    async def snapshot(self) -> PricingSnapshot:
        """Return the current versions (no query while listening, else one or two)."""
        if self.listening:
            if self._loaded_generation != self._generation:
                generation = self._generation
                self._snapshot = PricingSnapshot.of(await _current_revision(), await Pricing.all())
                self._loaded_generation = generation
                metrics.pricing_cache_reloaded(self._reason)
            return self._snapshot
        revision = await _current_revision()
        if revision != self._snapshot.revision:
            self._snapshot = PricingSnapshot.of(revision, await Pricing.all())
            metrics.pricing_cache_reloaded("revision")
        return self._snapshot


_REVISION_ROW = 1
PRICING_CHANNEL = "billgraph_pricing"


class _LocalChanges:
    """How many pricing changes this process has written (its caches reload on a move)."""

    count = 0


_changes_made_here = _LocalChanges()


async def _current_revision() -> int:
    current = await PricingRevision.get_or_none(id=_REVISION_ROW)
    return current.revision if current is not None else 0


async def bump_pricing_revision(connection: BaseDBAsyncClient) -> None:
    """Tell every worker's PricingCache that prices changed (inside the change's transaction)."""
    await connection.execute_query(
        "INSERT INTO pricing_revision (id, revision) VALUES (1, 1) "
        "ON CONFLICT (id) DO UPDATE SET revision = pricing_revision.revision + 1"
    )
    _changes_made_here.count += 1
    if connection.capabilities.dialect == "postgres":
        # Delivered to every listener when (and only if) the transaction commits.
        await connection.execute_query(f"NOTIFY {PRICING_CHANNEL}")


async def resolve_pricing(
    *,
    provider: Provider,
    model: str,
    environment_prices: EnvironmentPrices,
    cache: PricingCache,
    at: datetime,
) -> ResolvedPrice:
    """Return the price of `model` from `provider` in effect at `at`."""
    model = clean_name(model, field="model")
    at = require_aware(at, field="at")
    snapshot = await cache.snapshot()
    return snapshot.resolve(
        provider=provider, model=model, environment_prices=environment_prices, at=at
    )


async def estimate_cost(
    *,
    provider: Provider,
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


async def list_pricings(*, provider: Provider | None = None, at: datetime) -> list[Pricing]:
    """Return the version of each model in effect at `at`, ordered by provider and model."""
    at = require_aware(at, field="at")
    query = Pricing.all() if provider is None else Pricing.filter(provider=provider)
    snapshot = PricingSnapshot.of(0, await query)
    in_effect = [version_at(versions, at) for versions in snapshot.versions.values()]
    return sorted(
        (row for row in in_effect if row is not None),
        key=lambda row: (row.provider.value, row.model_key),
    )


async def scheduled_pricings(*, provider: Provider | None = None, at: datetime) -> list[Pricing]:
    """Return the versions that take effect after `at`, soonest first."""
    at = require_aware(at, field="at")
    query = Pricing.filter(effective_from__gt=at)
    if provider is not None:
        query = query.filter(provider=provider)
    return await query.order_by("effective_from", "provider", "model_key")


async def pricing_versions(*, provider: Provider, model_name: str) -> list[Pricing]:
    """Return every version of one model's price, oldest first."""
    model_name = clean_name(model_name, field="modelName")
    return await Pricing.filter(provider=provider, model_key=model_key(model_name)).order_by(
        "effective_from"
    )


def _check_priced_provider(provider: Provider) -> None:
    if pricing_provider_for(provider) is not provider:
        raise InvalidInputError(
            f"{provider.value} models are priced from {pricing_provider_for(provider).value} "
            f"rows; set the price with provider {pricing_provider_for(provider).value}",
            field="provider",
        )


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
                parse_unit_price(self.input_token_cost, field="inputTokenCost")
            ),
            "output_token_cost_pico": to_pico(
                parse_unit_price(self.output_token_cost, field="outputTokenCost")
            ),
            "cached_input_token_cost_pico": optional(
                self.cached_input_token_cost, "cachedInputTokenCost"
            ),
            "cache_write_token_cost_pico": optional(
                self.cache_write_token_cost, "cacheWriteTokenCost"
            ),
            "reasoning_token_cost_pico": optional(self.reasoning_token_cost, "reasoningTokenCost"),
        }


async def upsert_pricing(
    *,
    provider: Provider,
    model_name: str,
    prices: PriceChange,
    effective_from: datetime | None,
    now: datetime,
    actor: Caller,
    settle: timedelta | None = None,
) -> Pricing:
    """Set a model's prices from `effective_from` on; ADMIN-managed. Audited.

    Without `effective_from` the version starts at `now`, or, given `settle`, at the
    moment of writing plus `settle`: a start after the commit that every worker's cache
    has heard of by then, so no call at or after it is priced by the previous version.
    A version with that exact start is replaced; otherwise a new version is added, so
    usage before it keeps the prices it had.
    """
    _check_priced_provider(provider)
    model_name = clean_name(model_name, field="modelName")
    columns: dict[str, Any] = {
        **prices.columns(),
        "model_name": model_name,
        "managed_by": PricingManager.ADMIN,
    }
    if effective_from is not None:
        starts: datetime | timedelta = require_aware(effective_from, field="effectiveFrom")
    else:
        starts = settle or now
    return await save_version(
        provider=provider,
        key=model_key(model_name),
        effective_from=starts,
        columns=columns,
        action=PricingAuditAction.UPSERT,
        actor=actor,
    )


async def save_version(
    *,
    provider: Provider,
    key: str,
    effective_from: datetime | timedelta,
    columns: dict[str, Any],
    action: PricingAuditAction,
    actor: Caller,
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
                    connection, versions, provider, key, starts, columns, action, actor
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


async def lock_versions(
    connection: BaseDBAsyncClient, provider: Provider, key: str
) -> list[Pricing]:
    return await (
        Pricing.filter(provider=provider, model_key=key)
        .select_for_update()
        .order_by("effective_from")
        .using_db(connection)
    )


async def write_version(  # noqa: PLR0917  (the versions come from lock_versions)
    connection: BaseDBAsyncClient,
    versions: list[Pricing],
    provider: Provider,
    key: str,
    effective_from: datetime,
    columns: dict[str, Any],
    action: PricingAuditAction,
    actor: Caller,
) -> Pricing:
    """Replace or insert one version, given the model's versions read in this transaction.

    Inserting can still raise IntegrityError if a concurrent transaction added the same
    version meanwhile; callers retry with a fresh read.
    """
    replaced = next((row for row in versions if row.effective_from == effective_from), None)
    before = replaced or version_at(versions, effective_from)
    old_values = pricing_values(before) if before is not None else None
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
    await record_pricing_change(
        action=action, actor=actor, row=row, old_values=old_values, new_values=pricing_values(row)
    )
    await bump_pricing_revision(connection)
    return row


async def delete_pricing(
    *, provider: Provider, model_name: str, effective_from: datetime | None, actor: Caller
) -> int:
    """Delete a model's price versions (all, or the one starting at `effective_from`).

    Return how many were deleted; raise NotFoundError when none matched. Audited; usage
    logs keep the costs they were recorded with.
    """
    model_name = clean_name(model_name, field="modelName")
    query = Pricing.filter(provider=provider, model_key=model_key(model_name))
    if effective_from is not None:
        query = query.filter(effective_from=require_aware(effective_from, field="effectiveFrom"))
    async with in_transaction() as connection:
        rows = await query.select_for_update().using_db(connection)
        if not rows:
            raise NotFoundError(
                f"no pricing for provider {provider.value} and model {model_name!r}",
                field="modelName",
            )
        for row in rows:
            await row.delete(using_db=connection)
            await record_pricing_change(
                action=PricingAuditAction.DELETE,
                actor=actor,
                row=row,
                old_values=pricing_values(row),
                new_values=None,
            )
        await bump_pricing_revision(connection)
    return len(rows)


async def initialize_default_pricing(
    *, environment_prices: EnvironmentPrices, now: datetime, actor: Caller = SYSTEM
) -> PricingInitReport:
    """Keep the ENVIRONMENT-managed prices equal to the environment; report each one's fate.

    A model with no price gets a first version from 1970 on (it prices usage of any
    date); changed environment prices add a version from `now` on. A price an admin or a
    catalog set is left alone. Idempotent, and safe when several workers run it at once.
    """
    report = PricingInitReport()
    wanted: dict[str, Any] = {
        "input_token_cost_pico": to_pico(environment_prices.input_token_cost),
        "output_token_cost_pico": to_pico(environment_prices.output_token_cost),
        "cached_input_token_cost_pico": None,
        "cache_write_token_cost_pico": None,
        "reasoning_token_cost_pico": None,
    }
    for name in ENVIRONMENT_MANAGED_MODELS:
        key = model_key(name)
        for attempt in range(2):
            try:
                outcome, row = await _initialize_one(name, key, wanted, now, actor)
                break
            except IntegrityError:
                if attempt:  # a concurrent worker created it: look again once
                    raise
        getattr(report, outcome).append(row)
    return report


async def _initialize_one(
    name: str, key: str, wanted: dict[str, Any], now: datetime, actor: Caller
) -> tuple[str, Pricing]:
    async with in_transaction() as connection:
        versions = await lock_versions(connection, Provider.MISTRAL, key)
        current = version_at(versions, now)
        if current is not None and current.managed_by is not PricingManager.ENVIRONMENT:
            return "skipped", current
        if current is not None and all(
            getattr(current, column) == value for column, value in wanted.items()
        ):
            return "unchanged", current
        starts = BEGINNING_OF_TIME if current is None else now
        row = await write_version(
            connection,
            versions,
            Provider.MISTRAL,
            key,
            starts,
            {**wanted, "model_name": name, "managed_by": PricingManager.ENVIRONMENT},
            PricingAuditAction.INITIALIZE,
            actor,
        )
        return ("created" if current is None else "updated"), row
