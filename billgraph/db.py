"""Tortoise configuration built from settings, and where reads and single writes go.
aerich imports `TORTOISE_ORM` from here."""

import importlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import asyncpg
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.exceptions import DBConnectionError

from billgraph import metrics
from billgraph.settings import Settings

T = TypeVar("T")

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


def sqlite_path(database_url: str) -> Path | None:
    """Return the file of a SQLite URL, or None for an in-memory database."""
    location = database_url.removeprefix("sqlite://").split("?", 1)[0]
    return None if location in {"", ":memory:"} else Path(location).resolve()


def tortoise_config(database_url: str, settings: Settings | None = None) -> dict[str, Any]:
    """Return the Tortoise config for one database, with UTC-aware datetimes.

    With `settings`, PostgreSQL connections get the pool sizes and time limits of the
    settings.
    """
    name = connection_name(database_url)
    return {
        "connections": {name: _connection_config(database_url, settings)},
        "apps": {APP_LABEL: {"models": MODEL_MODULES, "default_connection": name}},
        "use_tz": True,
        "timezone": "UTC",
    }


READ_SUFFIX = "_read"


async def _keep_session(_connection: object) -> None:
    """A pooled connection's reset on release: nothing (see _connection_config)."""


def _connection_config(
    database_url: str, settings: Settings | None, *, generic_plans: bool = False
) -> str | dict[str, Any]:
    connection: str | dict[str, Any] = database_url
    if dialect_of(database_url) == "postgres":
        connection = expand_db_url(database_url)
        # asyncpg prepares every statement, and after five runs PostgreSQL may switch to a
        # generic plan made from the statistics of that moment. For the usage log, which
        # grows fast, that plan went stale: `request_id IN (...)` became a sequential scan
        # and batch ingest slowed from 0.25 s to 2.5 s per 1000 records within 50 batches
        # (benchmarks/README.md). Custom plans cost a little planning time per query.
        credentials = connection["credentials"]
        server_settings = credentials.setdefault("server_settings", {})
        server_settings.setdefault(
            "plan_cache_mode", "auto" if generic_plans else "force_custom_plan"
        )
        # asyncpg's default reset sends `RESET ALL; UNLISTEN *; ...` on every release: a
        # round trip per query outside a transaction. Nothing billgraph does leaves
        # session state on a pooled connection (settings come with the connection, SET
        # is only SET LOCAL, LISTEN and advisory locks use connections of their own), so
        # a release only rolls back an open transaction, which asyncpg does regardless.
        credentials["reset"] = _keep_session
        if settings is not None:
            credentials["minsize"] = settings.database_pool_min_size
            credentials["maxsize"] = settings.database_pool_max_size
            credentials["timeout"] = settings.database_connect_timeout_seconds  # to connect
            if settings.statement_timeout_seconds:
                # A statement (lock waits included) that outlives a client's patience
                # only holds locks and a connection: the server stops it.
                milliseconds = str(int(settings.statement_timeout_seconds * 1000))
                server_settings["statement_timeout"] = milliseconds
                server_settings["idle_in_transaction_session_timeout"] = milliseconds
    return connection


# How long reads stay on the primary after the replica failed, before it is tried again.
REPLICA_RETRY_SECONDS = 5.0
_replica_down_until: dict[str, float] = {}
logger = logging.getLogger("billgraph.db")
_CONNECTION_ERRORS = (
    OSError,
    TimeoutError,
    DBConnectionError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
)


# The replica client of each primary client (per app; Tortoise itself knows only the
# primary, so `in_transaction()` and the models keep their single default connection).
_replicas: "WeakKeyDictionary[BaseDBAsyncClient, BaseDBAsyncClient]" = WeakKeyDictionary()


@asynccontextmanager
async def read_replica(settings: Settings) -> AsyncIterator[None]:
    """Route reports and listings to DATABASE_READ_URL while open (no-op when unset)."""
    if not settings.database_read_url or dialect_of(settings.database_url) != "postgres":
        yield
        return
    primary = connections.get(connection_name(settings.database_url))
    async with _pool_beside(
        primary, _replicas, settings.database_read_url, settings, suffix=READ_SUFFIX
    ):
        yield


@asynccontextmanager
async def _pool_beside(
    primary: BaseDBAsyncClient,
    registry: "WeakKeyDictionary[BaseDBAsyncClient, BaseDBAsyncClient]",
    database_url: str,
    settings: Settings,
    *,
    suffix: str,
    generic_plans: bool = False,
) -> AsyncIterator[None]:
    """Open a client of `database_url` next to `primary`, as registry[primary], while open."""
    config = _connection_config(database_url, settings, generic_plans=generic_plans)
    if not isinstance(config, dict):
        config = expand_db_url(database_url)
    client_class = importlib.import_module(config["engine"]).client_class
    client: BaseDBAsyncClient = client_class(
        connection_name=primary.connection_name + suffix, **config["credentials"]
    )
    registry[primary] = client
    try:
        yield
    finally:
        registry.pop(primary, None)
        await client.close()


# The single-record write client of each primary client (see single_record_writes).
_single_writers: "WeakKeyDictionary[BaseDBAsyncClient, BaseDBAsyncClient]" = WeakKeyDictionary()
SINGLE_WRITE_SUFFIX = "_single_write"


@asynccontextmanager
async def single_record_writes(settings: Settings) -> AsyncIterator[None]:
    """While open, the write of a single record runs on a pool of its own whose sessions
    keep a statement's generic plan (PostgreSQL only; see single_write_connection).

    Every other statement keeps custom plans (see _connection_config). The write's plan
    depends on no table statistics: it reads two small tables by primary key and inserts.
    Planning its four inserts afresh costs several times more than running them
    (benchmarks/single_write_plan.py; its figures are in benchmarks/README.md). This pool
    opens up to DATABASE_POOL_MAX_SIZE connections of its own.
    """
    if dialect_of(settings.database_url) != "postgres":
        yield
        return
    primary = connections.get(connection_name(settings.database_url))
    async with _pool_beside(
        primary,
        _single_writers,
        settings.database_url,
        settings,
        suffix=SINGLE_WRITE_SUFFIX,
        generic_plans=True,
    ):
        yield


def single_write_connection(primary: BaseDBAsyncClient) -> BaseDBAsyncClient:
    """Return where the one statement of a single-record write runs: the generic-plan pool
    when the app opened it, else `primary`. Only that statement goes there."""
    return _single_writers.get(primary, primary)


def read_connection(primary: BaseDBAsyncClient) -> BaseDBAsyncClient:
    """Return where reports, summaries and log listings read: DATABASE_READ_URL if set.

    `primary` is the connection the models use. The replica may lag the primary by a
    moment, so a read that must see the caller's own write uses `primary` directly.
    When the replica fails, the read is repeated on the primary with a warning, and
    reads stay there for REPLICA_RETRY_SECONDS.
    """
    replica = _replicas.get(primary)
    if replica is None:
        return primary
    if _replica_down_until.get(replica.connection_name, 0.0) > time.monotonic():
        return primary
    return _ReplicaWithFallback(replica, primary)  # type: ignore[return-value]


async def on_read_connection(
    primary: BaseDBAsyncClient, run: Callable[[BaseDBAsyncClient], Awaitable[T]]
) -> T:
    """Return `run(connection)` on the read connection (see read_connection); when the
    replica fails, the same `run` on the primary, with the warning."""
    connection = read_connection(primary)
    if not isinstance(connection, _ReplicaWithFallback):
        return await run(connection)
    try:
        return await run(connection._replica)
    except _CONNECTION_ERRORS as error:
        connection._fell_back(error)
        return await run(primary)


class _ReplicaWithFallback:
    """The replica's client, whose queries fall back to the primary when the replica fails."""

    def __init__(self, replica: BaseDBAsyncClient, primary: BaseDBAsyncClient) -> None:
        self._replica = replica
        self._primary = primary

    def __getattr__(self, name: str) -> Any:
        return getattr(self._replica, name)

    async def execute_query(self, query: str, values: list[Any] | None = None) -> Any:
        try:
            return await self._replica.execute_query(query, values)
        except _CONNECTION_ERRORS as error:
            self._fell_back(error)
            return await self._primary.execute_query(query, values)

    async def execute_query_dict(self, query: str, values: list[Any] | None = None) -> Any:
        try:
            return await self._replica.execute_query_dict(query, values)
        except _CONNECTION_ERRORS as error:
            self._fell_back(error)
            return await self._primary.execute_query_dict(query, values)

    def _fell_back(self, error: BaseException) -> None:
        name = self._replica.connection_name
        _replica_down_until[name] = time.monotonic() + REPLICA_RETRY_SECONDS
        metrics.replica_fell_back()
        logger.warning(
            "The read replica (DATABASE_READ_URL) failed (%s); reading from the primary",
            str(error) or type(error).__name__,
        )


def migrations_location(dialect: str) -> Path:
    """Return the migration history folder of one dialect ("sqlite" or "postgres")."""
    return MIGRATIONS_ROOT / dialect


def __getattr__(name: str) -> Any:
    # aerich's own CLI reads TORTOISE_ORM; building it lazily keeps importing this
    # module free of environment reads.
    if name == "TORTOISE_ORM":
        return tortoise_config(Settings().database_url)
    raise AttributeError(name)
