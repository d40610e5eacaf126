"""The GraphQL schema: types, operations, permissions, limits and error codes."""

from collections.abc import Callable
from decimal import Decimal
from functools import partial

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from billgraph.schema.bulk_variables import BulkInputExecutionContext
from billgraph.schema.errors import log_nothing
from billgraph.schema.limits import limit_rules
from billgraph.schema.mutations import Mutation
from billgraph.schema.observe import ObserveOperation
from billgraph.schema.queries import Query
from billgraph.schema.scalars import (
    DecimalScalar,
    Int64,
    Int64Scalar,
    ProviderId,
    ProviderIdScalar,
)
from billgraph.settings import Settings


class BillgraphSchema(strawberry.Schema):
    # The router logs the unexpected errors (with the request id the caller sees); the
    # rest are answers to the caller and would only be noise in the log.
    process_errors = staticmethod(log_nothing)  # type: ignore[assignment]


def build_schema(settings: Settings) -> BillgraphSchema:
    """Return the schema with the query limits of `settings`; production hides introspection."""
    # Classes or factories: strawberry builds fresh extension instances for every request.
    rules = limit_rules(max_depth=settings.max_query_depth, max_aliases=settings.max_query_aliases)
    extensions: list[Callable[[], SchemaExtension]] = [
        ObserveOperation,
        # Limits run at validation, before any resolver; each names itself when hit.
        partial(AddValidationRules, rules),
        partial(MaxTokensLimiter, max_token_count=settings.max_query_tokens),
        # strawberry keeps these caches at module level: shared by all requests, bounded.
        partial(ParserCache, maxsize=256),
        partial(ValidationCache, maxsize=256),
    ]
    if settings.is_production:
        extensions.append(DisableIntrospection)
    return BillgraphSchema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(
            scalar_map={Decimal: DecimalScalar, Int64: Int64Scalar, ProviderId: ProviderIdScalar},
            disable_field_suggestions=settings.is_production,
        ),
        extensions=extensions,
        execution_context_class=BulkInputExecutionContext,
    )


def export_sdl() -> str:
    """Return the SDL of the schema (limits do not change it), as committed in schema.graphql."""
    return build_schema(Settings.model_construct()).as_str() + "\n"
