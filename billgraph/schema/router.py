"""The GraphQL HTTP endpoint: error codes on every answer, and an offline GraphiQL page."""

from typing import Any

from fastapi import Request
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from billgraph import metrics
from billgraph.graphiql import graphiql_html
from billgraph.schema.context import Context
from billgraph.schema.errors import with_code

_GRAPHIQL_PAGE = graphiql_html()


class BillgraphRouter(GraphQLRouter[Context, None]):
    def __init__(self, *args: Any, hide_suggestions: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hide_suggestions = hide_suggestions

    @property
    def graphql_ide_html(self) -> str:
        # GraphiQL with assets billgraph serves itself (see billgraph.graphiql).
        return _GRAPHIQL_PAGE

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
