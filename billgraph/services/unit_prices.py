"""The five per-token prices of a price version, a tier or a priced call, as one value.

Prices are pico-dollars per token. Input and output are always set; the cached-input,
cache-write and reasoning prices may be None, meaning "the input (or output) price"
(`effective()` fills them in). The same five columns are named `*_token_cost_pico` on
`api_provider_pricing`, `api_provider_price_tiers` and `api_usage_logs`: `of_row` and
`columns` are the one mapping to and from them. What tokens cost at them is
`costs.compute_cost(tokens, prices)`.
"""

from dataclasses import dataclass
from typing import Any, Self

from billgraph.services.usage_fields import UNIT_PRICE_COLUMNS

# The columns of every table holding the five prices, in UnitPrices field order.
PRICE_COLUMNS = UNIT_PRICE_COLUMNS
# Their names in the API, pricing audit values and catalog messages.
PRICE_API_NAMES = (
    "inputTokenCost",
    "outputTokenCost",
    "cachedInputTokenCost",
    "cacheWriteTokenCost",
    "reasoningTokenCost",
)


@dataclass(frozen=True, slots=True)
class UnitPrices:
    """Pico-dollars per token of each kind; None for an optional kind: its side's price."""

    input: int
    output: int
    cached_input: int | None = None
    cache_write: int | None = None
    reasoning: int | None = None

    @classmethod
    def of_row(cls, row: Any) -> Self:
        """Return the prices of an object with the `*_token_cost_pico` attributes."""
        return cls(
            input=row.input_token_cost_pico,
            output=row.output_token_cost_pico,
            cached_input=row.cached_input_token_cost_pico,
            cache_write=row.cache_write_token_cost_pico,
            reasoning=row.reasoning_token_cost_pico,
        )

    @classmethod
    def of_columns(cls, columns: dict[str, int | None]) -> Self:
        """Return the prices of `*_token_cost_pico` columns (input and output set)."""
        input_price, output_price = columns[PRICE_COLUMNS[0]], columns[PRICE_COLUMNS[1]]
        if input_price is None or output_price is None:
            raise ValueError("input and output prices are required")
        return cls(
            input=input_price,
            output=output_price,
            cached_input=columns[PRICE_COLUMNS[2]],
            cache_write=columns[PRICE_COLUMNS[3]],
            reasoning=columns[PRICE_COLUMNS[4]],
        )

    @classmethod
    def flat(cls, input_price: int, output_price: int) -> Self:
        """Return prices with every optional kind at its side's price, filled in."""
        return cls(input_price, output_price, input_price, input_price, output_price)

    def columns(self) -> dict[str, int | None]:
        """Return the prices as `*_token_cost_pico` columns."""
        return dict(zip(PRICE_COLUMNS, self.as_tuple(), strict=True))

    def as_tuple(self) -> tuple[int, int, int | None, int | None, int | None]:
        return (self.input, self.output, self.cached_input, self.cache_write, self.reasoning)

    def effective(self) -> "UnitPrices":
        """Return the prices as applied: an optional kind without a price at its side's."""
        if (
            self.cached_input is not None
            and self.cache_write is not None
            and self.reasoning is not None
        ):
            return self
        return UnitPrices(
            input=self.input,
            output=self.output,
            cached_input=self.input if self.cached_input is None else self.cached_input,
            cache_write=self.input if self.cache_write is None else self.cache_write,
            reasoning=self.output if self.reasoning is None else self.reasoning,
        )
