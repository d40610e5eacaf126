"""The resolution chain: which price applies to a (provider, model) at a moment. No I/O."""

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from billgraph.models import Pricing, PricingSource, Provider
from billgraph.services.costs import BUILTIN_ESTIMATE_PRICE, to_pico
from billgraph.services.model_names import DEFAULT_MODEL_KEY, model_key, short_model_key

# HuggingFace's router serves open models whose prices the MISTRAL rows hold.
_PRICING_PROVIDER = {Provider.HUGGINGFACE: Provider.MISTRAL}
# The first version of a price that nobody dated prices usage of any date.
BEGINNING_OF_TIME = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class EnvironmentPrices:
    """The HUGGINGFACE_*_TOKEN_COST settings: USD per token."""

    input_token_cost: Decimal
    output_token_cost: Decimal


@dataclass(frozen=True, slots=True)
class ResolvedPrice:
    """The per-token prices for one (provider, model) and the chain step that chose them.

    Prices of cached, cache-write and reasoning tokens are the effective ones: the input
    (or output) price where the version sets none.
    """

    provider: Provider
    pricing_provider: Provider
    requested_model: str
    source: PricingSource
    input_price_pico: int
    output_price_pico: int
    cached_input_price_pico: int
    cache_write_price_pico: int
    reasoning_price_pico: int
    matched_model_name: str | None = None
    pricing: Pricing | None = None

    @property
    def is_estimate(self) -> bool:
        return self.source is PricingSource.BUILTIN_ESTIMATE


def pricing_provider_for(provider: Provider) -> Provider:
    """Return the provider whose rows price `provider`'s models."""
    return _PRICING_PROVIDER.get(provider, provider)


def uses_environment_prices(provider: Provider) -> bool:
    """Return True when the HUGGINGFACE_* settings are a step of `provider`'s chain."""
    return pricing_provider_for(provider) is Provider.MISTRAL


def version_at(versions: list[Pricing], at: datetime) -> Pricing | None:
    """Return the version in effect at `at` from versions sorted by effective_from."""
    index = bisect_right([version.effective_from for version in versions], at)
    return versions[index - 1] if index else None


_STEPS = (PricingSource.EXACT, PricingSource.SHORT_NAME, PricingSource.DEFAULT_ROW)


def _first_hit(
    provider: Provider,
    pricing_provider: Provider,
    model: str,
    row_for: Callable[[str], Pricing | None],
    environment_prices: EnvironmentPrices,
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
                input_price_pico=row.input_token_cost_pico,
                output_price_pico=row.output_token_cost_pico,
                cached_input_price_pico=_or(
                    row.cached_input_token_cost_pico, row.input_token_cost_pico
                ),
                cache_write_price_pico=_or(
                    row.cache_write_token_cost_pico, row.input_token_cost_pico
                ),
                reasoning_price_pico=_or(row.reasoning_token_cost_pico, row.output_token_cost_pico),
                matched_model_name=row.model_name,
                pricing=row,
            )
    if uses_environment_prices(provider):
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
        input_price_pico=input_price,
        output_price_pico=output_price,
        cached_input_price_pico=input_price,
        cache_write_price_pico=input_price,
        reasoning_price_pico=output_price,
    )


_BUILTIN_ESTIMATE_PICO = to_pico(BUILTIN_ESTIMATE_PRICE)
_MICROSECOND = timedelta(microseconds=1)


def microseconds_since_epoch(moment: datetime) -> int:
    """Return exact microseconds since 1970-01-01T00:00Z."""
    return _microseconds(moment)


def _microseconds(moment: datetime) -> int:
    """Return exact microseconds since 1970-01-01T00:00Z."""
    return (moment - BEGINNING_OF_TIME) // _MICROSECOND


def _or(price: int | None, fallback: int) -> int:
    return fallback if price is None else price


@dataclass(frozen=True, slots=True)
class PricingSnapshot:
    """Every price version as of one pricing revision, keyed for the chain's look-ups."""

    revision: int
    versions: dict[tuple[Provider, str], list[Pricing]]  # sorted by effective_from
    # The versions' start times as integer microseconds since the epoch, so a look-up is
    # one bisect over ints (comparing aware datetimes computes their offsets every time).
    starts: dict[tuple[Provider, str], list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, revision: int, rows: Iterable[Pricing]) -> "PricingSnapshot":
        versions: dict[tuple[Provider, str], list[Pricing]] = {}
        for row in sorted(rows, key=lambda row: row.effective_from):
            versions.setdefault((row.provider, row.model_key), []).append(row)
        starts = {
            key: [_microseconds(version.effective_from) for version in rows_of_key]
            for key, rows_of_key in versions.items()
        }
        return cls(revision=revision, versions=versions, starts=starts)

    def _at(self, key: tuple[Provider, str], at: int) -> Pricing | None:
        versions = self.versions.get(key)
        if not versions:
            return None
        index = bisect_right(self.starts[key], at)
        return versions[index - 1] if index else None

    def change_points(self, *, provider: Provider, model: str) -> list[int]:
        """Return the sorted instants (epoch microseconds) at which the price of an already
        cleaned model name can change: between two of them, resolve() answers the same."""
        pricing_provider = pricing_provider_for(provider)
        keys = (model_key(model), short_model_key(model), DEFAULT_MODEL_KEY)
        return sorted(
            {start for key in keys for start in self.starts.get((pricing_provider, key), [])}
        )

    def resolve(
        self,
        *,
        provider: Provider,
        model: str,
        environment_prices: EnvironmentPrices,
        at: datetime,
    ) -> ResolvedPrice:
        """Return the price at `at` of an already cleaned model name; no I/O."""
        pricing_provider = pricing_provider_for(provider)
        moment = _microseconds(at)
        return _first_hit(
            provider,
            pricing_provider,
            model,
            lambda key: self._at((pricing_provider, key), moment),
            environment_prices,
        )
