"""Custom scalars: exact Decimals as plain strings, 64-bit counters, provider ids."""

from decimal import Decimal
from typing import Any, NewType

import strawberry
from graphql import EnumValueNode, FloatValueNode, IntValueNode, StringValueNode, ValueNode

from billgraph.services.costs import DECIMAL_TEXT_RULE, format_decimal, parse_decimal_text
from billgraph.services.errors import InvalidInputError
from billgraph.services.provider_ids import provider_id

_DECIMAL_AS_STRING = 'Decimals are sent as strings, e.g. "0.000001"'


def _parse_decimal(value: Any) -> Decimal:
    if isinstance(value, str):
        parsed = parse_decimal_text(value)
        if parsed is None:
            raise ValueError(f"{value!r} is not a decimal number: use {DECIMAL_TEXT_RULE}")
        return parsed
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    # A JSON float has already lost digits by the time it gets here.
    raise ValueError(f"{value!r} is not accepted: {_DECIMAL_AS_STRING}")


def _parse_decimal_literal(node: ValueNode, _variables: Any = None) -> Decimal:
    # A literal in the query text keeps all its digits, so numbers are exact here.
    if isinstance(node, StringValueNode | IntValueNode | FloatValueNode):
        return _parse_decimal(node.value)
    raise ValueError(_DECIMAL_AS_STRING)


def _serialize_decimal(value: Any) -> str:
    if not isinstance(value, Decimal):
        raise TypeError(f"Decimal fields must be resolved to Decimal, got {type(value).__name__}")
    return format_decimal(value)


DecimalScalar = strawberry.scalar(
    name="Decimal",
    description=(
        "An exact decimal number, as a string in plain notation without trailing zeros "
        '("0.0025"). Send Decimals as strings: JSON numbers lose digits.'
    ),
    serialize=_serialize_decimal,
    parse_value=_parse_decimal,
    parse_literal=_parse_decimal_literal,
)


def _serialize_int64(value: Any) -> str:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"Int64 fields must be resolved to int, got {type(value).__name__}")
    return str(value)


def _parse_int64(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValueError(f"{value!r} is not a whole number")


Int64 = NewType("Int64", int)

Int64Scalar = strawberry.scalar(
    name="Int64",
    description=(
        'A 64-bit whole number, sent as a string of digits ("12345678901") because '
        "GraphQL Int is 32-bit and JavaScript numbers are exact only up to 2^53."
    ),
    serialize=_serialize_int64,
    parse_value=_parse_int64,
)


def _parse_provider(value: Any) -> str:
    try:
        return provider_id(value)
    except InvalidInputError as error:
        raise ValueError(error.message) from None


def _parse_provider_literal(node: ValueNode, _variables: Any = None) -> str:
    # Before providers were data they were an enum, so clients write `provider: OPENAI`
    # unquoted: an enum literal is accepted like the string.
    if isinstance(node, StringValueNode | EnumValueNode):
        return _parse_provider(node.value)
    raise ValueError('a provider id is a string, e.g. "openai"')


def _serialize_provider(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"Provider fields must be resolved to str, got {type(value).__name__}")
    return str(value)


ProviderId = NewType("ProviderId", str)

# Named Provider, as the enum it replaces was: queries declaring `$provider: Provider!`
# and sending OPENAI (or writing it unquoted) keep working.
ProviderIdScalar = strawberry.scalar(
    name="Provider",
    description=(
        'A provider\'s id: a lowercase slug such as "openai", "azure" or "fireworks_ai" '
        "(letters, digits, '_' and '-', at most 64). Any case is accepted, and so are "
        "the former enum literals (OPENAI, HUGGINGFACE, ...)."
    ),
    serialize=_serialize_provider,
    parse_value=_parse_provider,
    parse_literal=_parse_provider_literal,
)
