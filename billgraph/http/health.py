"""`/healthz` (the process answers), `/readyz` (the database answers, at this code's
schema) and `/metrics` (Prometheus text, every worker's values)."""

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from billgraph import metrics
from billgraph.http_errors import domain_error_response, error_response
from billgraph.models import ApiKeyScope
from billgraph.readiness import DatabaseProblemError, schema_status
from billgraph.schema.context import bearer_token_from
from billgraph.services.api_keys import authenticate
from billgraph.services.errors import BillingError
from billgraph.settings import Settings

# Readiness must answer while the pool is busy and fail fast when the database hangs.
READINESS_TIMEOUT_SECONDS = 2.0


def health_router(settings: Settings) -> APIRouter:
    """Return the router of the health, readiness and metrics endpoints."""
    router = APIRouter()

    @router.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        # Touches nothing shared: alive means the event loop answers.
        return JSONResponse({"status": "ok"})

    @router.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        try:
            status = await schema_status(
                settings.database_url, timeout_seconds=READINESS_TIMEOUT_SECONDS
            )
        except DatabaseProblemError as problem:
            return JSONResponse(
                {"status": "unavailable", "database": "down", "problem": str(problem)},
                status_code=503,
                headers={"Retry-After": "1"},
            )
        mismatch = status.problem()
        if mismatch is not None:
            return JSONResponse(
                {"status": "unavailable", "database": "up", "problem": mismatch}, status_code=503
            )
        return JSONResponse({"status": "ok", "database": "up"})

    if settings.metrics_enabled:

        @router.get("/metrics", include_in_schema=False)
        async def prometheus_metrics(request: Request) -> Response:
            if not settings.metrics_are_public:
                refusal = await _refusal_of_non_admins(request, settings)
                if refusal is not None:
                    return refusal
            return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)

    return router


async def _refusal_of_non_admins(request: Request, settings: Settings) -> Response | None:
    admin_key = settings.admin_api_key
    try:
        caller = await authenticate(
            token=bearer_token_from(request.headers.get("authorization")),
            admin_api_key=admin_key.get_secret_value() if admin_key else None,
            now=datetime.now(UTC),
        )
        caller.require(ApiKeyScope.ADMIN)
    except BillingError as error:
        return domain_error_response(error)
    except Exception:  # the database is down: metrics are still worth nothing unguarded
        return error_response("UNAVAILABLE", "Cannot check the API key now; retry")
    return None
