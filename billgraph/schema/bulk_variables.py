"""A fast path for the one big variable of recordUsageBatch: `[RecordUsageInput!]!`.

graphql-core coerces a variable value by value and strawberry then builds an input
object per item; for 1000 items that is the largest cost of a batch (see
benchmarks/README.md). Before execution, a variable of exactly that type is checked in
one call by msgspec against the same record shape as POST /v1/usage; when it passes,
the records go to the resolver through the request context and graphql-core sees an
empty list. When it does not pass, nothing changes: graphql-core coerces the value and
reports its errors as usual.
"""

from typing import Any

import msgspec
from graphql import DocumentNode, GraphQLSchema, OperationDefinitionNode, VariableNode, print_ast
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import Info

from billgraph.services.token_counts import TokenCounts
from billgraph.usage_record import UsageRecord

BULK_TYPE = "[RecordUsageInput!]!"
_GRAPHQL_INT = range(-(2**31), 2**31)


class BulkInputExecutionContext(StrawberryGraphQLCoreExecutionContext):
    @classmethod
    def build(
        cls,
        schema: GraphQLSchema,
        document: DocumentNode,
        root_value: Any = None,
        context_value: Any = None,
        raw_variable_values: dict[str, Any] | None = None,
        operation_name: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if raw_variable_values and context_value is not None:
            raw_variable_values = _take_bulk_variables(document, raw_variable_values, context_value)
        return super().build(
            schema,
            document,
            root_value,
            context_value,
            raw_variable_values,
            operation_name,
            *args,
            **kwargs,
        )


def _take_bulk_variables(
    document: DocumentNode, raw: dict[str, Any], context: Any
) -> dict[str, Any]:
    taken: dict[str, list[UsageRecord]] = {}
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        for variable in definition.variable_definitions or ():
            name = variable.variable.name.value
            if name in taken or print_ast(variable.type) != BULK_TYPE:
                continue
            records = _checked(raw.get(name))
            if records is not None:
                taken[name] = records
    if not taken:
        return raw
    context.bulk_usage_inputs = taken
    return {**raw, **{name: [] for name in taken}}


def _checked(value: Any) -> list[UsageRecord] | None:
    if not isinstance(value, list) or not value:
        return None
    try:
        records = msgspec.convert(value, list[UsageRecord])
    except msgspec.ValidationError:
        return None
    for record in records:
        if any(count not in _GRAPHQL_INT for count in TokenCounts.of_row(record).as_tuple()):
            return None  # GraphQL Int is 32-bit: let graphql-core refuse it
    return records


def bulk_inputs(info: Info[Any, Any], argument: str) -> list[UsageRecord] | None:
    """Return the records the fast path took for `argument` of this field, if it did."""
    taken: dict[str, list[UsageRecord]] = info.context.bulk_usage_inputs
    if not taken:
        return None
    # strawberry's Info has no public field node; graphql-core's resolve info does.
    for node in info._raw_info.field_nodes[0].arguments or ():
        if node.name.value == argument and isinstance(node.value, VariableNode):
            return taken.get(node.value.name.value)
    return None
