"""The little SQL that differs between SQLite and PostgreSQL, and a parameter collector."""

from dataclasses import dataclass, field

from tortoise.backends.base.client import BaseDBAsyncClient


def dialect_of_connection(connection: BaseDBAsyncClient) -> str:
    """Return "sqlite" or "postgres"."""
    dialect: str = connection.capabilities.dialect
    return "sqlite" if dialect == "sqlite" else "postgres"


@dataclass
class Params:
    """Collects query parameters and renders each dialect's placeholder for them."""

    dialect: str
    values: list[object] = field(default_factory=list)

    def add(self, value: object) -> str:
        self.values.append(value)
        return "?" if self.dialect == "sqlite" else f"${len(self.values)}"


def epoch_seconds_sql(dialect: str, column: str) -> str:
    """Return SQL for whole seconds since the Unix epoch of a timestamp column (floor)."""
    if dialect == "sqlite":
        # Tortoise stores ISO 8601 text with a UTC offset, which strftime understands.
        return f"CAST(strftime('%s', {column}) AS INTEGER)"
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"


def floor_div_sql(dialect: str, expression: str, divisor: int) -> str:
    """Return SQL for the integer quotient of a non-negative integer or numeric expression."""
    if dialect == "sqlite":
        return f"(({expression}) / {divisor})"
    # SUM(bigint) is numeric on PostgreSQL, where / would keep the fraction.
    return f"div({expression}, {divisor})"


def mod_sql(dialect: str, expression: str, divisor: int) -> str:
    """Return SQL for the remainder of a non-negative integer or numeric expression."""
    if dialect == "sqlite":
        return f"(({expression}) % {divisor})"
    return f"mod({expression}, {divisor})"


def exact_sum_sql(dialect: str, expression: str) -> tuple[str, str]:
    """Return SQL for (whole dollars, remainder) sums of a pico-dollar expression.

    The total is whole * 10^12 + remainder. SQLite's SUM raises on 64-bit overflow, so
    there the amount is split before summing; PostgreSQL sums bigint into an exact
    numeric, so it sums the amount whole (splitting costs a numeric division per row).
    """
    if dialect == "sqlite":
        return (
            f"SUM({floor_div_sql(dialect, expression, _PICO)})",
            f"SUM({mod_sql(dialect, expression, _PICO)})",
        )
    return "0", f"SUM({expression})"


def exact_order_sql(dialect: str, expression: str) -> list[str]:
    """Return ORDER BY terms that sort groups by the exact sum of a pico-dollar expression."""
    if dialect != "sqlite":
        return [f"SUM({expression})"]
    whole, rest = exact_sum_sql(dialect, expression)
    return [f"({whole} + {floor_div_sql(dialect, rest, _PICO)})", mod_sql(dialect, rest, _PICO)]


_PICO = 10**12
