"""`GET /v1/usage/export.csv`: the filtered usage logs as CSV, streamed page by page."""

from datetime import UTC, datetime
from enum import Enum
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from billgraph.http_errors import domain_error_response
from billgraph.models import ApiKeyScope, PricingSource
from billgraph.schema.context import bearer_token_from
from billgraph.services.api_keys import authenticate
from billgraph.services.errors import BillingError, InvalidInputError
from billgraph.services.pricing_chain import parse_service_tier
from billgraph.services.provider_ids import provider_id
from billgraph.services.usage import UsageFilter
from billgraph.services.usage_export import export_filter, usage_csv
from billgraph.settings import Settings

E = TypeVar("E", bound=Enum)

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "BAD_USER_INPUT: a filter value is invalid (extensions.field)"},
    401: {"description": "UNAUTHENTICATED: no key, or an invalid or revoked one"},
    403: {"description": "FORBIDDEN: the key lacks READ, or asks for another user's logs"},
}


def _enum(kind: type[E], value: str | None, field: str) -> E | None:
    if value is None or value == "":
        return None
    try:
        return kind(value.strip().upper())
    except ValueError:
        names = ", ".join(member.value for member in kind)
        raise InvalidInputError(f"{field} must be one of {names}", field=field) from None


def _moment(value: str | None, field: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInputError(
            f"{field} must be an ISO 8601 time with offset, e.g. 2026-01-31T12:00:00Z",
            field=field,
        ) from None


def usage_export_router(settings: Settings) -> APIRouter:
    """Return the router of the CSV export endpoint."""
    router = APIRouter()

    @router.get(
        "/v1/usage/export.csv",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/csv": {}}}, **_ERRORS},
        summary="Export usage logs as CSV",
        description=(
            "The logs usageLogs would page through with the same filter, newest first, "
            "every price and cost as an exact decimal. Needs a READ (or ADMIN) key; a key "
            "bound to a user exports that user's logs only."
        ),
    )
    async def export_usage_csv(  # noqa: PLR0917  (FastAPI passes query parameters by name)
        request: Request,
        user_id: Annotated[str | None, Query(alias="userId")] = None,
        provider: Annotated[str | None, Query(description="a provider id, e.g. openai")] = None,
        model: Annotated[str | None, Query()] = None,
        pricing_source: Annotated[
            str | None, Query(alias="pricingSource", description="e.g. BUILTIN_ESTIMATE")
        ] = None,
        service_tier: Annotated[
            str | None, Query(alias="serviceTier", description="e.g. BATCH (any case)")
        ] = None,
        from_: Annotated[str | None, Query(alias="from", description="inclusive")] = None,
        to: Annotated[str | None, Query(description="exclusive")] = None,
    ) -> Response:
        admin_key = settings.admin_api_key
        try:
            caller = await authenticate(
                token=bearer_token_from(request.headers.get("authorization")),
                admin_api_key=admin_key.get_secret_value() if admin_key else None,
                now=datetime.now(UTC),
            )
            caller.require(ApiKeyScope.READ)
            usage_filter = export_filter(
                usage_filter=UsageFilter(
                    user_id=user_id or None,
                    provider=provider_id(provider) if provider else None,
                    model=model or None,
                    pricing_source=_enum(PricingSource, pricing_source, "pricingSource"),
                    service_tier=(parse_service_tier(service_tier) if service_tier else None),
                    occurred_from=_moment(from_, "from"),
                    occurred_to=_moment(to, "to"),
                ),
                caller=caller,
            )
        except BillingError as error:
            return domain_error_response(error)
        return StreamingResponse(
            usage_csv(usage_filter=usage_filter, caller=caller),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": 'attachment; filename="usage-logs.csv"',
                "Cache-Control": "no-store",
            },
        )

    return router
