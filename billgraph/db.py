"""Tortoise configuration built from settings. aerich imports `TORTOISE_ORM` from here."""

from pathlib import Path
from typing import Any

from tortoise.backends.base.config_generator import expand_db_url

from billgraph.settings import Settings

MODEL_MODULES = ["billgraph.models", "aerich.models"]
APP_LABEL = "models"
MIGRATIONS_ROOT = Path(__file__).resolve().parent.parent / "migrations"


def dialect_of(database_url: str) -> str:
    """Return "sqlite" or "postgres" for a database URL."""
    return "sqlite" if database_url.startswith("sqlite://") else "postgres"


def connection_name(database_url: str) -> str:
    """Return the Tortoise connection name of a database: its dialect.

    Tortoise caches compiled INSERT statements per connection name, so a process that
    talks to SQLite and then PostgreSQL (the test suite does) needs distinct names.
    """
    return dialect_of(database_url)


def tortoise_config(database_url: str) -> dict[str, Any]:
    """Return the Tortoise config for one database, with UTC-aware datetimes."""
    name = connection_name(database_url)
    connection: str | dict[str, Any] = database_url
    if dialect_of(database_url) == "postgres":
        connection = expand_db_url(database_url)
        # asyncpg prepares every statement, and after five runs PostgreSQL may switch to a
        # generic plan made from the statistics of that moment. For the usage log, which
        # grows fast, that plan went stale: `request_id IN (...)` became a sequential scan
        # and batch ingest slowed from 0.25 s to 2.5 s per 1000 records within 50 batches
        # (benchmarks/README.md). Custom plans cost a little planning time per query.
        settings = connection["credentials"].setdefault("server_settings", {})
        settings.setdefault("plan_cache_mode", "force_custom_plan")
    return {
        "connections": {name: connection},
        "apps": {APP_LABEL: {"models": MODEL_MODULES, "default_connection": name}},
        "use_tz": True,
        "timezone": "UTC",
    }


def migrations_location(dialect: str) -> Path:
    """Return the migration history folder of one dialect ("sqlite" or "postgres")."""
    return MIGRATIONS_ROOT / dialect


def __getattr__(name: str) -> Any:
    # aerich's own CLI reads TORTOISE_ORM; building it lazily keeps importing this
    # module free of environment reads.
    if name == "TORTOISE_ORM":
        return tortoise_config(Settings().database_url)
    raise AttributeError(name)
