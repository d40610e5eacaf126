"""Money rules of services/costs.py: exact, never negative, at most 12 places."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billgraph.services.costs import (
    MAX_UNIT_PRICE,
    compute_cost,
    decimal_places,
    format_decimal,
    from_pico,
    parse_unit_price,
    to_pico,
)
from billgraph.services.errors import InvalidInputError
from billgraph.services.token_counts import TokenCounts
from billgraph.services.unit_prices import UnitPrices

# Up to $1,000 per million tokens: any call of up to 2^31 tokens then fits a stored cost.
prices = st.decimals(min_value=0, max_value=Decimal("0.001"), places=12)
token_counts = st.integers(min_value=0, max_value=2**31 - 1)


def test_worked_example_costs_a_quarter_cent() -> None:
    cost = compute_cost(
        TokenCounts(input=1000, output=500),
        UnitPrices(input=to_pico(Decimal("0.000001")), output=to_pico(Decimal("0.000003"))),
    )
    assert from_pico(cost.input_pico) == Decimal("0.001")
    assert from_pico(cost.output_pico) == Decimal("0.0015")
    assert format_decimal(from_pico(cost.total_pico)) == "0.0025"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("0.002500000000"), "0.0025"),
        (Decimal("2.5E-3"), "0.0025"),
        (Decimal("1E-12"), "0.000000000001"),
        (Decimal("100"), "100"),
        (Decimal("1E+2"), "100"),
        (Decimal("0E-12"), "0"),
        (Decimal("12345678.123456789012"), "12345678.123456789012"),
    ],
)
def test_decimals_print_in_plain_notation_without_trailing_zeros(value: Decimal, text: str) -> None:
    assert format_decimal(value) == text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-0.000001", "must not be negative"),
        ("0.0000000000001", "more than 12 decimal places"),
        ("abc", "is not a number"),
        ("NaN", "is not a number"),
        ("Infinity", "is not a number"),
        (0.1, "not a float"),
        ("1000000", "at most"),
        # Never rounded: 1e-999999999 needs 999,999,999 places (normalize() would say 0).
        ("1e-999999999", "more than 12 decimal places"),
        ("1E-13", "more than 12 decimal places"),
        # A price is ASCII digits with an optional point and exponent; Python's Decimal()
        # would take each of these.
        ("1_000", "is not a number"),
        ("0.000_001", "is not a number"),
        ("\u0660.\u0660\u0660\u0661", "is not a number"),  # Arabic-Indic 0.001
        ("\uff10.\uff15", "is not a number"),  # full-width 0.5
        ("\u0969", "is not a number"),  # Devanagari 3
        ("1e", "is not a number"),
        ("+1", "is not a number"),
        ("", "is not a number"),
        ("1e999999999", "at most"),
    ],
)
def test_bad_prices_are_refused_naming_the_field(value: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message) as raised:
        parse_unit_price(value, field="inputTokenCost")
    assert raised.value.field == "inputTokenCost"
    assert "inputTokenCost" in raised.value.message


def test_twelve_places_and_trailing_zeros_are_accepted() -> None:
    assert parse_unit_price("0.000000000001", field="p") == Decimal("1E-12")
    assert parse_unit_price("1e-12", field="p") == Decimal("1E-12")
    assert parse_unit_price("2.5E-6", field="p") == Decimal("0.0000025")
    assert parse_unit_price(".5", field="p") == Decimal("0.5")
    assert parse_unit_price("0e-999999999", field="p") == 0  # zero is exact in any notation
    assert parse_unit_price(" 0.000001 ", field="p") == Decimal("0.000001")
    assert parse_unit_price("0.00000100000000000", field="p") == Decimal("0.000001")
    assert parse_unit_price(str(MAX_UNIT_PRICE), field="p") == MAX_UNIT_PRICE


def test_negative_tokens_are_refused() -> None:
    with pytest.raises(InvalidInputError) as raised:
        compute_cost(TokenCounts(input=-1, output=0), UnitPrices(input=1, output=1))
    assert raised.value.field == "tokens_input"


def test_a_cost_too_large_to_store_is_refused_not_wrapped() -> None:
    with pytest.raises(InvalidInputError, match="largest recordable cost"):
        compute_cost(
            TokenCounts(input=2**31 - 1, output=0),
            UnitPrices(input=to_pico(MAX_UNIT_PRICE), output=0),
        )


@given(price=prices)
def test_pico_round_trip_is_exact(price: Decimal) -> None:
    assert from_pico(to_pico(price)) == price


@given(
    calls=st.lists(st.tuples(token_counts, token_counts, prices, prices), max_size=60),
)
def test_costs_and_their_sums_equal_the_decimal_reference(
    calls: list[tuple[int, int, Decimal, Decimal]],
) -> None:
    total_pico = 0
    reference_total = Decimal(0)
    for tokens_input, tokens_output, input_price, output_price in calls:
        cost = compute_cost(
            TokenCounts(input=tokens_input, output=tokens_output),
            UnitPrices(input=to_pico(input_price), output=to_pico(output_price)),
        )
        assert from_pico(cost.input_pico) == tokens_input * input_price
        assert from_pico(cost.output_pico) == tokens_output * output_price
        total_pico += cost.total_pico
        reference_total += tokens_input * input_price + tokens_output * output_price
    assert from_pico(total_pico) == reference_total


def test_decimal_places_are_read_from_the_digits_not_rounded() -> None:
    assert decimal_places(Decimal("1e-999999999")) == 999_999_999
    assert decimal_places(Decimal("0.0000010000")) == 6
    assert decimal_places(Decimal("1.5E+3")) == 0
    assert decimal_places(Decimal("0E-20")) == 0
