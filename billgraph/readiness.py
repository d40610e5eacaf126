"""Is the database there, and is its schema the one this code was written for?

Used before serving (by `billgraph serve` and by each worker's startup) and by
`/readyz`. Each check opens a connection of its own with a short timeout, so it never
waits behind the work that holds the pool. Problems are one line naming what is wrong.
"""

import asyncio
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from billgraph.db import APP_LABEL, dialect_of, migrations_location, sqlite_path


class DatabaseProblemError(Exception):
    """The database cannot be used; the message is one line that names the problem."""


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    """The migrations the code has that the database lacks, and the reverse."""

    missing: list[str]
    unknown: list[str]

    @property
    def at_code_version(self) -> bool:
        return not self.missing and not self.unknown

    def problem(self) -> str | None:
        """Return one line describing a mismatch, or None when the schema matches."""
        if self.unknown:
            return (
                f"the database schema is ahead of this code (it has {len(self.unknown)} "
                f"migration(s) this code does not know, latest {self.unknown[-1]}); "
                "deploy the newer code"
            )
        if self.missing:
            return (
                f"the database schema is behind this code ({len(self.missing)} migration(s) "
                f"not applied, latest {self.missing[-1]}); run `billgraph db upgrade`"
            )
        return None


def code_migrations(dialect: str) -> list[str]:
    """Return the migration files this code ships for a dialect, in order."""
    folder = migrations_location(dialect) / APP_LABEL
    return sorted(
        (path.name for path in folder.glob("[0-9]*.py")), key=lambda name: int(name.split("_")[0])
    )


def describe_postgres(database_url: str) -> str:
    """Return `host:port/database` of a PostgreSQL URL (never the password)."""
    location = database_url.split("://", 1)[1].rpartition("@")[2]
    return location.split("?", 1)[0]


async def applied_migrations(database_url: str, *, timeout_seconds: float) -> list[str]:
    """Return the migrations applied to the database; raise DatabaseProblemError."""
    if dialect_of(database_url) == "sqlite":
        return await asyncio.to_thread(_sqlite_applied, sqlite_path(database_url), timeout_seconds)
    return await _postgres_applied(database_url, timeout_seconds)


async def schema_status(database_url: str, *, timeout_seconds: float) -> SchemaStatus:
    """Compare the database's applied migrations with the code's."""
    applied = await applied_migrations(database_url, timeout_seconds=timeout_seconds)
    code = code_migrations(dialect_of(database_url))
    return SchemaStatus(
        missing=[name for name in code if name not in applied],
        unknown=[name for name in applied if name not in code],
    )


async def _postgres_applied(database_url: str, timeout_seconds: float) -> list[str]:
    where = describe_postgres(database_url)
    dsn = "postgresql://" + database_url.split("://", 1)[1]
    try:
        connection = await asyncpg.connect(dsn, timeout=timeout_seconds)
    except asyncpg.InvalidCatalogNameError:
        raise DatabaseProblemError(f"database {where} does not exist") from None
    except (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError) as error:
        raise DatabaseProblemError(f"PostgreSQL {where} refused the login: {error}") from None
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        reason = str(error) or type(error).__name__
        raise DatabaseProblemError(f"cannot reach PostgreSQL at {where}: {reason}") from None
    try:
        try:
            rows = await connection.fetch(
                "SELECT version FROM aerich WHERE app = $1", APP_LABEL, timeout=timeout_seconds
            )
        except asyncpg.UndefinedTableError:
            return []
        except (OSError, TimeoutError, asyncpg.PostgresError) as error:
            raise DatabaseProblemError(f"PostgreSQL {where} does not answer: {error}") from None
    finally:
        connection.terminate()
    return [row["version"] for row in rows]


def _sqlite_applied(path: Path | None, timeout: float) -> list[str]:
    if path is None:
        return []  # an in-memory database is empty until this process migrates it
    if not path.exists():
        raise DatabaseProblemError(f"the SQLite database {path} does not exist")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=timeout)) as db:
            try:
                rows = db.execute(
                    "SELECT version FROM aerich WHERE app = ?", (APP_LABEL,)
                ).fetchall()
            except sqlite3.OperationalError as error:
                if "no such table" in str(error):
                    return []
                raise
    except sqlite3.Error as error:
        raise DatabaseProblemError(f"cannot read the SQLite database {path}: {error}") from None
    return [row[0] for row in rows]
