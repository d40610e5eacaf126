"""Rollups stay equal to the logs; `billgraph rollups verify` notices drift, `rebuild` mends it."""

import sqlite3
from pathlib import Path

import asyncpg
import pytest
from typer.testing import CliRunner

from billgraph.cli import app
from billgraph.migrate import asyncpg_dsn
from billgraph.models import UsageLog
from billgraph.services.rollups import _snapshot
from tests.conftest import Database

runner = CliRunner()


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    return f"sqlite://{tmp_path / 'rollups.sqlite3'}"


def billgraph(database_url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--create-database", *args], env={"DATABASE_URL": database_url})
    said = result.output.splitlines(keepends=True)
    # Every command first names its database on stderr; the rest is what this test reads.
    return result.exit_code, "".join(
        line for line in said if not line.startswith("billgraph: database ")
    )


def sql(database_url: str, statement: str) -> None:
    with sqlite3.connect(database_url.removeprefix("sqlite://")) as connection:
        connection.execute(statement)


def test_seeded_rollups_match_then_drift_is_found_and_rebuilt(database_url: str) -> None:
    code, output = billgraph(
        database_url, "demo", "seed", "--logs", "3000", "--users", "20", "--days", "10"
    )
    assert code == 0, output
    assert "seeded 3000 usage logs" in output
    assert billgraph(database_url, "rollups", "verify") == (0, "rollups match the logs\n")

    sql(
        database_url,
        "UPDATE usage_rollup_hourly SET cost_total_pico = cost_total_pico + 1 WHERE id = 1",
    )
    sql(database_url, "DELETE FROM usage_rollup_daily_user WHERE id = 2")
    sql(
        database_url,
        "UPDATE usage_rollup_daily_user_total SET tokens_reasoning = tokens_reasoning + 1 "
        "WHERE id = 3",
    )
    code, output = billgraph(database_url, "rollups", "verify")
    assert code == 1
    assert "usage_rollup_hourly" in output
    assert "usage_rollup_daily_user " in output
    assert "usage_rollup_daily_user_total" in output
    assert "3 groups differ" in output

    assert billgraph(database_url, "rollups", "rebuild")[0] == 0
    assert billgraph(database_url, "rollups", "verify") == (0, "rollups match the logs\n")


def test_seeding_twice_on_one_day_writes_nothing_new(database_url: str) -> None:
    billgraph(database_url, "demo", "seed", "--logs", "500", "--users", "5", "--days", "3")
    code, output = billgraph(
        database_url, "demo", "seed", "--logs", "500", "--users", "5", "--days", "3"
    )
    assert code == 0, output
    assert "seeded 0 usage logs" in output
    assert billgraph(database_url, "rollups", "verify")[0] == 0


ROLLUP_ROW = (
    "INSERT INTO usage_rollup_daily_user_total (bucket_day, user_key, requests, tokens_input, "
    "tokens_output, cost_input_pico, cost_output_pico, cost_total_pico, "
    "estimated_cost_total_pico) VALUES (20000, 'someone', 1, 1, 1, 1, 1, 2, 0)"
)


async def test_verify_reads_one_snapshot_while_others_commit(orm: Database) -> None:
    """A write committed between two reads of `rollups verify` is not seen by the second."""
    count = "SELECT COUNT(*) AS n FROM usage_rollup_daily_user_total"
    async with _snapshot(UsageLog._meta.db) as fetch:
        before = await fetch(count)
        await _commit_elsewhere(orm, ROLLUP_ROW)
        during = await fetch(count)
    assert during == before
    async with _snapshot(UsageLog._meta.db) as fetch:
        assert (await fetch(count))[0]["n"] == before[0]["n"] + 1


async def _commit_elsewhere(database: Database, statement: str) -> None:
    """Run and commit one statement on a connection of its own."""
    if database.dialect == "postgres":
        connection = await asyncpg.connect(asyncpg_dsn(database.url))
        try:
            await connection.execute(statement)
        finally:
            await connection.close()
        return
    with sqlite3.connect(database.url.removeprefix("sqlite://")) as connection:
        connection.execute(statement)
