"""TokenCounts: the five token counts as one value, and every layer that shows them.

Adding a token kind is one edit per layer (docs/architecture.md, "Adding a token kind");
the last test names each layer's place and fails when a kind is missing from one.
"""

from pathlib import Path

import pytest
from graphql import GraphQLInputObjectType, GraphQLObjectType, build_schema

from billgraph.api_names import api_name
from billgraph.client.records import UsageRecord as ClientRecord
from billgraph.models import (
    UsageLog,
    UsageRollupDailyUser,
    UsageRollupDailyUserTotal,
    UsageRollupHourly,
)
from billgraph.services.costs import compute_cost
from billgraph.services.errors import InvalidInputError
from billgraph.services.token_counts import TokenCounts
from billgraph.services.unit_prices import UnitPrices
from billgraph.services.usage_batch import UsageInput
from billgraph.services.usage_fields import TOKEN_COLUMNS
from billgraph.usage_record import UsageRecord

SCHEMA = build_schema((Path(__file__).resolve().parents[1] / "schema.graphql").read_text())


def test_the_columns_are_the_fields_in_order() -> None:
    assert tuple(f"tokens_{name}" for name in TokenCounts._fields) == TOKEN_COLUMNS


def test_columns_and_rows_map_both_ways() -> None:
    tokens = TokenCounts(input=1000, output=500, cached_input=600, cache_write=100, reasoning=250)

    assert tokens.columns() == {
        "tokens_input": 1000,
        "tokens_output": 500,
        "tokens_cached_input": 600,
        "tokens_cache_write": 100,
        "tokens_reasoning": 250,
    }
    assert TokenCounts.of_columns(tokens.columns()) == tokens
    record = UsageRecord(
        provider="openai",
        model="gpt-4o",
        tokens_input=1000,
        tokens_output=500,
        tokens_cached_input=600,
        tokens_cache_write=100,
        tokens_reasoning=250,
    )
    assert TokenCounts.of_row(record) == tokens


def test_unset_parts_are_zero() -> None:
    assert TokenCounts(input=10, output=5).as_tuple() == (10, 5, 0, 0, 0)


@pytest.mark.parametrize(
    ("tokens", "field", "message"),
    [
        (TokenCounts(-1, 0), "tokens_input", "tokens_input must not be negative"),
        (TokenCounts(0, 2**63), "tokens_output", f"tokens_output must be at most {2**63 - 1}"),
        (
            TokenCounts(10, 5, cached_input=11),
            "tokens_cached_input",
            "tokens_cached_input must not exceed tokens_input, which counts all prompt tokens",
        ),
        (
            TokenCounts(10, 5, cached_input=6, cache_write=5),
            "tokens_cache_write",
            "tokens_cached_input plus tokens_cache_write must not exceed tokens_input",
        ),
        (
            TokenCounts(10, 5, reasoning=6),
            "tokens_reasoning",
            "tokens_reasoning must not exceed tokens_output, which counts all completion tokens",
        ),
    ],
)
def test_check_refuses_bad_counts_naming_the_field(
    tokens: TokenCounts, field: str, message: str
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        tokens.check()
    assert (raised.value.field, raised.value.message) == (field, message)
    with pytest.raises(InvalidInputError):
        compute_cost(tokens, UnitPrices(input=1, output=1))  # checks them first


def test_each_part_costs_its_tokens_times_its_price() -> None:
    tokens = TokenCounts(input=1000, output=500, cached_input=600, cache_write=100, reasoning=250)
    cost = compute_cost(tokens, UnitPrices(10, 20, cached_input=1, cache_write=30, reasoning=40))

    assert cost.as_tuple() == (
        300 * 10 + 600 * 1 + 100 * 30,  # cost_input: uncached, cached and cache-write
        250 * 20 + 250 * 40,  # cost_output: plain and reasoning
        600,
        3000,
        10_000,
        6600 + 15_000,
    )
    assert cost.columns()["cost_total_pico"] == cost.total_pico


def _input_fields(name: str) -> set[str]:
    named = SCHEMA.type_map[name]
    assert isinstance(named, GraphQLInputObjectType)
    return set(named.fields)


def _output_fields(name: str) -> set[str]:
    named = SCHEMA.type_map[name]
    assert isinstance(named, GraphQLObjectType)
    return set(named.fields)


@pytest.mark.parametrize("column", TOKEN_COLUMNS)
def test_every_layer_has_every_token_kind(column: str) -> None:
    # Storage: the log and the rollup tables (a migration for each dialect adds them).
    for model in (UsageLog, UsageRollupHourly, UsageRollupDailyUser, UsageRollupDailyUserTotal):
        assert column in model._meta.fields_map, model.__name__
    # What a caller reports: the service's input, the wire record, the Python client's.
    for reported in (UsageInput, UsageRecord, ClientRecord):
        assert column in reported.__annotations__, reported
    # GraphQL: the record input, estimateCost's arguments and every type showing counts.
    field = api_name(column)
    assert field in _input_fields("RecordUsageInput")
    query = SCHEMA.query_type
    assert query is not None
    assert field in query.fields["estimateCost"].args
    for shown in ("UsageLog", "CostBreakdown", "CostTotals"):
        assert field in _output_fields(shown), shown
