"""What the benchmark scripts share: scratch databases, a `billgraph serve` subprocess,
percentiles, and the facts about the run (command, commit, machine).

Not a benchmark itself; the scripts next to it import it as `harness`.
"""

import json
import os
import platform
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
BILLGRAPH = Path(sys.executable).parent / "billgraph"
DEFAULT_POSTGRES_SERVER = os.environ.get(
    "TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
ADMIN_KEY = "bench-admin-key-" + uuid.uuid4().hex
SERVER_START_TIMEOUT = 180.0  # several workers on a busy machine take a while
LOAD_AT_START = os.getloadavg()[0]  # other work on the machine skews timings: report it


def log(message: str) -> None:
    """Progress goes to stderr; stdout carries only the JSON result."""
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def asyncpg_dsn(database_url: str) -> str:
    return "postgresql://" + database_url.split("://", 1)[1]


@asynccontextmanager
async def scratch_postgres(
    server_url: str = DEFAULT_POSTGRES_SERVER, *, keep: bool = False
) -> AsyncIterator[str]:
    """Create an empty PostgreSQL database; yield its URL; drop it afterwards unless `keep`."""
    name = f"billgraph_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        log(f"created scratch database {name}")
        try:
            yield server_url.rsplit("/", 1)[0] + f"/{name}"
        finally:
            if not keep:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                log(f"dropped scratch database {name}")
    finally:
        await admin.close()


async def postgres_reachable(server_url: str = DEFAULT_POSTGRES_SERVER) -> bool:
    try:
        connection = await asyncpg.connect(asyncpg_dsn(server_url), timeout=3)
    except (OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


async def postgres_facts(database_url: str) -> dict[str, str]:
    """Return the server version and the settings that shape the figures."""
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        names = ("server_version", "autovacuum", "plan_cache_mode", "shared_buffers", "work_mem")
        return {name: await connection.fetchval(f"SHOW {name}") for name in names}
    finally:
        await connection.close()


def billgraph_cli(database_url: str, *args: str) -> str:
    """Run `billgraph ARGS` against a database; return its stdout (progress to stderr).

    The database may be a new SQLite file, which only some commands create unasked.
    """
    RESULTS.mkdir(parents=True, exist_ok=True)  # the working directory; a fresh clone has none
    result = subprocess.run(  # noqa: S603  (our own console script, arguments we built)
        [str(BILLGRAPH), "--create-database", *args],
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=subprocess.PIPE,
        stderr=sys.stderr,
        text=True,
        check=True,
        cwd=RESULTS,
    )
    return result.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A running `billgraph serve`: its process id and GraphQL URL."""

    pid: int
    url: str

    def memory_mb(self) -> dict[str, float]:
        """Return peak (VmHWM) and current (VmRSS) resident memory of the server, in MB."""
        fields = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in {"VmHWM", "VmRSS"}:
                fields[name] = round(int(value.split()[0]) / 1024, 1)  # kB -> MB
        return {"peak_rss_mb": fields["VmHWM"], "rss_after_mb": fields["VmRSS"]}


@contextmanager
def billgraph_server(database_url: str, *, workers: int = 1) -> Iterator[Server]:
    """Start `billgraph serve` on a free port; wait for /healthz; stop it afterwards."""
    port = free_port()
    RESULTS.mkdir(parents=True, exist_ok=True)  # the working directory; a fresh clone has none
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ADMIN_API_KEY": ADMIN_KEY,
        "ENVIRONMENT": "production",
    }
    with tempfile.TemporaryFile() as server_log:  # its tail goes into any error
        process = subprocess.Popen(  # noqa: S603  (our own console script)
            [
                *(str(BILLGRAPH), "serve", "--host", "127.0.0.1", "--port", str(port)),
                *("--workers", str(workers)),
            ],
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
            cwd=RESULTS,
        )
        try:
            _wait_until_healthy(process, f"http://127.0.0.1:{port}/healthz", server_log)
            log(f"billgraph serve (pid {process.pid}) on port {port}")
            yield Server(pid=process.pid, url=f"http://127.0.0.1:{port}/graphql")
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log(f"stopped billgraph serve (pid {process.pid})")


def _wait_until_healthy(process: subprocess.Popen[bytes], url: str, server_log: IO[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"billgraph serve exited:\n{_tail(server_log)}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"billgraph serve did not become healthy:\n{_tail(server_log)}")


def _tail(server_log: IO[bytes]) -> str:
    server_log.seek(0)
    return server_log.read().decode(errors="replace")[-3000:]


def graphql_payload(response: httpx.Response) -> dict[str, Any]:
    """Return the data of a GraphQL response, or raise with its errors."""
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"GraphQL error (HTTP {response.status_code}): {body}")
    data: dict[str, Any] = body["data"]
    return data


def latency_summary(seconds: list[float]) -> dict[str, float]:
    """Return median and p95 (nearest rank) of durations, in milliseconds."""
    ordered = sorted(seconds)
    p95 = ordered[max(0, -(-95 * len(ordered) // 100) - 1)]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "min_ms": round(ordered[0] * 1000, 2),
        "runs": len(ordered),
    }


def run_facts() -> dict[str, Any]:
    """Return the command, commit and machine facts every result carries."""
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"],  # noqa: S607  (read-only, whatever git is on PATH)
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    ).stdout.strip()
    return {
        "command": shlex.join([os.path.relpath(sys.executable), *sys.argv]),
        "commit": commit or None,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "nproc": len(os.sched_getaffinity(0)),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "memory_gb": _memory_gb(),
            "load_average_1m": {"start": LOAD_AT_START, "end": os.getloadavg()[0]},
        },
    }


def _memory_gb() -> float | None:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return None


def print_result(result: dict[str, Any], output: Path | None) -> None:
    """Print a benchmark's result as JSON, and write it to `output` too when given."""
    text = json.dumps(result, indent=2)
    print(text)
    if output:
        output.write_text(text + "\n")
