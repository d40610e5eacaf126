"""The errors the client raises, with billgraph's error codes."""

import re
from typing import Any

import httpx

_BATCH_ITEM = re.compile(r"^inputs\[(\d+)\]")


class BillgraphError(Exception):
    """billgraph refused a request, or could not be reached.

    `code` is billgraph's error code (BAD_USER_INPUT, UNAUTHENTICATED, FORBIDDEN,
    NOT_FOUND, CONFLICT, UNAVAILABLE, INTERNAL) or CONNECTION for transport failures;
    `retryable` says whether sending the same request again may succeed.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        retryable: bool = False,
        status: int | None = None,
        field: str | None = None,
        index: int | None = None,
        retry_after: float | None = None,
        sent: bool = True,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retryable = retryable
        self.status = status
        self.field = field
        self.index = index
        self.retry_after = retry_after
        # False when the request surely never reached the server (connecting failed).
        self.sent = sent

    def __str__(self) -> str:
        where = f" (field {self.field})" if self.field else ""
        return f"{self.code}: {self.message}{where}"


def connection_error(error: httpx.TransportError) -> BillgraphError:
    """Return the retryable error for a failure below HTTP (connect, read, timeout)."""
    never_sent = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout)
    return BillgraphError(
        f"{type(error).__name__}: {error}", code="CONNECTION", retryable=True, sent=not never_sent
    )


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: fall back to the client's own backoff


def error_from_errors(errors: list[dict[str, Any]], response: httpx.Response) -> BillgraphError:
    """Return the error for the first entry of a GraphQL or plain-HTTP `errors` list."""
    first = errors[0] if errors else {}
    extensions: dict[str, Any] = first.get("extensions") or {}
    code = str(extensions.get("code") or "INTERNAL")
    field = extensions.get("field")
    index = extensions.get("index")
    if index is None and isinstance(field, str) and (match := _BATCH_ITEM.match(field)):
        index = int(match.group(1))
    retryable = bool(extensions.get("retryable")) or code == "UNAVAILABLE"
    return BillgraphError(
        str(first.get("message") or "request failed"),
        code=code,
        retryable=retryable,
        status=response.status_code,
        field=field if isinstance(field, str) else None,
        index=index if isinstance(index, int) else None,
        retry_after=_retry_after(response),
    )


def error_from_response(response: httpx.Response) -> BillgraphError:
    """Return the error an HTTP error response stands for."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"]:
        error = error_from_errors(body["errors"], response)
    else:
        code = {401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT"}.get(
            response.status_code, "UNAVAILABLE" if response.status_code >= 500 else "BAD_REQUEST"
        )
        error = BillgraphError(
            f"HTTP {response.status_code}: {response.text[:200]}",
            code=code,
            status=response.status_code,
            retry_after=_retry_after(response),
        )
    # 500 is a bug on the server (INTERNAL): resending would not help. Overload and
    # gateway answers may pass.
    if response.status_code in {429, 502, 503, 504}:
        error.retryable = True
    return error
