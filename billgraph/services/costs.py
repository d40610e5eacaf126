"""Exact money arithmetic. Pure functions, no I/O.

Prices are USD per token with at most 12 decimal places. Internally every amount is an
integer number of pico-dollars (1e-12 USD): a price with 12 decimal places times an
integer token count is an exact integer, and integer sums are exact on every database.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from billgraph.services.errors import InvalidInputError
from billgraph.services.usage_fields import COST_COLUMNS

if TYPE_CHECKING:  # both import this module
    from billgraph.services.token_counts import TokenCounts
    from billgraph.services.unit_prices import UnitPrices

PRICE_DECIMAL_PLACES = 12
PICO_PER_USD: int = 10**PRICE_DECIMAL_PLACES
# A price of a million dollars per token is far beyond any real one and keeps every
# stored amount inside a signed 64-bit column.
MAX_UNIT_PRICE = Decimal("999999.999999999999")
MAX_STORED_PICO = 2**63 - 1
BUILTIN_ESTIMATE_PRICE = Decimal("0.000001")
# What a decimal is, as text: ASCII digits, an optional point and an optional exponent.
# Python's Decimal() also takes "1_000", Arabic-Indic or full-width digits, "NaN" and
# "Infinity"; none of those is a price.
_DECIMAL_TEXT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
DECIMAL_TEXT_RULE = "ASCII digits with an optional point and an optional exponent"


def parse_decimal_text(text: str) -> Decimal | None:
    """Return `text` (trimmed) as an exact Decimal, or None when it is not one."""
    text = text.strip()
    if _DECIMAL_TEXT.fullmatch(text) is None:
        return None
    return Decimal(text)


@dataclass(frozen=True, slots=True)
class Cost:
    """The cost of one call by part, in pico-dollars."""

    uncached_input_pico: int
    uncached_output_pico: int
    cached_input_pico: int = 0
    cache_write_pico: int = 0
    reasoning_pico: int = 0

    @property
    def input_pico(self) -> int:
        """The whole prompt side: uncached, cached and cache-write tokens."""
        return self.uncached_input_pico + self.cached_input_pico + self.cache_write_pico

    @property
    def output_pico(self) -> int:
        """The whole completion side, reasoning tokens included."""
        return self.uncached_output_pico + self.reasoning_pico

    @property
    def total_pico(self) -> int:
        return self.input_pico + self.output_pico

    def as_tuple(self) -> tuple[int, int, int, int, int, int]:
        """Return the log's cost columns' values, in COST_COLUMNS order."""
        input_pico, output_pico = self.input_pico, self.output_pico
        return (
            input_pico,
            output_pico,
            self.cached_input_pico,
            self.cache_write_pico,
            self.reasoning_pico,
            input_pico + output_pico,
        )

    def columns(self) -> dict[str, int]:
        """Return the cost as the log's `cost_*_pico` columns."""
        return dict(zip(COST_COLUMNS, self.as_tuple(), strict=True))


def parse_unit_price(value: object, *, field: str) -> Decimal:
    """Return `value` as an exact per-token price, or raise InvalidInputError naming `field`
    (a domain name, e.g. `input_token_cost`)."""
    return parse_usd_amount(value, field=field, maximum=MAX_UNIT_PRICE, example="0.000001")


def parse_usd_amount(value: object, *, field: str, maximum: Decimal, example: str) -> Decimal:
    """Return `value` as an exact USD amount in [0, maximum] with at most 12 decimal places
    (a price, a budget limit), or raise InvalidInputError naming `field`."""
    if isinstance(value, bool | float):
        raise InvalidInputError(
            f'{{field}} must be a decimal string such as "{example}", not a float',
            field=field,
        )
    if isinstance(value, Decimal):
        amount: Decimal | None = value
    elif isinstance(value, int):
        amount = Decimal(value)
    else:
        amount = parse_decimal_text(str(value))
    if amount is None:
        raise InvalidInputError(
            f"{{field}} is not a number: {{value!r}} (a price is {DECIMAL_TEXT_RULE})",
            field=field,
            value=value,
        )
    if not amount.is_finite():
        raise InvalidInputError("{field} must be a finite number", field=field)
    if amount < 0:
        raise InvalidInputError("{field} must not be negative", field=field)
    if amount > maximum:
        raise InvalidInputError(f"{{field}} must be at most {maximum}", field=field)
    if decimal_places(amount) > PRICE_DECIMAL_PLACES:
        raise InvalidInputError(
            f"{{field}} has more than {PRICE_DECIMAL_PLACES} decimal places: {{value}}",
            field=field,
            value=value,
        )
    return amount


def decimal_places(value: Decimal) -> int:
    """Return how many decimal places `value` needs (trailing zeros do not count).

    Read from the digits, not through normalize(), which rounds a value beyond the
    context's exponent range: 1e-999999999 would become 0 and pass as a 0-place price.
    """
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise TypeError(f"{value} is not a finite number")
    significant = len(digits)
    while significant and digits[significant - 1] == 0:
        significant -= 1
    if not significant:
        return 0  # zero, in any notation
    return max(0, -(exponent + len(digits) - significant))


def to_pico(price: Decimal) -> int:
    """Return an exact price (at most 12 places) as an integer number of pico-dollars."""
    scaled = price.scaleb(PRICE_DECIMAL_PLACES)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{price} has more than {PRICE_DECIMAL_PLACES} decimal places")
    return int(scaled)


def from_pico(amount: int) -> Decimal:
    """Return a pico-dollar integer as an exact Decimal of USD."""
    return Decimal(amount).scaleb(-PRICE_DECIMAL_PLACES)


def format_decimal(value: Decimal) -> str:
    """Return `value` in plain notation without trailing zeros: "0.0025", "100", "0"."""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def compute_cost(tokens: "TokenCounts", prices: "UnitPrices") -> Cost:
    """Return the exact cost of a call: each part's tokens times its per-token price.

    The counts are checked first (TokenCounts.check). `tokens.input` counts every prompt
    token, cached and cache-write ones included; `tokens.output` every completion token,
    reasoning included. A part without a price of its own costs the input (or output)
    price.
    """
    tokens.check()
    input_price, output_price = prices.input, prices.output
    cached_input, cache_write, reasoning = tokens.cached_input, tokens.cache_write, tokens.reasoning
    cached_input_price, cache_write_price = prices.cached_input, prices.cache_write
    reasoning_price = prices.reasoning
    uncached_input_pico = (tokens.input - cached_input - cache_write) * input_price
    uncached_output_pico = (tokens.output - reasoning) * output_price
    cached_input_pico = cached_input * (
        input_price if cached_input_price is None else cached_input_price
    )
    cache_write_pico = cache_write * (
        input_price if cache_write_price is None else cache_write_price
    )
    reasoning_pico = reasoning * (output_price if reasoning_price is None else reasoning_price)
    if (
        uncached_input_pico
        + uncached_output_pico
        + cached_input_pico
        + cache_write_pico
        + reasoning_pico
        > MAX_STORED_PICO
    ):
        raise InvalidInputError(
            "{field} and {tokens_output} at this price exceed the largest recordable cost",
            field="tokens_input",
            mentions=("tokens_output",),
        )
    return Cost(
        uncached_input_pico,
        uncached_output_pico,
        cached_input_pico,
        cache_write_pico,
        reasoning_pico,
    )
