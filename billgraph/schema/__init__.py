"""The GraphQL schema: types, operations, permissions and error codes."""

from decimal import Decimal

import strawberry
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig

from billgraph.schema.errors import ErrorCodes, log_nothing
from billgraph.schema.mutations import Mutation
from billgraph.schema.queries import Query
from billgraph.schema.scalars import DecimalScalar, Int64, Int64Scalar


class BillgraphSchema(strawberry.Schema):
    # ErrorCodes logs the unexpected errors (with an id the caller sees); the rest are
    # answers to the caller and would only be noise in the log.
    process_errors = staticmethod(log_nothing)  # type: ignore[assignment]


schema = BillgraphSchema(
    query=Query,
    mutation=Mutation,
    config=StrawberryConfig(scalar_map={Decimal: DecimalScalar, Int64: Int64Scalar}),
    # The caches live at module level in strawberry: shared by every request, bounded.
    extensions=[
        ErrorCodes,
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
    ],
)
