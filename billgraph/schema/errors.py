"""Every GraphQL error gets `extensions.code`; unexpected ones are masked and logged.

Domain errors (billgraph.services.errors) get the code of their class
(billgraph.http_errors.CODE_OF_ERROR) and their message and field in API names
(billgraph.api_names). Errors that
graphql-core raises before any resolver runs (syntax, validation, variable coercion)
are the caller's: BAD_USER_INPUT. A database that is unreachable, restarting or
overloaded is UNAVAILABLE, marked retryable. Anything else is a bug: the caller sees a generic
message with code INTERNAL and the request id, which the log shows with the traceback.
"""

import logging
import re

from graphql.error import GraphQLError
from strawberry.types import ExecutionContext

from billgraph.api_names import api_field, api_message, api_name
from billgraph.http_errors import RETRYABLE_CODES, code_of
from billgraph.schema.input_errors import named_input_error
from billgraph.services.db_failures import is_unavailable
from billgraph.services.errors import BillingError

logger = logging.getLogger("billgraph.errors")


def is_unexpected(error: GraphQLError) -> bool:
    """Return True for errors a resolver raised that are not domain errors."""
    original = error.original_error
    return (
        original is not None
        and not isinstance(original, BillingError | GraphQLError)
        and error.path is not None
    )


_SUGGESTION = re.compile(r" Did you mean [^?]*\?")


def with_code(
    error: GraphQLError, *, request_id: str, hide_suggestions: bool = False
) -> GraphQLError:
    """Return the error as the caller should see it, with `extensions.code`.

    `hide_suggestions` drops graphql-core's "Did you mean ...?" hints, which name
    schema types, arguments and enum values that production does not disclose.
    """
    original = error.original_error
    if is_unexpected(error) and original is not None and is_unavailable(original):
        logger.warning("Database unavailable in request %s: %s", request_id, original)
        return GraphQLError(
            "The database is unavailable; retry (with the same request ids)",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "UNAVAILABLE", "retryable": True, "requestId": request_id},
        )
    if is_unexpected(error):
        logger.error(
            "Unexpected error in request %s at %s", request_id, error.path, exc_info=original
        )
        return GraphQLError(
            "Internal server error",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL", "requestId": request_id},
        )
    message = error.message
    extensions = dict(error.extensions or {})
    if isinstance(original, BillingError):
        message = api_message(original)
        code = code_of(original)
        extensions["code"] = code
        if code in RETRYABLE_CODES:
            extensions["retryable"] = True
        field = api_field(original)
        if field is not None:
            extensions["field"] = field
        extensions.update({api_name(key): value for key, value in (original.details or {}).items()})
    else:
        if error.path is None:
            message, extensions = named_input_error(error)
        extensions.setdefault("code", "BAD_USER_INPUT")
    if hide_suggestions:
        message = _SUGGESTION.sub("", message)
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


def log_nothing(errors: list[GraphQLError], context: ExecutionContext | None) -> None:
    """Expected errors are answers, not incidents; unexpected ones are logged by with_code."""
    del errors, context
