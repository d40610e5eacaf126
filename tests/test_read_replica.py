"""Reports from a streaming read replica, and the primary when the replica is down.

The test makes a PostgreSQL cluster of its own (a primary and a `pg_basebackup -R`
replica on spare ports, as user postgres, in a temporary directory) and removes it:
the shared server is never touched.
"""

import asyncio
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from billgraph.migrate import upgrade_database
from tests.conftest import Api, Database, make_settings, running_app
from tests.servers import free_port

BIN = Path("/usr/lib/postgresql/15/bin")
SUMMARY = "query Summary { costSummary { requests } }"
RECORD = """
mutation ($input: RecordUsageInput!) { recordUsage(input: $input) { requestId } }"""


@dataclass
class Pair:
    directory: Path
    primary_port: int
    replica_port: int

    def url(self, port: int) -> str:
        return f"postgres://postgres@127.0.0.1:{port}/billgraph"


def as_postgres(*command: str | Path | int) -> None:
    subprocess.run(  # noqa: S603  (fixed PostgreSQL binaries, arguments we built)
        ["runuser", "-u", "postgres", "--", *map(str, command)],  # noqa: S607
        check=True,
        capture_output=True,
    )


def start(directory: Path, port: int) -> None:
    with (directory / "postgresql.auto.conf").open("a") as conf:
        conf.write(f"port = {port}\nlisten_addresses = '127.0.0.1'\n")
        conf.write(f"unix_socket_directories = '{directory}'\n")
        conf.write("fsync = off\nfull_page_writes = off\n")  # a throwaway cluster
    as_postgres(BIN / "pg_ctl", "-D", directory, "-l", directory / "log", "-w", "start")


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    if not (BIN / "initdb").exists() or os.geteuid() != 0 or not shutil.which("runuser"):
        if os.environ.get("CI") == "true":
            pytest.fail("the replica test needs PostgreSQL 15 binaries and root (runuser)")
        pytest.skip("needs PostgreSQL 15 binaries and root to run them as postgres")
    directory = Path(tempfile.mkdtemp(prefix="billgraph-replica-"))
    shutil.chown(directory, "postgres", "postgres")
    primary, replica = directory / "primary", directory / "replica"
    pair = Pair(directory, free_port(), free_port())
    try:
        as_postgres(BIN / "initdb", "-D", primary, "-U", "postgres", "--auth=trust", "-N")
        start(primary, pair.primary_port)
        as_postgres(BIN / "createdb", "-h", "127.0.0.1", "-p", pair.primary_port, "billgraph")
        as_postgres(
            *(BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", pair.primary_port),
            *("-U", "postgres", "-D", replica, "-R", "-X", "stream"),
            *("--checkpoint=fast", "--no-sync"),
        )
        start(replica, pair.replica_port)
        yield pair
    finally:
        for cluster in (replica, primary):
            if (cluster / "postmaster.pid").exists():
                as_postgres(BIN / "pg_ctl", "-D", cluster, "-m", "immediate", "stop")
        shutil.rmtree(directory, ignore_errors=True)


async def replica_caught_up(pair: Pair) -> None:
    """Wait (bounded) until the replica has replayed everything the primary wrote."""
    primary = await asyncpg.connect(
        f"postgresql://postgres@127.0.0.1:{pair.primary_port}/billgraph"
    )
    replica = await asyncpg.connect(
        f"postgresql://postgres@127.0.0.1:{pair.replica_port}/billgraph"
    )
    try:
        target = await primary.fetchval("SELECT pg_current_wal_lsn()")
        for _ in range(3000):
            replayed = await replica.fetchval("SELECT pg_last_wal_replay_lsn()")
            if replayed >= target:
                return
            await asyncio.sleep(0.01)
        pytest.fail("the replica did not catch up within 30 s")
    finally:
        await primary.close()
        await replica.close()


async def replica_execute(pair: Pair, sql: str) -> None:
    replica = await asyncpg.connect(
        f"postgresql://postgres@127.0.0.1:{pair.replica_port}/billgraph"
    )
    try:
        await replica.execute(sql)
    finally:
        await replica.close()


async def test_reports_read_the_replica_and_fall_back_to_the_primary_when_it_is_down(
    pair: Pair, caplog: pytest.LogCaptureFixture
) -> None:
    primary_url = pair.url(pair.primary_port)
    await upgrade_database(primary_url)
    settings = make_settings(
        Database("postgres", primary_url), database_read_url=pair.url(pair.replica_port)
    )
    async with running_app(settings) as client:
        api = Api(client, Database("postgres", primary_url))

        async def record(request_id: str) -> None:
            usage = {"provider": "OPENAI", "model": "m", "tokensInput": 1, "tokensOutput": 1}
            await api.data(RECORD, {"input": {**usage, "requestId": request_id}})

        await record("before-pause")
        await replica_caught_up(pair)
        # Hold the replica at this point: what it serves from now on is visibly older.
        await replica_execute(pair, "SELECT pg_wal_replay_pause()")
        await record("after-pause")
        from_replica = await api.data(SUMMARY)

        as_postgres(BIN / "pg_ctl", "-D", pair.directory / "replica", "-m", "immediate", "stop")
        with caplog.at_level(logging.WARNING, logger="billgraph.db"):
            from_primary = await api.data(SUMMARY)
            logs = await api.data("{ usageLogs(first: 10) { edges { node { requestId } } } }")

    assert from_replica["costSummary"]["requests"] == "1"  # the paused replica's view
    assert from_primary["costSummary"]["requests"] == "2"  # the primary's, once it is down
    assert len(logs["usageLogs"]["edges"]) == 2
    assert any("read replica" in record.getMessage() for record in caplog.records)
