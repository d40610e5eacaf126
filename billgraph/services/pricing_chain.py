"""The resolution chain: which price applies to a (provider, model) at a moment. No I/O."""

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Self

from billgraph.models import PriceTier, Pricing, PricingSource, Provider, ProviderRow, ServiceTier
from billgraph.services.costs import BUILTIN_ESTIMATE_PRICE, to_pico
from billgraph.services.errors import InvalidInputError
from billgraph.services.model_names import DEFAULT_MODEL_KEY, model_key, short_model_key
from billgraph.services.provider_ids import BUILTIN_PROVIDERS
from billgraph.services.unit_prices import UnitPrices

# The provider whose usage the HUGGINGFACE_*_TOKEN_COST settings price (with every
# provider priced from it).
ENVIRONMENT_PRICED_PROVIDER = str(Provider.MISTRAL)
# The built-in providers' mapping (huggingface -> mistral), as the providers table starts.
BUILTIN_PRICED_FROM = {str(slug): str(source) for slug, _, source in BUILTIN_PROVIDERS if source}
# The first version of a price that nobody dated prices usage of any date.
BEGINNING_OF_TIME = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class EnvironmentPrices:
    """The HUGGINGFACE_*_TOKEN_COST settings: USD per token."""

    input_token_cost: Decimal
    output_token_cost: Decimal


_SERVICE_TIERS = {tier.value: tier for tier in ServiceTier}


def parse_service_tier(value: str | None, *, field: str = "service_tier") -> ServiceTier:
    """Return the service tier `value` names, in any case ("batch", "BATCH"); None is
    STANDARD. Raise InvalidInputError naming `field` otherwise."""
    if value is None:
        return ServiceTier.STANDARD
    tier = _SERVICE_TIERS.get(value) or _SERVICE_TIERS.get(str(value).strip().lower())
    if tier is None:
        raise InvalidInputError(
            "{field} must be one of {tiers}, not {value!r}",
            field=field,
            tiers=", ".join(_SERVICE_TIERS),
            value=value,
        )
    return tier


@dataclass(frozen=True, slots=True)
class TierPrices:
    """One tier of a price version: a service tier's prices for calls of more than
    `above_prompt_tokens` prompt tokens (0: every call). Prices as stored."""

    service_tier: ServiceTier
    above_prompt_tokens: int
    prices: UnitPrices

    @classmethod
    def of_row(cls, row: PriceTier) -> Self:
        return cls(row.service_tier, row.above_prompt_tokens, UnitPrices.of_row(row))


@dataclass(frozen=True, slots=True)
class ResolvedPrice:
    """The per-token prices for one (provider, model) and the chain step that chose them.

    `prices` are the effective ones: the cached, cache-write and reasoning prices are
    the input (or output) price where the version (or its tier) sets none.
    `service_tier` and `above_prompt_tokens` name the tier of the version whose prices
    these are; (standard, 0) is the version itself. `tiers` are all of the version's
    tiers, from which `for_call` picks.
    """

    provider: str
    pricing_provider: str
    requested_model: str
    source: PricingSource
    prices: UnitPrices
    matched_model_name: str | None = None
    pricing: Pricing | None = None
    service_tier: ServiceTier = ServiceTier.STANDARD
    above_prompt_tokens: int = 0
    tiers: tuple[TierPrices, ...] = ()

    @property
    def is_estimate(self) -> bool:
        return self.source is PricingSource.BUILTIN_ESTIMATE

    @property
    def input_price_pico(self) -> int:
        return self.prices.input

    @property
    def output_price_pico(self) -> int:
        return self.prices.output

    @property
    def cached_input_price_pico(self) -> int:
        return self.prices.input if self.prices.cached_input is None else self.prices.cached_input

    @property
    def cache_write_price_pico(self) -> int:
        return self.prices.input if self.prices.cache_write is None else self.prices.cache_write

    @property
    def reasoning_price_pico(self) -> int:
        return self.prices.output if self.prices.reasoning is None else self.prices.reasoning

    def for_call(self, *, service_tier: ServiceTier, prompt_tokens: int) -> "ResolvedPrice":
        """Return the prices of the tier that prices a call of this service tier and
        prompt size (see TierChoice); the version itself when it has no tiers."""
        if not self.tiers:
            return self
        return self.tier_choice(service_tier).pick(prompt_tokens)

    def tier_choice(self, service_tier: ServiceTier) -> "TierChoice":
        """Return the candidates of one service tier, with the standard ones as fallback."""
        standard = TierChoice.of([(0, self), *self._tiers_of(ServiceTier.STANDARD)], fallback=None)
        if service_tier is ServiceTier.STANDARD:
            return standard
        own = self._tiers_of(service_tier)
        return TierChoice.of(own, fallback=standard) if own else standard

    def _tiers_of(self, service_tier: ServiceTier) -> list[tuple[int, "ResolvedPrice"]]:
        return [
            (
                tier.above_prompt_tokens,
                replace(
                    self,
                    prices=tier.prices.effective(),
                    service_tier=tier.service_tier,
                    above_prompt_tokens=tier.above_prompt_tokens,
                ),
            )
            for tier in self.tiers
            if tier.service_tier is service_tier
        ]


@dataclass(frozen=True, slots=True)
class TierChoice:
    """The tiers of one service tier a version offers, by prompt size.

    `pick(P)` takes the candidate with the largest threshold strictly below P (a 200k
    tier prices a 200,001-token prompt, not a 200,000-token one; a 0 threshold applies
    to every call, an empty prompt included). With no candidate below P, the standard
    candidates decide (`fallback`), whose first is the version itself at 0.
    """

    thresholds: list[int]
    prices: list[ResolvedPrice]
    fallback: "TierChoice | None"

    @classmethod
    def of(
        cls, candidates: list[tuple[int, ResolvedPrice]], *, fallback: "TierChoice | None"
    ) -> "TierChoice":
        ordered = sorted(candidates, key=lambda candidate: candidate[0])
        return cls([above for above, _ in ordered], [price for _, price in ordered], fallback)

    def pick(self, prompt_tokens: int) -> ResolvedPrice:
        index = bisect_left(self.thresholds, max(prompt_tokens, 1)) - 1
        if index >= 0:
            return self.prices[index]
        if self.fallback is None:  # the standard candidates always hold the version at 0
            raise ValueError("no tier applies and there is no fallback")
        return self.fallback.pick(prompt_tokens)


def priced_from_map(providers: Iterable[ProviderRow] | None) -> dict[str, str]:
    """Return {provider: the provider whose rows price it} for the re-mapped providers;
    None means the built-in providers as installed."""
    if providers is None:
        return dict(BUILTIN_PRICED_FROM)
    return {row.id: row.priced_from for row in providers if row.priced_from}


def pricing_provider_for(provider: str, priced_from: dict[str, str] | None = None) -> str:
    """Return the provider whose rows price `provider`'s models (built-in mapping by default)."""
    return (BUILTIN_PRICED_FROM if priced_from is None else priced_from).get(provider, provider)


def uses_environment_prices(provider: str, priced_from: dict[str, str] | None = None) -> bool:
    """Return True when the HUGGINGFACE_* settings are a step of `provider`'s chain."""
    return pricing_provider_for(provider, priced_from) == ENVIRONMENT_PRICED_PROVIDER


def version_at(versions: list[Pricing], at: datetime) -> Pricing | None:
    """Return the version in effect at `at` from versions sorted by effective_from."""
    index = bisect_right([version.effective_from for version in versions], at)
    return versions[index - 1] if index else None


_STEPS = (PricingSource.EXACT, PricingSource.SHORT_NAME, PricingSource.DEFAULT_ROW)


def _first_hit(
    provider: str,
    pricing_provider: str,
    model: str,
    row_for: Callable[[str], Pricing | None],
    environment_prices: EnvironmentPrices,
    *,
    tiers: dict[int, tuple[TierPrices, ...]],
) -> ResolvedPrice:
    """Walk the chain: `row_for(key)` gives the row in effect for a model key, if any."""
    keys = (model_key(model), short_model_key(model), DEFAULT_MODEL_KEY)
    for source, key in zip(_STEPS, keys, strict=True):
        row = row_for(key)
        if row is not None:
            return ResolvedPrice(
                provider=provider,
                pricing_provider=pricing_provider,
                requested_model=model,
                source=source,
                prices=UnitPrices.of_row(row).effective(),
                matched_model_name=row.model_name,
                pricing=row,
                tiers=tiers.get(row.id, ()),
            )
    if pricing_provider == ENVIRONMENT_PRICED_PROVIDER:
        source = PricingSource.ENVIRONMENT
        input_price = to_pico(environment_prices.input_token_cost)
        output_price = to_pico(environment_prices.output_token_cost)
    else:
        source = PricingSource.BUILTIN_ESTIMATE
        input_price = output_price = _BUILTIN_ESTIMATE_PICO
    return ResolvedPrice(
        provider=provider,
        pricing_provider=pricing_provider,
        requested_model=model,
        source=source,
        prices=UnitPrices.flat(input_price, output_price),
    )


_BUILTIN_ESTIMATE_PICO = to_pico(BUILTIN_ESTIMATE_PRICE)
_MICROSECOND = timedelta(microseconds=1)


def microseconds_since_epoch(moment: datetime) -> int:
    """Return exact microseconds since 1970-01-01T00:00Z."""
    return _microseconds(moment)


def _microseconds(moment: datetime) -> int:
    """Return exact microseconds since 1970-01-01T00:00Z."""
    return (moment - BEGINNING_OF_TIME) // _MICROSECOND


@dataclass(frozen=True, slots=True)
class PricingSnapshot:
    """Every price version as of one pricing revision, keyed for the chain's look-ups."""

    revision: int
    versions: dict[tuple[str, str], list[Pricing]]  # sorted by effective_from
    # The versions' start times as integer microseconds since the epoch, so a look-up is
    # one bisect over ints (comparing aware datetimes computes their offsets every time).
    starts: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    # provider -> the provider whose rows price it, for the re-mapped ones (providers table)
    priced_from: dict[str, str] = field(default_factory=lambda: dict(BUILTIN_PRICED_FROM))
    # pricing id -> the version's tiers (by service tier, then threshold)
    tiers: dict[int, tuple[TierPrices, ...]] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        revision: int,
        rows: Iterable[Pricing],
        providers: Iterable[ProviderRow] | None = None,
        tiers: Iterable[PriceTier] = (),
    ) -> "PricingSnapshot":
        versions: dict[tuple[str, str], list[Pricing]] = {}
        for row in sorted(rows, key=lambda row: row.effective_from):
            versions.setdefault((row.provider, row.model_key), []).append(row)
        starts = {
            key: [_microseconds(version.effective_from) for version in rows_of_key]
            for key, rows_of_key in versions.items()
        }
        tiers_of: dict[int, list[TierPrices]] = {}
        for tier in tiers:
            tiers_of.setdefault(tier.pricing_id, []).append(TierPrices.of_row(tier))
        return cls(
            revision=revision,
            versions=versions,
            starts=starts,
            priced_from=priced_from_map(providers),
            tiers={
                pricing_id: tuple(
                    sorted(rows, key=lambda tier: (tier.service_tier, tier.above_prompt_tokens))
                )
                for pricing_id, rows in tiers_of.items()
            },
        )

    def pricing_provider_for(self, provider: str) -> str:
        """Return the provider whose rows price `provider`'s models."""
        return self.priced_from.get(provider, provider)

    def _at(self, key: tuple[str, str], at: int) -> Pricing | None:
        versions = self.versions.get(key)
        if not versions:
            return None
        index = bisect_right(self.starts[key], at)
        return versions[index - 1] if index else None

    def change_points(self, *, provider: str, model: str) -> list[int]:
        """Return the sorted instants (epoch microseconds) at which the price of an already
        cleaned model name can change: between two of them, resolve() answers the same."""
        pricing_provider = self.priced_from.get(provider, provider)
        keys = (model_key(model), short_model_key(model), DEFAULT_MODEL_KEY)
        return sorted(
            {start for key in keys for start in self.starts.get((pricing_provider, key), [])}
        )

    def resolve(
        self,
        *,
        provider: str,
        model: str,
        environment_prices: EnvironmentPrices,
        at: datetime,
        service_tier: ServiceTier = ServiceTier.STANDARD,
        prompt_tokens: int = 0,
    ) -> ResolvedPrice:
        """Return the price at `at` of an already cleaned model name, at the tier of its
        version that prices a call of `service_tier` with `prompt_tokens`; no I/O."""
        pricing_provider = self.priced_from.get(provider, provider)
        moment = _microseconds(at)
        version = _first_hit(
            provider,
            pricing_provider,
            model,
            lambda key: self._at((pricing_provider, key), moment),
            environment_prices,
            tiers=self.tiers,
        )
        return version.for_call(service_tier=service_tier, prompt_tokens=prompt_tokens)
