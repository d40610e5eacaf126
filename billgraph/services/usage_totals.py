"""Exact sums over usage logs, on SQLite as on PostgreSQL.

SQLite's SUM of 64-bit integers raises on overflow, and its decimal columns sum as
floats. There each pico-dollar amount is summed as two integer parts, whole dollars
(amount / 1e12) and the remainder (amount % 1e12), which cannot overflow for any
realistic total; the parts are recombined exactly in Python. PostgreSQL sums bigint
into an exact numeric, so it sums whole amounts.
"""

from dataclasses import dataclass
from typing import Any

from tortoise.expressions import RawSQL
from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet

from billgraph.models import PricingSource, UsageLog
from billgraph.services.costs import PICO_PER_USD
from billgraph.services.sql import dialect_of_connection


@dataclass(frozen=True, slots=True)
class UsageTotals:
    """Totals of a set of logs; amounts in pico-dollars."""

    requests: int
    tokens_input: int
    tokens_output: int
    cost_input_pico: int
    cost_output_pico: int
    cost_total_pico: int
    estimated_cost_total_pico: int


_ESTIMATED_TOTAL = (
    f"CASE WHEN pricing_source = '{PricingSource.BUILTIN_ESTIMATE.value}' "
    "THEN cost_total_pico ELSE 0 END"
)
_AMOUNTS = {
    "cost_input_pico": "cost_input_pico",
    "cost_output_pico": "cost_output_pico",
    "cost_total_pico": "cost_total_pico",
    "estimated_cost_total_pico": _ESTIMATED_TOTAL,
}


def _split_sums(dialect: str) -> dict[str, Any]:
    sums: dict[str, Any] = {}
    for name, expression in _AMOUNTS.items():
        # Sum accepts any expression at run time; its annotation names only F and str.
        if dialect == "sqlite":
            sums[f"{name}_usd"] = Sum(RawSQL(f"({expression}) / {PICO_PER_USD}"))  # type: ignore[arg-type]
            sums[f"{name}_rest"] = Sum(RawSQL(f"({expression}) % {PICO_PER_USD}"))  # type: ignore[arg-type]
        else:  # PostgreSQL sums bigint into an exact numeric
            sums[f"{name}_rest"] = Sum(RawSQL(expression))  # type: ignore[arg-type]
    return sums


def _as_int(value: object) -> int:
    # SUM over no rows is NULL; PostgreSQL returns numeric (an exact Decimal).
    return 0 if value is None else int(value)  # type: ignore[call-overload]


async def sum_usage(logs: QuerySet[UsageLog]) -> UsageTotals:
    """Return the exact totals of the logs in `logs`, in one query."""
    aggregates = {
        "requests": Count("id"),
        "tokens_input": Sum("tokens_input"),
        "tokens_output": Sum("tokens_output"),
        **_split_sums(dialect_of_connection(UsageLog._meta.db)),
    }
    rows: list[dict[str, Any]] = await logs.annotate(**aggregates).values(*aggregates)
    row = rows[0] if rows else {}
    amounts = {
        name: _as_int(row.get(f"{name}_usd")) * PICO_PER_USD + _as_int(row.get(f"{name}_rest"))
        for name in _AMOUNTS
    }
    return UsageTotals(
        requests=_as_int(row.get("requests")),
        tokens_input=_as_int(row.get("tokens_input")),
        tokens_output=_as_int(row.get("tokens_output")),
        **amounts,
    )
