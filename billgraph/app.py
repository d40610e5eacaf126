"""The FastAPI application: database lifecycle, GraphQL endpoint, health check."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from tortoise import connections
from tortoise.contrib.fastapi import RegisterTortoise

from billgraph.dashboard import mount_dashboard
from billgraph.db import connection_name, tortoise_config
from billgraph.graphiql import STATIC_DIR, STATIC_URL_PREFIX
from billgraph.http.usage_export import usage_export_router
from billgraph.http_limits import BodySizeLimitMiddleware, RequestIdMiddleware
from billgraph.migrate import upgrade_database
from billgraph.schema import build_schema
from billgraph.schema.context import Context, bearer_token_from
from billgraph.schema.router import BillgraphRouter
from billgraph.services.pricing import (
    EnvironmentPrices,
    PricingCache,
    initialize_default_pricing,
)
from billgraph.settings import Settings

logger = logging.getLogger("billgraph")


def environment_prices_of(settings: Settings) -> EnvironmentPrices:
    """Return the HUGGINGFACE_* prices from the settings."""
    return EnvironmentPrices(
        input_token_cost=settings.huggingface_input_token_cost,
        output_token_cost=settings.huggingface_output_token_cost,
    )


def create_app(settings: Settings) -> FastAPI:
    """Return the app. Its lifespan brings the database to head and initializes pricing."""
    environment_prices = environment_prices_of(settings)
    pricing_cache = PricingCache()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        applied = await upgrade_database(settings.database_url)
        if applied:
            logger.info("Applied migrations: %s", ", ".join(applied))
        async with RegisterTortoise(app, config=tortoise_config(settings.database_url)):
            report = await initialize_default_pricing(
                environment_prices=environment_prices, now=datetime.now(UTC)
            )
            logger.info(
                "Default pricing: %d created, %d updated, %d unchanged, %d skipped (admin)",
                len(report.created),
                len(report.updated),
                len(report.unchanged),
                len(report.skipped),
            )
            yield

    async def get_context(request: Request) -> Context:
        return Context(
            settings=settings,
            environment_prices=environment_prices,
            pricing_cache=pricing_cache,
            bearer_token=bearer_token_from(request.headers.get("authorization")),
            request_id=request.state.request_id,
        )

    development = not settings.is_production
    app = FastAPI(
        title="billgraph",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if development else None,
    )
    graphql = BillgraphRouter(
        build_schema(settings),
        context_getter=get_context,
        graphql_ide="graphiql" if development else None,
        allow_queries_via_get=development,
        hide_suggestions=settings.is_production,
    )
    app.include_router(graphql, prefix="/graphql")
    app.include_router(usage_export_router(settings))
    mount_dashboard(app)
    if development:
        app.mount(STATIC_URL_PREFIX, StaticFiles(directory=STATIC_DIR), name="graphiql-static")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        try:
            await connections.get(connection_name(settings.database_url)).execute_query("SELECT 1")
        except Exception:
            logger.exception("Health check: the database does not answer")
            return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "up"})

    # Outermost last: the request id exists before anything else runs.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID"],
        )
    app.add_middleware(RequestIdMiddleware)
    return app
