"""One suite, two databases: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is used when reachable at TEST_DATABASE_URL (a server URL; a scratch
database is created there for the session and dropped afterwards). Under CI=true it
is required, so CI cannot silently skip it.
"""

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from tortoise import connections
from tortoise.context import TortoiseContext

from billgraph.app import create_app
from billgraph.db import connection_name, tortoise_config
from billgraph.migrate import asyncpg_dsn, upgrade_database
from billgraph.services.providers import seed_builtin_providers
from billgraph.settings import Settings, load_settings

ADMIN_KEY = "test-admin-key-0123456789"
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
TABLES = (
    "api_usage_logs",
    "api_provider_price_tiers",
    "api_provider_pricing",
    "api_keys",
    "pricing_audit",
    "usage_rollup_hourly",
    "usage_rollup_daily_user",
    "usage_rollup_daily_user_total",
    "usage_rollup_pending",
    "pricing_revision",
    "usage_repricing_audit",
    "budgets",
    "budget_window_spend",
    "budget_reservations",
    "budget_holds",
    "budget_audit",
    "budget_alert_events",
    "webhook_endpoints",
    "webhook_deliveries",
    "providers",
)


def _server_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", DEFAULT_SERVER_URL)


async def _postgres_reachable(server_url: str) -> bool:
    try:
        connection = await asyncpg.connect(asyncpg_dsn(server_url), timeout=3)
    except (OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


@dataclass
class Database:
    """A migrated scratch database for the session."""

    dialect: str
    url: str


@asynccontextmanager
async def scratch_postgres_database() -> AsyncIterator[str]:
    """Create an empty database on the test PostgreSQL server; drop it afterwards."""
    server_url = _server_url()
    name = f"billgraph_scratch_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield server_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "billgraph.sqlite3"
        url = f"sqlite://{path}"
        await upgrade_database(url)
        yield Database("sqlite", url)
        return
    server_url = _server_url()
    if not await _postgres_reachable(server_url):
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true but {server_url} is unreachable")
        pytest.skip(f"PostgreSQL not reachable at {server_url}")
    async with scratch_postgres_database() as url:
        await upgrade_database(url)
        yield Database("postgres", url)


async def empty_tables(database: "Database") -> None:
    """Delete every row the tests write (the schema stays); the built-in providers stay."""
    connection = connections.get(connection_name(database.url))
    for table in TABLES:
        await connection.execute_script(f"DELETE FROM {table}")  # noqa: S608
    await seed_builtin_providers(connection)


@pytest.fixture
async def orm(database: Database) -> AsyncIterator[Database]:
    """An ORM context on an empty, migrated database, for service-level tests."""
    async with TortoiseContext() as context:
        # The global fallback lets the test body, which pytest-asyncio may run in another
        # task than this fixture, use the same context.
        await context.init(config=tortoise_config(database.url), _enable_global_fallback=True)
        await empty_tables(database)
        yield database


def make_settings(database: Database, **overrides: Any) -> Settings:
    # Prices set without effectiveFrom take effect at once here (no settle delay), as the
    # tests of a single app expect; tests/test_workers.py covers the delay across workers.
    # Requests wait for a slot as long as a busy test machine may need; the quick 503 of
    # backpressure has tests of its own (tests/test_backpressure.py).
    values: dict[str, Any] = {
        "database_url": database.url,
        "admin_api_key": ADMIN_KEY,
        "price_settle_seconds": 0,
        "database_pool_timeout_seconds": 120,
        # Tests drive webhook deliveries themselves (billgraph.services.webhooks.deliver_due).
        "webhook_worker_enabled": False,
    }
    values.update(overrides)
    return load_settings(**values)


@dataclass
class Api:
    """A GraphQL client for one running app."""

    http: httpx.AsyncClient
    database: Database
    headers: dict[str, str] = field(default_factory=dict)

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        key: str | None = ADMIN_KEY,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Send a query with `Authorization: Bearer <key>`, or exactly `headers` if given."""
        if headers is None:
            headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = ADMIN_KEY
    ) -> dict[str, Any]:
        """Return `data`, failing the test on any error."""
        body = await self.post(query, variables, key=key)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result

    async def error(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        key: str | None = ADMIN_KEY,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Return the single error of a request that must fail."""
        body = await self.post(query, variables, key=key, headers=headers)
        assert body.get("errors"), body
        assert len(body["errors"]) == 1, body["errors"]
        error: dict[str, Any] = body["errors"][0]
        return error


CREATE_KEY = """
mutation ($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret apiKey { id prefix scopes userId } }
}"""


async def create_key(api: Api, scopes: list[str], user_id: str | None = None) -> str:
    """Create an API key through the API (as the break-glass admin); return its secret."""
    data = await api.data(
        CREATE_KEY,
        {"input": {"name": f"test {'+'.join(scopes)}", "scopes": scopes, "userId": user_id}},
    )
    secret: str = data["createApiKey"]["secret"]
    return secret


@asynccontextmanager
async def running_app(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app (its lifespan included, which ASGITransport alone does not run)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://billgraph") as client:
            yield client


@pytest.fixture
async def api(database: Database) -> AsyncIterator[Api]:
    """The app on an empty database (default pricing initialized by its startup)."""
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(database.url))
        await empty_tables(database)
    async with running_app(make_settings(database)) as client:
        yield Api(client, database)


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
