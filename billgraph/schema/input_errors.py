"""Name the input field in graphql-core's coercion errors, as domain errors do.

graphql-core reports an inline value it cannot coerce ("Int cannot represent non 32-bit
signed integer value: 3000000000") at the value's position only, and a bad variable
value as "Variable '$input' has invalid value at .tokensInput: ...". Both become
`extensions.field` ("tokensInput", or "inputs[1].tokensInput" for a list argument), the
same names domain errors use; an inline value's message starts with that name.
"""

import re
from typing import Any

from graphql import (
    ArgumentNode,
    GraphQLError,
    ObjectFieldNode,
    Visitor,
    parse,
    visit,
)
from graphql.language import VariableNode

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
_OUT_OF_RANGE = re.compile(r"Int cannot represent non 32-bit signed integer value: (-?)\d+$")
_VARIABLE_ERROR = re.compile(r"^Variable '\$(\w+)' has invalid value(?: at ([^:]+))?: ")


def named_input_error(error: GraphQLError) -> tuple[str, dict[str, Any]]:
    """Return the message and extensions of a pre-execution error, naming its field."""
    message = error.message
    extensions = dict(error.extensions or {})
    out_of_range = _OUT_OF_RANGE.search(message)
    if out_of_range is not None:
        bound = f"at least {INT_MIN}" if out_of_range.group(1) else f"at most {INT_MAX}"
        message = f"{message} ({bound})"
    if error.source is None or "field" in extensions:
        return message, extensions
    variable = _VARIABLE_ERROR.match(error.message)
    if variable is not None:
        name, path = variable.group(1), (variable.group(2) or "").strip()
        argument = _argument_of_variable(error.source.body, name) or name
        if not path:
            extensions["field"] = argument
        else:
            extensions["field"] = f"{argument}{path}" if path.startswith("[") else path[1:]
        return message, extensions
    if error.nodes and error.nodes[0].loc is not None:
        field = _field_of_value_at(error.source.body, error.nodes[0].loc.start)
        if field is not None:
            extensions["field"] = field
            message = f"{field}: {message}"
    return message, extensions


class _Finder(Visitor):
    def __init__(self, *, value_start: int | None = None, variable: str | None = None) -> None:
        super().__init__()
        self.value_start = value_start
        self.variable = variable
        self.found: str | None = None

    def _check(self, node: ArgumentNode | ObjectFieldNode) -> None:
        value = node.value
        if self.found is not None:
            return
        if self.value_start is not None and value.loc is not None:
            if value.loc.start == self.value_start:
                self.found = node.name.value
        elif isinstance(value, VariableNode) and value.name.value == self.variable:
            self.found = node.name.value

    def enter_argument(self, node: ArgumentNode, *_: object) -> None:
        self._check(node)

    def enter_object_field(self, node: ObjectFieldNode, *_: object) -> None:
        self._check(node)


def _field_of_value_at(document: str, start: int) -> str | None:
    finder = _Finder(value_start=start)
    visit(parse(document), finder)
    return finder.found


def _argument_of_variable(document: str, variable: str) -> str | None:
    finder = _Finder(variable=variable)
    visit(parse(document), finder)
    return finder.found
