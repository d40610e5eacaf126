"""The FastAPI application: database lifecycle, GraphQL endpoint, health and metrics.

`create_app(settings)` builds the app; `create_app_from_env()` is the factory for
process managers (`uvicorn billgraph.app:create_app_from_env --factory --workers 4`).
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tortoise.contrib.fastapi import RegisterTortoise

from billgraph.dashboard import mount_dashboard
from billgraph.db import dialect_of, read_replica, single_record_writes, tortoise_config
from billgraph.graphiql import STATIC_DIR, STATIC_URL_PREFIX
from billgraph.http.backpressure import BackpressureMiddleware
from billgraph.http.health import health_router
from billgraph.http.ingest import PATH as INGEST_PATH
from billgraph.http.ingest import ingest_router
from billgraph.http.observe import ObserveMiddleware
from billgraph.http.usage_export import usage_export_router
from billgraph.http_limits import BodySizeLimitMiddleware, RequestIdMiddleware
from billgraph.logs import configure_logging
from billgraph.migrate import asyncpg_dsn, upgrade_database
from billgraph.models import UsageLog
from billgraph.readiness import DatabaseProblemError, applied_migrations, schema_status
from billgraph.schema import build_schema
from billgraph.schema.context import Context, bearer_token_from
from billgraph.schema.router import BillgraphRouter
from billgraph.services import rollup_folding, webhooks
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.pricing_chain import EnvironmentPrices
from billgraph.services.pricing_defaults import initialize_default_pricing
from billgraph.services.pricing_listener import PricingListener
from billgraph.services.providers import ensure_builtin_providers
from billgraph.services.write_admission import batch_writes_limited
from billgraph.settings import Settings, SettingsError, load_settings

logger = logging.getLogger("billgraph")


class StartupRefusedError(Exception):
    """The server must not serve; the message is the one line an operator needs."""


def environment_prices_of(settings: Settings) -> EnvironmentPrices:
    """Return the HUGGINGFACE_* prices from the settings."""
    return EnvironmentPrices(
        input_token_cost=settings.huggingface_input_token_cost,
        output_token_cost=settings.huggingface_output_token_cost,
    )


async def prepare_database(settings: Settings) -> list[str]:
    """Bring the database to the code's schema (if MIGRATE_ON_STARTUP) or check it is there.

    Return the migrations applied. Raise StartupRefusedError with one line when the
    database is unreachable or missing, or its schema is behind or ahead of the code.
    """
    url = settings.database_url
    timeout = settings.database_connect_timeout_seconds
    try:
        if dialect_of(url) == "postgres" or not settings.migrate_on_startup:
            await applied_migrations(url, timeout_seconds=timeout)  # reachable, exists
        applied: list[str] = []
        if settings.migrate_on_startup:
            # On PostgreSQL under an advisory lock: workers and hosts starting together
            # apply each migration once; the others wait, then find nothing to do.
            applied = await upgrade_database(url)
        status = await schema_status(url, timeout_seconds=timeout)
    except DatabaseProblemError as problem:
        raise StartupRefusedError(str(problem)) from None
    mismatch = status.problem()
    if mismatch is not None:
        raise StartupRefusedError(mismatch)
    return applied


def delivery_policy_of(settings: Settings) -> webhooks.DeliveryPolicy:
    """Return the WEBHOOK_* settings as a delivery policy."""
    return webhooks.DeliveryPolicy(
        max_attempts=settings.webhook_max_attempts,
        retry_base=timedelta(seconds=settings.webhook_retry_base_seconds),
        timeout=timedelta(seconds=settings.webhook_timeout_seconds),
    )


@contextlib.asynccontextmanager
async def in_background(work: Coroutine[Any, Any, None] | None) -> AsyncIterator[None]:
    """Run `work` (if any) as a task while the block runs; cancel it at the end."""
    if work is None:
        yield
        return
    task = asyncio.create_task(work)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def webhook_worker(settings: Settings) -> AbstractAsyncContextManager[None]:
    """Deliver alert webhooks in the background while the app runs (unless disabled)."""
    if not settings.webhook_worker_enabled:
        return in_background(None)
    return in_background(
        webhooks.run_worker(
            policy=delivery_policy_of(settings),
            poll_interval=timedelta(seconds=settings.webhook_poll_seconds),
        )
    )


def rollup_folder(settings: Settings) -> AbstractAsyncContextManager[None]:
    """Fold acknowledged logs into the rollups in the background (PostgreSQL only)."""
    if dialect_of(settings.database_url) != "postgres":
        return in_background(None)
    return in_background(rollup_folding.run_folder(UsageLog._meta.db))


def create_app(settings: Settings) -> FastAPI:
    """Return the app. Its lifespan prepares the database and initializes pricing."""
    environment_prices = environment_prices_of(settings)
    pricing_cache = PricingCache()
    # On SQLite every call re-reads the pricing revision, so a change is in effect for
    # every process from its commit; the settle delay is for PostgreSQL's listening workers.
    settle = timedelta(
        seconds=settings.price_settle_seconds
        if dialect_of(settings.database_url) == "postgres"
        else 0
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        applied = await prepare_database(settings)
        if applied:
            logger.info("Applied migrations: %s", ", ".join(applied))
        listener = None
        if dialect_of(settings.database_url) == "postgres":
            listener = PricingListener(
                dsn=asyncpg_dsn(settings.database_url),
                cache=pricing_cache,
                connect_timeout=settings.database_connect_timeout_seconds,
            )
            listener.start()
        config = tortoise_config(settings.database_url, settings)
        try:
            async with (
                RegisterTortoise(app, config=config),
                read_replica(settings),
                single_record_writes(settings),
                batch_writes_limited(settings.ingest_rows_in_flight),
            ):
                await ensure_builtin_providers()
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
                logger.info("Ready to serve")
                async with webhook_worker(settings), rollup_folder(settings):
                    yield
        finally:
            if listener is not None:
                await listener.stop()

    async def get_context(request: Request) -> Context:
        return Context(
            settings=settings,
            environment_prices=environment_prices,
            pricing_cache=pricing_cache,
            bearer_token=bearer_token_from(request.headers.get("authorization")),
            request_id=request.state.request_id,
            price_settle=settle,
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
        # `billgraph serve` prints a development key on this setup's first run.
        development_key_hint=development and dialect_of(settings.database_url) == "sqlite",
    )
    app.include_router(graphql, prefix="/graphql")
    admin_key = settings.admin_api_key
    app.include_router(
        ingest_router(
            admin_api_key=admin_key.get_secret_value() if admin_key else None,
            environment_prices=environment_prices,
            cache=pricing_cache,
        )
    )
    app.include_router(health_router(settings))
    app.include_router(usage_export_router(settings))
    mount_dashboard(app)
    if development:
        app.mount(STATIC_URL_PREFIX, StaticFiles(directory=STATIC_DIR), name="graphiql-static")

    # Outermost last: the request id exists before anything else runs.
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_request_bytes,
        path_limits={INGEST_PATH: (settings.max_ingest_request_bytes, "MAX_INGEST_REQUEST_BYTES")},
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID"],
        )
    app.add_middleware(
        BackpressureMiddleware,
        slots=settings.database_pool_max_size,
        slot_timeout=settings.database_pool_timeout_seconds,
        request_timeout=settings.request_timeout_seconds,
    )
    app.add_middleware(ObserveMiddleware)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(OneLineStartupFailure)
    return app


def create_app_from_env() -> FastAPI:
    """Return the app configured from the environment (and `.env`): the factory for
    `uvicorn --factory` and gunicorn's uvicorn workers."""
    try:
        settings = load_settings()
    except SettingsError as error:
        raise SystemExit(f"billgraph: {error}") from None
    configure_logging(level=settings.log_level, as_json=settings.log_as_json)
    return create_app(settings)


class OneLineStartupFailure:
    """Report a refused startup as its one line, not as a traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def send_one_line(message: Message) -> None:
            if message["type"] == "lifespan.startup.failed":
                marker = f"{StartupRefusedError.__name__}: "
                last_line = message.get("message", "").rstrip().rpartition("\n")[2]
                if marker in last_line:
                    message = {
                        **message,
                        "message": "billgraph: cannot start: " + last_line.partition(marker)[2],
                    }
            await send(message)

        await self.app(scope, receive, send_one_line)
