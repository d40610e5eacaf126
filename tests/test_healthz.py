"""GET /healthz: 200 while the database answers, 503 once it does not."""

import os
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from billgraph.migrate import asyncpg_dsn
from tests.conftest import DEFAULT_SERVER_URL, Api, Database, make_settings, running_app


async def test_healthz_answers_ok_while_the_database_answers(api: Api) -> None:
    response = await api.http.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.fixture
async def postgres_admin() -> AsyncIterator[asyncpg.Connection]:
    """A connection to the PostgreSQL server (skipped when unreachable, outside CI)."""
    server_url = os.environ.get("TEST_DATABASE_URL", DEFAULT_SERVER_URL)
    try:
        connection = await asyncpg.connect(asyncpg_dsn(server_url), timeout=3)
    except (OSError, asyncpg.PostgresError):
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true but {server_url} is unreachable")
        pytest.skip(f"PostgreSQL not reachable at {server_url}")
    yield connection
    await connection.close()


async def test_healthz_answers_503_once_the_postgres_database_is_gone(
    postgres_admin: asyncpg.Connection,
) -> None:
    server_url = os.environ.get("TEST_DATABASE_URL", DEFAULT_SERVER_URL)
    name = f"billgraph_healthz_{uuid.uuid4().hex[:10]}"
    await postgres_admin.execute(f'CREATE DATABASE "{name}"')
    database = Database("postgres", server_url.rsplit("/", 1)[0] + f"/{name}")
    try:
        async with running_app(make_settings(database)) as client:
            assert (await client.get("/healthz")).status_code == 200

            await postgres_admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            response = await client.get("/healthz")

            assert response.status_code == 503
            assert response.json()["status"] != "ok"
    finally:
        await postgres_admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
