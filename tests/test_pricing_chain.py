"""The resolution chain as a pure function: first hit wins, and it says which step hit."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from billgraph.models import Pricing, PricingManager, PricingSource, Provider
from billgraph.services.costs import BUILTIN_ESTIMATE_PRICE, to_pico
from billgraph.services.model_names import model_key, short_model_key
from billgraph.services.pricing import (
    EnvironmentPrices,
    choose_price,
    pricing_provider_for,
    uses_environment_prices,
)

ENVIRONMENT = EnvironmentPrices(
    input_token_cost=Decimal("0.000002"), output_token_cost=Decimal("0.000004")
)
segments = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-.", min_size=1, max_size=12)
model_names = st.builds(
    lambda org, name, route: f"{org + '/' if org else ''}{name}{':' + route if route else ''}",
    st.one_of(st.none(), segments),
    segments,
    st.one_of(st.none(), segments),
)


def row(provider: Provider, name: str, price_pico: int) -> Pricing:
    return Pricing(
        id=price_pico,
        provider=provider,
        model_name=name,
        model_key=model_key(name),
        input_token_cost_pico=price_pico,
        output_token_cost_pico=price_pico * 2,
        managed_by=PricingManager.ADMIN,
    )


@given(
    # the built-in providers, and providers nobody registered
    provider=st.sampled_from([*Provider, "fireworks_ai", "azure"]),
    model=model_names,
    has_exact=st.booleans(),
    has_short=st.booleans(),
    has_default=st.booleans(),
    rows_of_another_provider=st.booleans(),
)
def test_the_first_available_step_prices_the_call(
    provider: str,
    model: str,
    has_exact: bool,
    has_short: bool,
    has_default: bool,
    rows_of_another_provider: bool,
) -> None:
    priced_by = pricing_provider_for(provider)
    exact_is_short = model_key(model) == short_model_key(model)
    rows = []
    if has_exact:
        rows.append(row(priced_by, model.upper(), 1))
    if has_short and not (has_exact and exact_is_short):  # (provider, name) is unique
        rows.append(row(priced_by, short_model_key(model), 2))
    if has_default:
        rows.append(row(priced_by, "default", 3))
    if rows_of_another_provider:
        other = Provider.OPENAI if priced_by != Provider.OPENAI else Provider.GOOGLE
        rows += [row(other, model, 4), row(other, "default", 5)]

    price = choose_price(provider=provider, model=model, rows=rows, environment_prices=ENVIRONMENT)

    if has_exact:
        expected = (PricingSource.EXACT, 1)
    elif has_short:
        expected = (PricingSource.EXACT if exact_is_short else PricingSource.SHORT_NAME, 2)
    elif has_default:
        expected = (PricingSource.DEFAULT_ROW, 3)
    elif uses_environment_prices(provider):
        expected = (PricingSource.ENVIRONMENT, to_pico(ENVIRONMENT.input_token_cost))
    else:
        expected = (PricingSource.BUILTIN_ESTIMATE, to_pico(BUILTIN_ESTIMATE_PRICE))
    assert (price.source, price.input_price_pico) == expected
    assert price.is_estimate is (price.source is PricingSource.BUILTIN_ESTIMATE)
    assert price.provider == provider
    assert price.pricing_provider == priced_by
    assert (price.pricing is None) is (price.matched_model_name is None)
    assert price.input_price_pico > 0  # unknown models never cost 0


def test_huggingface_is_priced_from_mistral_rows_only() -> None:
    rows = [row(Provider.HUGGINGFACE, "default", 9), row(Provider.MISTRAL, "default", 3)]
    price = choose_price(
        provider=Provider.HUGGINGFACE, model="x", rows=rows, environment_prices=ENVIRONMENT
    )
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
