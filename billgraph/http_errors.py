"""One JSON error shape for every plain-HTTP answer, the same one GraphQL uses.

`{"errors": [{"message": ..., "extensions": {"code": ..., ...}}]}`, with the HTTP
status that fits the code. A retryable code (UNAVAILABLE) adds `"retryable": true` and
the `Retry-After` header.

Domain errors carry no code: CODE_OF_ERROR below maps their classes to the codes
that GraphQL (billgraph.schema.errors) and plain HTTP both answer with, and their
messages and fields are rendered with the API's names (billgraph.api_names).
"""

from typing import Any

from fastapi.responses import JSONResponse

from billgraph import metrics
from billgraph.api_names import api_field, api_message
from billgraph.services.errors import (
    BillingError,
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    UnauthenticatedError,
    UnavailableError,
)

HTTP_STATUS_OF_CODE = {
    "BAD_USER_INPUT": 400,
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "CONFLICT": 409,
    "PAYLOAD_TOO_LARGE": 413,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "INTERNAL": 500,
    "UNAVAILABLE": 503,
}
RETRYABLE_CODES = frozenset({"UNAVAILABLE"})
# Domain error class -> code; a subclass (e.g. BudgetExceededError) takes its base's.
CODE_OF_ERROR: dict[type[BillingError], str] = {
    InvalidInputError: "BAD_USER_INPUT",
    UnauthenticatedError: "UNAUTHENTICATED",
    ForbiddenError: "FORBIDDEN",
    NotFoundError: "NOT_FOUND",
    ConflictError: "CONFLICT",
    UnavailableError: "UNAVAILABLE",
}
RETRY_AFTER_SECONDS = 1


def code_of(error: BillingError) -> str:
    """Return the code a domain error answers with (INTERNAL for an unmapped class)."""
    for cls in type(error).__mro__:
        code = CODE_OF_ERROR.get(cls)
        if code is not None:
            return code
    return "INTERNAL"


def error_body(code: str, message: str, **extensions: Any) -> dict[str, Any]:
    """Return the error document for one error with `code` and extra extensions."""
    if code in RETRYABLE_CODES:
        extensions["retryable"] = True
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


def error_response(
    code: str, message: str, *, status: int | None = None, **extensions: Any
) -> JSONResponse:
    """Return a JSON error response; the status follows the code unless given."""
    metrics.errors_answered([code])
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if code in RETRYABLE_CODES else None
    return JSONResponse(
        error_body(code, message, **extensions),
        status_code=status or HTTP_STATUS_OF_CODE.get(code, 500),
        headers=headers,
    )


def domain_error_response(error: BillingError, **extensions: Any) -> JSONResponse:
    """Return the response for a domain error, naming its field when it has one."""
    field = api_field(error)
    if field is not None:
        extensions.setdefault("field", field)
    return error_response(code_of(error), api_message(error), **extensions)
