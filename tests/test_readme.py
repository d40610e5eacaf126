"""The README's examples run as written, in order, on a fresh server (SQLite and PostgreSQL).

How blocks are read (which run, variables, shown answers) is in tests/readme_examples.py
and stated in the README above its first example. The server is a real `billgraph serve`
on a free port; shell blocks run from the repository root with `http://127.0.0.1:8000`
pointing at that server, `.venv/bin/` at this interpreter's scripts, `DATABASE_URL` at
the test database and `BILLGRAPH_KEY` holding the admin key (on SQLite the one the first
run prints, on PostgreSQL one made with `billgraph keys create`).
"""

import asyncio
import json
import os
import queue
import re
import sqlite3
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from billgraph.migrate import asyncpg_dsn
from billgraph.settings import Settings
from tests.conftest import Database
from tests.readme_examples import (
    RUNNABLE_SHELL,
    Block,
    Example,
    examples,
    fenced_blocks,
    json_difference,
    operation_names,
    readme_text,
    text_difference,
)
from tests.servers import free_port

README_URL = "http://127.0.0.1:8000"
BIN_DIR = Path(sys.executable).parent
STARTUP_SECONDS = 90
COMMAND_SECONDS = 300
_DEV_KEY = re.compile(r"development admin key \(shown once\): (\S+)")
_CREATED_SECRET = re.compile(r"secret \(shown once\): (\S+)")


def test_every_graphql_block_parses_and_names_its_operations(repo_root: Path) -> None:
    blocks = [block for block in fenced_blocks(readme_text(repo_root)) if block.tag == "graphql"]

    assert blocks
    for block in blocks:
        assert operation_names(block), f"{block.describe()}: no operation"


def test_the_readme_states_the_convention_before_its_first_example(repo_root: Path) -> None:
    text = readme_text(repo_root)
    first_graphql = text.index("```graphql")

    assert "`json variables`" in text[:first_graphql]
    assert "`console`" in text[:first_graphql]


def test_several_anonymous_operations_in_one_block_are_refused() -> None:
    block = fenced_blocks("```graphql\n{ a }\n{ b }\n```\n")[0]

    with pytest.raises(AssertionError, match=r"line 1 .*not all are named"):
        operation_names(block)


def test_shown_answers_and_outputs_are_compared_value_by_value() -> None:
    shown = {"data": {"cost": {"total": "0.0084", "id": "..."}}}

    assert json_difference({"data": {"cost": {"total": "0.0084", "id": "7"}}}, shown) is None
    assert json_difference({"data": {"cost": {"total": "0.01", "id": "7"}}}, shown) == (
        "data.cost.total: the README shows '0.0084', the server answered '0.01'"
    )
    assert text_difference("a\n  total   0.0025 USD\n", "total 0.0025 USD") is None
    assert "'total 0.01 USD'" in str(text_difference("total 0.0025 USD", "total 0.01 USD"))


def test_outputs_and_variables_belong_to_the_block_right_before_them() -> None:
    markdown = (
        "```graphql\nquery ($n: Int) { a(n: $n) }\n```\n\n```json variables\n"
        '{"n": 1}\n```\n```json\n{"data": {"a": 1}}\n```\n\nProse.\n\n'
        "```sh\necho hi\n```\n```text\nhi\n```\n```json\n{}\n```\n"
    )

    graphql, shell = examples(markdown)

    assert graphql.variables == {"n": 1}
    assert graphql.expected is not None
    assert graphql.expected.line == 8
    assert shell.expected is not None
    assert shell.expected.tag == "text"


# --- running them ------------------------------------------------------------------------


def shell_environment(database: Database, **extra: str) -> dict[str, str]:
    """This process's environment without billgraph settings, pointing at `database`."""
    settings_variables = {name.upper() for name in Settings.model_fields}
    environment = {
        name: value for name, value in os.environ.items() if name not in settings_variables
    }
    environment.update(DATABASE_URL=database.url, PYTHONUNBUFFERED="1", **extra)
    return environment


async def reset_to_fresh(database: Database) -> None:
    """Empty every table and restart the ids, as on a database made a moment ago."""
    if database.dialect == "postgres":
        connection = await asyncpg.connect(asyncpg_dsn(database.url))
        try:
            tables = [
                row["tablename"]
                for row in await connection.fetch(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                    " AND tablename <> 'aerich'"
                )
            ]
            quoted = ", ".join(f'"{table}"' for table in tables)
            await connection.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        finally:
            await connection.close()
        return
    path = database.url.removeprefix("sqlite://")
    with sqlite3.connect(path) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT IN ('aerich', 'sqlite_sequence')"
            )
        ]
        for table in tables:
            connection.execute(f'DELETE FROM "{table}"')  # noqa: S608
        connection.execute("DELETE FROM sqlite_sequence")


@dataclass
class Server:
    url: str
    admin_key: str
    log: list[str] = field(default_factory=list)


@contextmanager
def billgraph_serve(database: Database, workdir: Path) -> Iterator[Server]:
    """Run `billgraph serve` on a free port until startup completes; stop it afterwards."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603  (our own script, arguments we built)
        [str(BIN_DIR / "billgraph"), "serve", "--port", str(port)],
        cwd=workdir,
        # The README is written for `make run` (SQLite), where a new price is in effect at
        # once; on PostgreSQL it starts PRICE_SETTLE_SECONDS after its commit, so the same
        # examples run there with no settle delay (tests/test_workers.py covers the delay).
        env=shell_environment(database, PRICE_SETTLE_SECONDS="0"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log: list[str] = []
    lines: queue.Queue[str | None] = queue.Queue()

    def read_output() -> None:
        # One reader for the whole life of the server: it never blocks on a full pipe, and
        # no line waits in a buffer that a select() on the pipe would not see.
        for line in process.stdout or []:
            log.append(line)
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read_output, daemon=True).start()
    try:
        while True:
            try:
                line = lines.get(timeout=STARTUP_SECONDS)
            except queue.Empty:
                pytest.fail(f"billgraph serve did not start: {''.join(log)}")
            if line is None:
                pytest.fail(f"billgraph serve exited: {''.join(log)}")
            if "Application startup complete" in line:
                break
        printed_key = next((m.group(1) for line in log if (m := _DEV_KEY.search(line))), "")
        yield Server(f"http://127.0.0.1:{port}", printed_key, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_shell(script: str, *, repo_root: Path, environment: dict[str, str]) -> tuple[int, str]:
    completed = subprocess.run(  # noqa: S603  (the README's own commands)
        ["bash", "-euo", "pipefail", "-c", script],  # noqa: S607
        cwd=repo_root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )
    return completed.returncode, completed.stdout + completed.stderr


def as_run_here(script: str, server: Server) -> str:
    """The README's commands, aimed at the test server and this interpreter's scripts."""
    script = script.replace(README_URL, server.url)
    return re.sub(r"(?<![\w/.])\.venv/bin/", f"{BIN_DIR}/", script)


async def admin_key_for(database: Database, repo_root: Path) -> str:
    """On PostgreSQL there is no first-run key: make one as the README says, with the CLI."""
    script = f"{BIN_DIR}/billgraph keys create --name admin --scope admin"
    status, output = await asyncio.to_thread(
        run_shell, script, repo_root=repo_root, environment=shell_environment(database)
    )
    assert status == 0, output
    found = _CREATED_SECRET.search(output)
    assert found, output
    return found.group(1)


@asynccontextmanager
async def fresh_server(database: Database, workdir: Path, repo_root: Path) -> AsyncIterator[Server]:
    await reset_to_fresh(database)
    key = "" if database.dialect == "sqlite" else await admin_key_for(database, repo_root)
    with billgraph_serve(database, workdir) as server:
        if key:
            server.admin_key = key
        assert server.admin_key, f"no development key was printed: {''.join(server.log)}"
        yield server


async def run_graphql(example: Example, client: httpx.AsyncClient, server: Server) -> None:
    block = example.block
    expected: Any = None
    if example.expected is not None:
        expected = json.loads(example.expected.text)
    several = len(example.operations) > 1
    for name in example.operations:
        where = f"{block.describe()}" + (f", operation {name}" if several else "")
        body: dict[str, Any] = {"query": block.text, "variables": example.variables or {}}
        if name is not None:
            body["operationName"] = name
        response = await client.post(
            "/graphql", json=body, headers={"Authorization": f"Bearer {server.admin_key}"}
        )
        assert response.status_code == 200, f"{where}: HTTP {response.status_code} {response.text}"
        answer = response.json()
        shown = expected.get(name) if several and isinstance(expected, dict) else expected
        if shown is None:
            assert "errors" not in answer, f"{where}: the server answered errors {answer['errors']}"
            continue
        difference = json_difference(answer, shown)
        assert difference is None, f"{where} (answer shown at line {example.expected.line}): " + (  # type: ignore[union-attr]
            difference or ""
        )


async def run_examples(database: Database, workdir: Path, repo_root: Path) -> int:
    """Run every example of the README in order; return how many ran."""
    found = examples(readme_text(repo_root))
    async with fresh_server(database, workdir, repo_root) as server:
        environment = shell_environment(database, BILLGRAPH_KEY=server.admin_key)
        async with httpx.AsyncClient(base_url=server.url, timeout=120) as client:
            for example in found:
                block: Block = example.block
                if block.tag == "graphql":
                    await run_graphql(example, client, server)
                    continue
                assert block.tag in RUNNABLE_SHELL
                status, output = await asyncio.to_thread(
                    run_shell,
                    as_run_here(block.text, server),
                    repo_root=repo_root,
                    environment=environment,
                )
                assert status == 0, f"{block.describe()}: exit status {status}\n{output}"
                if example.expected is not None:
                    difference = text_difference(output, example.expected.text)
                    assert difference is None, (
                        f"{block.describe()} (output shown at line {example.expected.line}): "
                        f"{difference}\nprinted:\n{output}"
                    )
    return len(found)


async def test_every_readme_example_runs_in_order_on_a_fresh_server(
    database: Database, tmp_path: Path, repo_root: Path
) -> None:
    ran = await run_examples(database, tmp_path, repo_root)

    assert ran >= 10
