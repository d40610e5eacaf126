"""The resolution chain, as production runs it (PricingSnapshot.resolve, no I/O): first hit
wins among the versions in effect at the moment, and the answer says which step hit."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Literal

from hypothesis import given
from hypothesis import strategies as st

from billgraph.models import Pricing, PricingManager, PricingSource, Provider
from billgraph.services.costs import BUILTIN_ESTIMATE_PRICE, to_pico
from billgraph.services.model_names import model_key, short_model_key
from billgraph.services.pricing_chain import (
    BEGINNING_OF_TIME,
    EnvironmentPrices,
    PricingSnapshot,
    ResolvedPrice,
    pricing_provider_for,
    uses_environment_prices,
)

ENVIRONMENT = EnvironmentPrices(
    input_token_cost=Decimal("0.000002"), output_token_cost=Decimal("0.000004")
)
AT = datetime(2026, 6, 1, 12, tzinfo=UTC)
segments = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-.", min_size=1, max_size=12)
model_names = st.builds(
    lambda org, name, route: f"{org + '/' if org else ''}{name}{':' + route if route else ''}",
    st.one_of(st.none(), segments),
    segments,
    st.one_of(st.none(), segments),
)
# What the table holds for one step of the chain: no row; a version in effect at AT
# (with a superseded one before it and a later one after it); or only a later version.
Step = Literal["absent", "in_effect", "later_only"]
steps = st.sampled_from(["absent", "in_effect", "later_only"])
# A later version's price, and a superseded one's, differ from the version in effect.
LATER, SUPERSEDED = 20, 10


def row(provider: Provider, name: str, price_pico: int, starts: datetime) -> Pricing:
    return Pricing(
        id=price_pico,
        provider=provider,
        model_name=name,
        model_key=model_key(name),
        input_token_cost_pico=price_pico,
        output_token_cost_pico=price_pico * 2,
        effective_from=starts,
        managed_by=PricingManager.ADMIN,
    )


def versions(provider: Provider, name: str, price_pico: int, step: Step) -> list[Pricing]:
    """Return the versions of one model's price that `step` describes."""
    later = row(provider, name, price_pico + LATER, AT + timedelta(microseconds=1))
    if step == "later_only":
        return [later]
    if step == "in_effect":
        superseded = row(provider, name, price_pico + SUPERSEDED, BEGINNING_OF_TIME)
        return [superseded, row(provider, name, price_pico, AT), later]
    return []


def resolve(rows: list[Pricing], provider: Provider, model: str) -> ResolvedPrice:
    snapshot = PricingSnapshot.of(1, rows)
    return snapshot.resolve(provider=provider, model=model, environment_prices=ENVIRONMENT, at=AT)


@given(
    provider=st.sampled_from(list(Provider)),
    model=model_names,
    exact=steps,
    short=steps,
    default=steps,
    rows_of_another_provider=st.booleans(),
)
def test_the_first_step_with_a_version_in_effect_prices_the_call(
    provider: Provider,
    model: str,
    exact: Step,
    short: Step,
    default: Step,
    rows_of_another_provider: bool,
) -> None:
    priced_by = pricing_provider_for(provider)
    exact_is_short = model_key(model) == short_model_key(model)
    if exact_is_short and exact != "absent":
        short = "absent"  # the same (provider, model key): one set of versions
    rows = [
        *versions(priced_by, model.upper(), 1, exact),
        *versions(priced_by, short_model_key(model), 2, short),
        *versions(priced_by, "default", 3, default),
    ]
    if rows_of_another_provider:
        other = Provider.OPENAI if priced_by is not Provider.OPENAI else Provider.GOOGLE
        rows += [row(other, model, 4, BEGINNING_OF_TIME), row(other, "default", 5, AT)]

    price = resolve(rows, provider, model)

    if exact == "in_effect":
        expected = (PricingSource.EXACT, 1)
    elif short == "in_effect":
        expected = (PricingSource.EXACT if exact_is_short else PricingSource.SHORT_NAME, 2)
    elif default == "in_effect":
        expected = (PricingSource.DEFAULT_ROW, 3)
    elif uses_environment_prices(provider):
        expected = (PricingSource.ENVIRONMENT, to_pico(ENVIRONMENT.input_token_cost))
    else:
        expected = (PricingSource.BUILTIN_ESTIMATE, to_pico(BUILTIN_ESTIMATE_PRICE))
    assert (price.source, price.input_price_pico) == expected
    assert price.is_estimate is (price.source is PricingSource.BUILTIN_ESTIMATE)
    assert price.provider is provider
    assert price.pricing_provider is priced_by
    assert (price.pricing is None) is (price.matched_model_name is None)
    if price.pricing is not None:
        assert price.pricing.effective_from == AT  # neither the superseded nor the later one
    assert price.input_price_pico > 0  # unknown models never cost 0


def test_huggingface_is_priced_from_mistral_rows_only() -> None:
    rows = [
        row(Provider.HUGGINGFACE, "default", 9, BEGINNING_OF_TIME),
        row(Provider.MISTRAL, "default", 3, BEGINNING_OF_TIME),
    ]
    price = resolve(rows, Provider.HUGGINGFACE, "x")
    assert (price.source, price.pricing_provider, price.input_price_pico) == (
        PricingSource.DEFAULT_ROW,
        Provider.MISTRAL,
        3,
    )


def test_only_mistral_priced_providers_use_the_environment_prices() -> None:
    assert {provider for provider in Provider if uses_environment_prices(provider)} == {
        Provider.MISTRAL,
        Provider.HUGGINGFACE,
    }
