"""Totals of a set of usage logs, as every report row and summary returns them."""

from dataclasses import dataclass

from billgraph.services.token_counts import TokenCounts


@dataclass(frozen=True, slots=True)
class UsageTotals:
    """Totals of a set of logs; amounts in pico-dollars.

    `tokens` sums each kind, as in each log: the cached and cache-write tokens are part
    of `tokens.input`, the reasoning tokens part of `tokens.output`.
    """

    requests: int
    tokens: TokenCounts
    cost_input_pico: int
    cost_output_pico: int
    cost_total_pico: int
    estimated_cost_total_pico: int
