"""Totals of a set of usage logs, as every report row and summary returns them."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class UsageTotals:
    """Totals of a set of logs; amounts in pico-dollars.

    The cached and cache-write tokens are part of tokens_input, the reasoning tokens
    part of tokens_output, as in each log.
    """

    requests: int
    tokens_input: int
    tokens_output: int
    tokens_cached_input: int
    tokens_cache_write: int
    tokens_reasoning: int
    cost_input_pico: int
    cost_output_pico: int
    cost_total_pico: int
    estimated_cost_total_pico: int
