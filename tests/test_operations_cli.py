"""Clean failures before serving, `--version`, and CLI database safety.

`billgraph serve` checks the database and the port before it starts uvicorn, so these
run the command in-process with uvicorn stubbed out: a refusal must come before it.
"""

import os
import socket
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from billgraph.cli import app
from tests.servers import free_port

Cli = Callable[..., Result]


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    calls: list[dict[str, object]] = []
    monkeypatch.setattr("billgraph.serving.uvicorn.run", lambda *_, **kwargs: calls.append(kwargs))
    return calls


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str, **environment: str) -> Result:
        env = {"DATABASE_URL": f"sqlite://{tmp_path / 'ops.sqlite3'}", "PORT": str(free_port())}
        return CliRunner().invoke(app, list(args), env={**env, **environment})

    return invoke


def refusal(result: Result) -> str:
    """Return the one line of a refused start; fail unless it is exactly one such line."""
    assert result.exit_code == 1, (result.output, result.exception)
    lines = [line for line in result.stderr.splitlines() if line.startswith("billgraph: cannot")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    assert "serving" not in result.stdout
    return lines[0]


def test_version_prints_the_package_version(cli: Cli) -> None:
    result = cli("--version")

    assert result.exit_code == 0
    assert result.stdout.strip() == "billgraph 0.1.0"


def test_a_command_refuses_to_create_a_missing_sqlite_database(cli: Cli, tmp_path: Path) -> None:
    result = cli("keys", "list")

    assert result.exit_code == 2
    assert f"the SQLite database {tmp_path / 'ops.sqlite3'} does not exist" in result.stderr
    assert not (tmp_path / "ops.sqlite3").exists()


def test_commands_say_which_database_they_use_and_may_create_it_when_asked(
    cli: Cli, tmp_path: Path
) -> None:
    created = cli("--create-database", "keys", "list")
    upgraded = cli("db", "upgrade", DATABASE_URL=f"sqlite://{tmp_path / 'other.sqlite3'}")

    assert created.exit_code == 0, created.output
    assert f"billgraph: database sqlite://{tmp_path / 'ops.sqlite3'}" in created.stderr
    assert (tmp_path / "ops.sqlite3").exists()
    assert upgraded.exit_code == 0, upgraded.output
    assert (tmp_path / "other.sqlite3").exists()


def test_serve_refuses_an_unreachable_postgres_in_one_line(cli: Cli, served: list[object]) -> None:
    port = free_port()  # nothing listens there

    line = refusal(cli("serve", DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/billgraph"))

    assert line.startswith(f"billgraph: cannot start: cannot reach PostgreSQL at 127.0.0.1:{port}/")
    assert served == []


def _postgres_server_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def test_serve_refuses_a_missing_postgres_database_in_one_line(
    cli: Cli, served: list[object]
) -> None:
    server_url = _postgres_server_url()
    name = f"billgraph_missing_{uuid.uuid4().hex[:8]}"
    missing = server_url.rsplit("/", 1)[0] + f"/{name}"
    with socket.socket() as probe:
        host, _, port = server_url.split("@")[-1].split("/")[0].partition(":")
        if probe.connect_ex((host, int(port or 5432))) != 0:
            if os.environ.get("CI") == "true":
                pytest.fail("PostgreSQL is required under CI=true")
            pytest.skip("PostgreSQL not reachable")

    line = refusal(cli("serve", DATABASE_URL=missing))

    assert line.endswith(f"/{name} does not exist")
    assert served == []


def test_serve_refuses_a_port_in_use_in_one_line(cli: Cli, served: list[object]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        line = refusal(cli("--create-database", "serve", PORT=str(port)))

    assert line == f"billgraph: cannot start: port {port} on 127.0.0.1 is already in use " + (
        "(set PORT or --port)"
    )
    assert served == []


def test_serve_refuses_a_database_behind_the_code_without_auto_upgrade(
    cli: Cli, tmp_path: Path, served: list[object]
) -> None:
    sqlite3.connect(tmp_path / "ops.sqlite3").close()  # exists, but no schema

    line = refusal(cli("serve", MIGRATE_ON_STARTUP="false"))

    assert "the database schema is behind this code" in line
    assert "run `billgraph db upgrade`" in line
    assert served == []


def test_serve_refuses_a_database_ahead_of_the_code(
    cli: Cli, tmp_path: Path, served: list[object]
) -> None:
    assert cli("db", "upgrade").exit_code == 0
    with sqlite3.connect(tmp_path / "ops.sqlite3") as database:
        database.execute(
            "INSERT INTO aerich (version, app, content) VALUES (?, 'models', '{}')",
            ("99_20990101000000_from_the_future.py",),
        )

    line = refusal(cli("serve"))

    assert "the database schema is ahead of this code" in line
    assert "99_20990101000000_from_the_future.py" in line
    assert served == []


def test_serve_starts_after_its_checks_with_the_workers_asked_for(
    cli: Cli, served: list[dict[str, object]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_12345.db").write_bytes(b"from the previous run")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(metrics_dir))

    result = cli("--create-database", "serve", "--workers", "3")

    assert result.exit_code == 0, result.output
    assert served[0]["workers"] == 3
    assert served[0]["factory"] is True
    assert list(metrics_dir.iterdir()) == []  # emptied before the workers start
