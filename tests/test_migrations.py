"""Migrations: an empty database reaches head, and head matches the models."""

from pathlib import Path

import pytest
from tortoise.context import TortoiseContext

from billgraph.db import connection_name, migrations_location, tortoise_config
from billgraph.migrate import pending_model_changes, upgrade_database
from billgraph.models import UsageLog
from tests.conftest import Database, scratch_postgres_database


async def _tables(url: str) -> set[str]:
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(url))
        connection = context.connections.get(connection_name(url))
        if url.startswith("sqlite://"):
            _, rows = await connection.execute_query(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
        else:
            _, rows = await connection.execute_query(
                "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
            )
    return {row["name"] for row in rows}


async def _check_empty_database_reaches_head(url: str, dialect: str) -> None:
    history = sorted(path.name for path in (migrations_location(dialect) / "models").glob("*.py"))
    assert history, f"no {dialect} migrations"
    assert await upgrade_database(url) == history
    assert await upgrade_database(url) == []  # already at head
    assert {"api_provider_pricing", "api_usage_logs", "aerich"} <= await _tables(url)
    assert await pending_model_changes(url) is False


async def test_an_empty_sqlite_database_reaches_head_matching_the_models(tmp_path: Path) -> None:
    await _check_empty_database_reaches_head(f"sqlite://{tmp_path / 'fresh.sqlite3'}", "sqlite")


async def test_an_empty_postgres_database_reaches_head_matching_the_models(
    database: Database,
) -> None:
    if database.dialect != "postgres":
        pytest.skip("runs once, with the PostgreSQL session")
    async with scratch_postgres_database() as url:
        await _check_empty_database_reaches_head(url, "postgres")


async def test_the_check_notices_models_that_drift_from_the_migrations(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    field = UsageLog._meta.fields_map["model"]
    monkeypatch.setattr(field, "max_length", 300)
    monkeypatch.setattr(field, "description", "changed for this test")
    assert await pending_model_changes(database.url) is True
