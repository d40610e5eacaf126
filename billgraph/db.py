"""Tortoise configuration built from settings. aerich imports `TORTOISE_ORM` from here."""

from pathlib import Path
from typing import Any

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
    return {
        "connections": {name: database_url},
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
