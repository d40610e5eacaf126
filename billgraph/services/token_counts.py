"""The five token counts of one call, as one value.

`input` counts every prompt token, cached and cache-write ones included; `output` every
completion token, reasoning included. The same five counts are the `tokens_*` columns of
`api_usage_logs` (usage_fields.TOKEN_COLUMNS, in TokenCounts field order) and the
`tokens_*` fields of a reported call (UsageInput, the wire record): `of_row`,
`of_columns`, `columns` and `as_tuple` are the one mapping to and from them. `check` is
the one rule for what counts a call may report; `costs.compute_cost` applies it.
"""

from collections.abc import Mapping
from typing import Any, NamedTuple, Self

from billgraph.services.costs import MAX_STORED_PICO
from billgraph.services.errors import InvalidInputError
from billgraph.services.usage_fields import TOKEN_COLUMNS


class TokenCounts(NamedTuple):
    """Tokens of each kind in one call (or a sum of calls); not checked until `check()`.

    A NamedTuple rather than a frozen dataclass: ingest builds one per record, and a
    frozen dataclass's __init__ (an object.__setattr__ per field) costs about three times
    as much as a tuple, which is also its own `as_tuple()`.
    """

    input: int
    output: int
    cached_input: int = 0
    cache_write: int = 0
    reasoning: int = 0

    @classmethod
    def of_row(cls, row: Any) -> Self:
        """Return the counts of an object with the `tokens_*` attributes: a log, a
        UsageInput or a wire record."""
        # tuple.__new__ skips the generated __new__ and its defaults (ingest builds one per
        # record): the five counts are all given.
        return tuple.__new__(
            cls,
            (
                row.tokens_input,
                row.tokens_output,
                row.tokens_cached_input,
                row.tokens_cache_write,
                row.tokens_reasoning,
            ),
        )

    @classmethod
    def of_columns(cls, columns: Mapping[str, Any]) -> Self:
        """Return the counts of a mapping holding the `tokens_*` columns."""
        return cls(*(columns[name] for name in TOKEN_COLUMNS))

    def columns(self) -> dict[str, int]:
        """Return the counts as `tokens_*` columns."""
        return dict(zip(TOKEN_COLUMNS, self.as_tuple(), strict=True))

    def as_tuple(self) -> tuple[int, int, int, int, int]:
        """Return the counts in TOKEN_COLUMNS order (the value itself)."""
        return self

    def check(self) -> None:
        """Raise InvalidInputError naming the field when a count is negative or too big,
        or a part exceeds the side (prompt or completion) it is part of."""
        for field, value in (
            ("tokens_input", self.input),
            ("tokens_output", self.output),
            ("tokens_cached_input", self.cached_input),
            ("tokens_cache_write", self.cache_write),
            ("tokens_reasoning", self.reasoning),
        ):
            if value < 0:
                raise InvalidInputError("{field} must not be negative", field=field)
            if value > MAX_STORED_PICO:
                raise InvalidInputError(f"{{field}} must be at most {MAX_STORED_PICO}", field=field)
        if self.cached_input > self.input:
            raise InvalidInputError(
                "{field} must not exceed {tokens_input}, which counts all prompt tokens",
                field="tokens_cached_input",
                mentions=("tokens_input",),
            )
        if self.cached_input + self.cache_write > self.input:
            raise InvalidInputError(
                "{tokens_cached_input} plus {field} must not exceed {tokens_input}",
                field="tokens_cache_write",
                mentions=("tokens_cached_input", "tokens_input"),
            )
        if self.reasoning > self.output:
            raise InvalidInputError(
                "{field} must not exceed {tokens_output}, which counts all completion tokens",
                field="tokens_reasoning",
                mentions=("tokens_output",),
            )
