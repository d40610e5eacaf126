"""Schema migrations with aerich: one history per dialect, applied from one call.

aerich writes dialect-specific SQL, so SQLite and PostgreSQL each keep their own folder
under `migrations/`; `upgrade_database` picks the one that matches the URL.
"""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from aerich import Command
from aerich.models import Aerich
from aerich.utils import get_models_describe
from tortoise.context import TortoiseContext

from billgraph.db import APP_LABEL, dialect_of, migrations_location, tortoise_config

# Any constant works; it only has to be the same in every worker.
_MIGRATION_LOCK_ID = 7_305_118_202


def asyncpg_dsn(database_url: str) -> str:
    """Return a Tortoise postgres URL in the form asyncpg.connect accepts."""
    scheme, rest = database_url.split("://", 1)
    del scheme
    return "postgresql://" + rest


@asynccontextmanager
async def _own_orm_context(database_url: str) -> AsyncIterator[None]:
    """Run aerich in a Tortoise context of its own, closed and forgotten on exit."""
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(database_url))
        yield


@asynccontextmanager
async def _migration_lock(database_url: str) -> AsyncIterator[None]:
    """Serialize migrations across workers that start at once (PostgreSQL only)."""
    if dialect_of(database_url) != "postgres":
        yield
        return
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK_ID)
        yield
    finally:
        await connection.close()  # closing the session releases the lock


async def upgrade_database(database_url: str) -> list[str]:
    """Apply every migration the database lacks; return the names of those applied."""
    location = migrations_location(dialect_of(database_url))
    async with _migration_lock(database_url):
        command = Command(tortoise_config(database_url), app=APP_LABEL, location=str(location))
        async with _own_orm_context(database_url):
            await command.init()
            applied: list[str] = await command.upgrade(run_in_transaction=True)
    return applied


async def pending_model_changes(database_url: str) -> bool:
    """Return True when the models differ from the state the applied migrations built."""
    async with _own_orm_context(database_url):
        last_applied = await Aerich.filter(app=APP_LABEL).order_by("-id").first()
        current = get_models_describe(APP_LABEL)
    return last_applied is None or _comparable(last_applied.content) != _comparable(current)


def _comparable(models_state: object) -> object:
    # The stored state went through JSON (tuples became lists); compare it the same way.
    return json.loads(json.dumps(models_state, sort_keys=True, default=str))


async def make_migration(*, database_url: str, name: str) -> str | None:
    """Write a migration for the model changes into the dialect's folder; return its name.

    `database_url` must point at a scratch database: it is first brought to head.
    Returns None when there is nothing to migrate. A first call on an empty folder
    writes the initial migration.
    """
    location = migrations_location(dialect_of(database_url))
    command = Command(tortoise_config(database_url), app=APP_LABEL, location=str(location))
    if not any((location / APP_LABEL).glob("*.py")):
        async with _own_orm_context(database_url):
            await command.init_db(safe=True)
        return "initial"
    await upgrade_database(database_url)
    async with _own_orm_context(database_url):
        await command.init()
        generated: str = await command.migrate(name, no_input=True)
    return generated or None
