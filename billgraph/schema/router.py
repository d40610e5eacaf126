"""The GraphQL HTTP endpoint: error codes on every answer, and an offline GraphiQL page.

Strawberry answers a request it cannot read (body not JSON, a batch, a wrong method or
content type, no query) with a plain-text 400. Here each of those is an answer in the
API's error shape, with `extensions.code` and the status that fits.
"""

import json
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from fastapi import Request, Response
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from billgraph import metrics
from billgraph.graphiql import graphiql_html
from billgraph.http_errors import error_response
from billgraph.schema.context import Context
from billgraph.schema.errors import with_code

ALLOWED_METHODS = "GET, POST"
_REFUSED_METHODS = ["PUT", "PATCH", "DELETE", "OPTIONS"]


class BillgraphRouter(GraphQLRouter[Context, None]):
    def __init__(
        self,
        *args: Any,
        hide_suggestions: bool,
        development_key_hint: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.hide_suggestions = hide_suggestions
        self._graphiql_page = graphiql_html(development_key_hint=development_key_hint)
        # Without these routes FastAPI answers other methods with its own 405 body.
        self.add_api_route(
            "", self._refuse_method, methods=_REFUSED_METHODS, include_in_schema=False
        )

    @staticmethod
    async def _refuse_method(request: Request) -> Response:
        return transport_error(
            HTTPException(405, f"{request.method} is not supported: send POST (or GET)")
        )

    async def run(  # type: ignore[override]
        self, request: Request, context: Any = UNSET, root_value: Any = UNSET
    ) -> Response:
        try:
            response: Response = await super().run(request, context, root_value)
        except HTTPException as error:
            return transport_error(error)
        return response

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        if request.method == "POST":
            content_type, _ = parse_content_type(request.content_type or "")
            if "application/json" not in content_type:
                raise TransportError(
                    415,
                    f"Content-Type {content_type or '(none)'} is not supported: "
                    "send the request as application/json",
                    field="Content-Type",
                )
            body = _request_object(await request.get_body())
        else:
            body = dict(request.query_params)
        _check_operation(body)
        return await super().parse_http_body(request)

    @property
    def graphql_ide_html(self) -> str:
        # GraphiQL with assets billgraph serves itself (see billgraph.graphiql).
        return self._graphiql_page

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        # Every answer passes here, syntax errors included (schema extensions do not see
        # those), so this is where each error gets its code and unexpected ones are masked.
        if result.errors:
            request_id: str = getattr(request.state, "request_id", "")
            result.errors = [
                with_code(error, request_id=request_id, hide_suggestions=self.hide_suggestions)
                for error in result.errors
            ]
            metrics.errors_answered(
                str((error.extensions or {}).get("code", "INTERNAL")) for error in result.errors
            )
        return await super().process_result(request, result)


class TransportError(HTTPException):
    """A request the endpoint cannot read, with the part of it that is wrong."""

    def __init__(self, status_code: int, reason: str, *, field: str | None = None) -> None:
        super().__init__(status_code, reason)
        self.field = field


def transport_error(error: HTTPException) -> Response:
    """Return the API's error shape for a request the endpoint cannot read."""
    extensions: dict[str, Any] = {}
    if isinstance(error, TransportError) and error.field is not None:
        extensions["field"] = error.field
    code = "NOT_FOUND" if error.status_code == 404 else "BAD_USER_INPUT"
    response = error_response(code, error.reason, status=error.status_code, **extensions)
    if error.status_code == 405:
        response.headers["Allow"] = ALLOWED_METHODS
    return response


def _request_object(body: bytes) -> dict[str, Any]:
    try:
        decoded = json.loads(body)
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
        raise TransportError(400, f"The request body is not valid JSON: {error}") from None
    if isinstance(decoded, list):
        raise TransportError(
            400, "Batching is not supported: send one operation per request, as a JSON object"
        )
    if not isinstance(decoded, dict):
        raise TransportError(
            400, 'The request body must be a JSON object such as {"query": "{ pricings { id } }"}'
        )
    return decoded


def _check_operation(body: dict[str, Any]) -> None:
    query = body.get("query")
    if not isinstance(query, str) or not query.strip():
        raise TransportError(
            400, 'No GraphQL query in the request: send {"query": "..."}', field="query"
        )
    for name in ("variables", "extensions"):
        if not isinstance(body.get(name), dict | str | None):
            raise TransportError(400, f"{name} must be a JSON object or null", field=name)
    if not isinstance(body.get("operationName"), str | None):
        raise TransportError(400, "operationName must be a string or null", field="operationName")
