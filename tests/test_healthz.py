"""GET /healthz: the process answers (no database); GET /readyz: the database answers,
at this code's schema."""

import os
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from billgraph.migrate import asyncpg_dsn
from tests.conftest import DEFAULT_SERVER_URL, Api, Database, make_settings, running_app


async def test_healthz_and_readyz_answer_ok_while_the_database_answers(api: Api) -> None:
    alive = await api.http.get("/healthz")
    ready = await api.http.get("/readyz")

    assert alive.status_code == 200
    assert alive.json()["status"] == "ok"
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "up"}


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


async def test_readyz_answers_503_once_the_postgres_database_is_gone_healthz_200(
    postgres_admin: asyncpg.Connection,
) -> None:
    server_url = os.environ.get("TEST_DATABASE_URL", DEFAULT_SERVER_URL)
    name = f"billgraph_healthz_{uuid.uuid4().hex[:10]}"
    await postgres_admin.execute(f'CREATE DATABASE "{name}"')
    database = Database("postgres", server_url.rsplit("/", 1)[0] + f"/{name}")
    try:
        async with running_app(make_settings(database)) as client:
            assert (await client.get("/readyz")).status_code == 200

            await postgres_admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            ready = await client.get("/readyz")
            alive = await client.get("/healthz")

            assert ready.status_code == 503
            assert ready.json()["problem"].endswith(f"/{name} does not exist")
            assert alive.status_code == 200
    finally:
        await postgres_admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
