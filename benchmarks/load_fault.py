"""Load and faults: many clients record usage while a server is SIGKILLed and PostgreSQL restarts.

Creates a PostgreSQL cluster of its own (`initdb` + `pg_ctl`, a temporary directory, a
free port; see pg_cluster.py) and removes it afterwards, also on errors and Ctrl-C. On
it: `billgraph db upgrade`, then several `billgraph serve` processes on free ports, an
INGEST key (`createApiKey`, with an ADMIN_API_KEY the script sets) and exact prices for
the models the clients use (`upsertPricing`, effective from 2000-01-01).

For `--duration` seconds, concurrent clients (asyncio + httpx) send new records through
every ingest path the server has: `POST /v1/usage` (JSON array and NDJSON; detected from
the OpenAPI schema or a 404, and skipped when absent), GraphQL `recordUsageBatch`, and
GraphQL `recordUsage`. A failed send (connection error, timeout, HTTP 5xx, GraphQL
UNAVAILABLE or INTERNAL) is retried with the same request ids, on the next server, with
bounded exponential backoff (Retry-After honoured); every failure is counted by kind.
Meanwhile one server is killed with SIGKILL and started again, and then PostgreSQL is
restarted (`pg_ctl restart -m fast`). After the load, records that were never
acknowledged are sent once more with their request ids (as a client with an outbox
would), then the database is compared with what the clients were told.

Prints one JSON object: records sent, acknowledged, stored, lost (acknowledged but not
stored), duplicated (rows beyond one per request id sent), whether the stored totals
equal the exact sums of the known prices, `billgraph rollups verify`, failures by kind
(overall, while the server was down, while PostgreSQL was down), and recovery times.
Exits 1 when anything was lost or duplicated, totals differ, or verify fails.

    .venv/bin/python benchmarks/load_fault.py --duration 60
"""

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import Any

import asyncpg
import httpx
from harness import BILLGRAPH, asyncpg_dsn, free_port, log, print_result, run_facts
from pg_cluster import Cluster, own_cluster

PICO = 10**12
PROVIDER = "OPENAI"
DATABASE = "billgraph"
SERVER_START_TIMEOUT = 90.0
MAX_BACKOFF_SECONDS = 2.0
RETRY_CODES = frozenset({"UNAVAILABLE", "INTERNAL"})
PATHS = ("v1_usage", "graphql_batch", "graphql_single")
BATCH_MUTATION = """
mutation Ingest($inputs: [RecordUsageInput!]!) {
  recordUsageBatch(inputs: $inputs) { created replayed }
}"""
SINGLE_MUTATION = """
mutation Record($input: RecordUsageInput!) {
  recordUsage(input: $input) { requestId costTotal }
}"""
KEY_MUTATION = """
mutation Key { createApiKey(input: {name: "load-fault", scopes: [INGEST]}) { secret } }"""
PRICING_MUTATION = """
mutation Price($input: PricingInput!) { upsertPricing(input: $input) { id } }"""
SUMMARY_QUERY = """
{ costSummary { requests tokensInput tokensOutput costInput costOutput costTotal } }"""
SERVER_LOG_PATTERNS = ("deadlock detected", "Unexpected error in request", "Traceback")


# --- what the clients send and what it must cost -----------------------------------------


@dataclass(frozen=True, slots=True)
class Price:
    """Known per-token prices of one model, in pico-dollars."""

    input_pico: int
    output_pico: int
    cached_input_pico: int

    def as_input(self, model: str) -> dict[str, Any]:
        return {
            "provider": PROVIDER,
            "modelName": model,
            "inputTokenCost": usd(self.input_pico),
            "outputTokenCost": usd(self.output_pico),
            "cachedInputTokenCost": usd(self.cached_input_pico),
            "effectiveFrom": "2000-01-01T00:00:00+00:00",
        }


def model_prices(count: int) -> dict[str, Price]:
    """Return `count` models with distinct prices that use all 12 decimal places."""
    return {
        f"loadfault-model-{number}": Price(
            input_pico=1_000_000 + 123_457 * number,
            output_pico=3_000_000 + 7_654_321 * number,
            cached_input_pico=100_003 + 11_111 * number,
        )
        for number in range(count)
    }


@dataclass(frozen=True, slots=True)
class Record:
    """One usage record as a client sends it, and the path it was first sent through."""

    path: str
    request_id: str
    model: str
    user_id: str
    occurred_at: str
    tokens_input: int
    tokens_output: int
    tokens_cached_input: int

    def as_input(self) -> dict[str, Any]:
        return {
            "provider": PROVIDER,
            "model": self.model,
            "tokensInput": self.tokens_input,
            "tokensOutput": self.tokens_output,
            "tokensCachedInput": self.tokens_cached_input,
            "requestId": self.request_id,
            "userId": self.user_id,
            "occurredAt": self.occurred_at,
        }

    def expected(self, price: Price) -> dict[str, int]:
        """Return the columns billgraph must store for this record at `price`."""
        cached = self.tokens_cached_input * price.cached_input_pico
        cost_input = (self.tokens_input - self.tokens_cached_input) * price.input_pico + cached
        cost_output = self.tokens_output * price.output_pico
        return {
            "tokens_input": self.tokens_input,
            "tokens_output": self.tokens_output,
            "tokens_cached_input": self.tokens_cached_input,
            "cost_input_pico": cost_input,
            "cost_output_pico": cost_output,
            "cost_cached_input_pico": cached,
            "cost_total_pico": cost_input + cost_output,
        }


CHECKED_COLUMNS = (
    "tokens_input",
    "tokens_output",
    "tokens_cached_input",
    "cost_input_pico",
    "cost_output_pico",
    "cost_cached_input_pico",
    "cost_total_pico",
)


def usd(pico: int) -> str:
    return format(Decimal(pico).scaleb(-12).normalize(), "f")


# --- the servers ------------------------------------------------------------------------


class Fleet:
    """`billgraph serve` processes, each on a port of its own that survives restarts."""

    def __init__(self, database_url: str, admin_key: str, count: int, log_dir: Path) -> None:
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "ADMIN_API_KEY": admin_key,
            "ENVIRONMENT": "production",
        }
        self.log_dir = log_dir
        self.ports = [free_port() for _ in range(count)]
        self.processes: list[subprocess.Popen[bytes] | None] = [None] * count
        self.starts = [0] * count

    def base_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[index]}"

    def log_file(self, index: int) -> Path:
        return self.log_dir / f"server-{index}.log"

    def start(self, index: int) -> None:
        self.starts[index] += 1
        with self.log_file(index).open("ab") as server_log:
            server_log.write(f"--- start {self.starts[index]} ---\n".encode())
            server_log.flush()
            self.processes[index] = subprocess.Popen(  # noqa: S603  (our own console script)
                [str(BILLGRAPH), "serve", "--host", "127.0.0.1", "--port", str(self.ports[index])],
                env=self.env,
                stdout=server_log,
                stderr=subprocess.STDOUT,
                cwd=self.log_dir,
                start_new_session=True,  # Ctrl-C reaches us; we stop the servers in order
            )

    def wait_healthy(self, index: int) -> None:
        """Wait (bounded) until /healthz answers 200; raise with the log tail if not."""
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        process = self.processes[index]
        while time.monotonic() < deadline:
            if process is None or process.poll() is not None:
                raise RuntimeError(f"billgraph serve {index} exited:\n{self.tail(index)}")
            with suppress(httpx.TransportError):
                if httpx.get(self.base_url(index) + "/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"billgraph serve {index} did not become healthy:\n{self.tail(index)}")

    def kill(self, index: int) -> None:
        process = self.processes[index]
        if process is not None:
            process.send_signal(signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for process in self.processes:
            if process is not None and process.poll() is None:
                process.terminate()
        for process in self.processes:
            if process is None:
                continue
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def tail(self, index: int) -> str:
        return self.log_file(index).read_text(errors="replace")[-3000:]

    def logs(self) -> str:
        return "".join(
            self.log_file(index).read_text(errors="replace")
            for index in range(len(self.ports))
            if self.log_file(index).exists()
        )

    def log_counts(self) -> dict[str, int]:
        """Count lines of interest in every server's log (all starts)."""
        text = self.logs()
        return {pattern: text.count(pattern) for pattern in SERVER_LOG_PATTERNS}

    def logged_exceptions(self) -> dict[str, int]:
        """Count the exceptions the servers' tracebacks end with (first 200 characters)."""
        exceptions = Counter[str]()
        in_traceback = False
        for line in self.logs().splitlines():
            if line.startswith("Traceback (most recent call last):"):
                in_traceback = True
            elif in_traceback and line and not line[0].isspace():
                exceptions[line[:200]] += 1
                in_traceback = False
        return dict(exceptions.most_common())


@contextmanager
def fleet_of(
    database_url: str, admin_key: str, count: int, keep_logs: Path | None
) -> Iterator[Fleet]:
    with tempfile.TemporaryDirectory(prefix="billgraph-loadfault-") as log_dir:
        fleet = Fleet(database_url, admin_key, count, Path(log_dir))
        try:
            yield fleet
        finally:
            fleet.stop_all()
            if keep_logs is not None:
                keep_logs.mkdir(parents=True, exist_ok=True)
                for index in range(count):
                    if fleet.log_file(index).exists():
                        shutil.copy(fleet.log_file(index), keep_logs)


def billgraph_cli(
    database_url: str, *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run `billgraph ARGS` against the cluster's database."""
    with tempfile.TemporaryDirectory() as cwd:  # no stray .env is read
        return subprocess.run(  # noqa: S603  (our own console script, arguments we built)
            [str(BILLGRAPH), *args],
            env={**os.environ, "DATABASE_URL": database_url},
            capture_output=True,
            text=True,
            check=check,
            cwd=cwd,
            timeout=300,
        )


# --- sending with retries -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attempt:
    """One send: which path, when it started and ended (seconds since the load began)."""

    path: str
    started: float
    ended: float
    kind: str  # "ok", or the kind of failure
    records: int


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: str
    retryable: bool = False
    retry_after: float | None = None
    payload: Any = None


def classify(response: httpx.Response, field_name: str | None) -> Outcome:
    """Return what a response means: success with its payload, or the kind of failure."""
    try:
        body = response.json()
    except ValueError:
        body = None
    errors = body.get("errors") if isinstance(body, dict) else None
    if response.status_code == 200 and not errors and isinstance(body, dict):
        return Outcome("ok", payload=body["data"][field_name] if field_name else body)
    extensions = (errors[0].get("extensions") or {}) if errors else {}
    code = extensions.get("code")
    status = response.status_code
    if status == 200:
        kind = f"graphql:{code or 'NO_CODE'}"
    else:
        kind = f"http_{status}" + (f":{code}" if code else "")
    retryable = (
        status >= 500 or status == 429 or code in RETRY_CODES or bool(extensions.get("retryable"))
    )
    retry_after = None
    with suppress(ValueError, TypeError):
        retry_after = float(response.headers.get("retry-after"))
    return Outcome(kind, retryable=retryable, retry_after=retry_after)


class Load:
    """The clients' shared bookkeeping: records, acknowledgements, attempts, faults."""

    def __init__(
        self, args: argparse.Namespace, fleet: Fleet, ingest_key: str, paths: Sequence[str]
    ) -> None:
        self.args = args
        self.fleet = fleet
        self.paths = paths
        self.ingest_headers = {"Authorization": f"Bearer {ingest_key}"}
        self.prices = model_prices(args.models)
        self.models = list(self.prices)
        self.tag = uuid.uuid4().hex[:8]
        self.random = random.Random(args.seed)
        self.started = time.monotonic()
        self.load_until = self.started + args.duration
        self.records: dict[str, Record] = {}
        self.acknowledged: dict[str, float] = {}
        self.acknowledged_in_settle = 0
        self.attempts: list[Attempt] = []
        self.unsettled: list[Record] = []
        self.reported = Counter[str]()
        self.single_cost_mismatches = 0
        self.events: dict[str, float] = {}
        self.faults_done = False

    def now(self) -> float:
        return time.monotonic() - self.started

    def new_records(self, path: str, client: int, unit: int, count: int) -> list[Record]:
        moment = datetime.now(UTC)
        records = []
        for index in range(count):
            tokens_input = self.random.randint(1, 20_000)
            cached = self.random.choice((0, self.random.randint(0, tokens_input)))
            record = Record(
                path=path,
                request_id=f"lf-{self.tag}-{path}-{client}-{unit}-{index}",
                model=self.random.choice(self.models),
                user_id=f"user-{self.random.randrange(self.args.users)}",
                # Spread over three hours, so that clients share hourly rollup rows.
                occurred_at=(
                    moment - timedelta(seconds=self.random.randrange(3 * 3600))
                ).isoformat(),
                tokens_input=tokens_input,
                tokens_output=self.random.randint(1, 4_000),
                tokens_cached_input=cached,
            )
            self.records[record.request_id] = record
            records.append(record)
        return records

    async def send(
        self, client: httpx.AsyncClient, path: str, server: str, records: list[Record], ndjson: bool
    ) -> Outcome:
        inputs = [record.as_input() for record in records]
        try:
            if path == "v1_usage":
                if ndjson:
                    content = "".join(json.dumps(item) + "\n" for item in inputs).encode()
                    content_type = "application/x-ndjson"
                else:
                    content = json.dumps(inputs).encode()
                    content_type = "application/json"
                response = await client.post(
                    server + "/v1/usage",
                    content=content,
                    headers={**self.ingest_headers, "Content-Type": content_type},
                )
                return classify(response, None)
            if path == "graphql_batch":
                body = {"query": BATCH_MUTATION, "variables": {"inputs": inputs}}
                field_name = "recordUsageBatch"
            else:
                body = {"query": SINGLE_MUTATION, "variables": {"input": inputs[0]}}
                field_name = "recordUsage"
            response = await client.post(
                server + "/graphql", json=body, headers=self.ingest_headers
            )
            return classify(response, field_name)
        except httpx.TimeoutException as error:
            return Outcome(f"timeout:{type(error).__name__}", retryable=True)
        except httpx.TransportError as error:
            return Outcome(f"connection_error:{type(error).__name__}", retryable=True)

    async def deliver(
        self, client: httpx.AsyncClient, records: list[Record], first_server: int, ndjson: bool
    ) -> bool:
        """Send until acknowledged or out of attempts; the next attempt goes to the next server."""
        path = records[0].path
        delay = 0.05
        servers = len(self.fleet.ports)
        for attempt in range(self.args.max_attempts):
            server = self.fleet.base_url((first_server + attempt) % servers)
            started = self.now()
            outcome = await self.send(client, path, server, records, ndjson)
            self.attempts.append(Attempt(path, started, self.now(), outcome.kind, len(records)))
            if outcome.kind == "ok":
                self.acknowledge(records, outcome.payload)
                return True
            if not outcome.retryable:
                break
            hint = min(outcome.retry_after or 0.0, MAX_BACKOFF_SECONDS)
            await asyncio.sleep(max(delay * self.random.uniform(0.5, 1.0), hint))
            delay = min(delay * 2, MAX_BACKOFF_SECONDS)
        self.unsettled.extend(records)
        return False

    def acknowledge(self, records: list[Record], payload: Any) -> None:
        moment = self.now()
        for record in records:
            self.acknowledged.setdefault(record.request_id, moment)
        if records[0].path == "graphql_single":
            record = records[0]
            expected = record.expected(self.prices[record.model])["cost_total_pico"]
            if Decimal(payload["costTotal"]) != Decimal(expected).scaleb(-12):
                self.single_cost_mismatches += 1
        else:
            self.reported["created"] += payload["created"]
            self.reported["replayed"] += payload["replayed"]

    async def client_loop(self, client: httpx.AsyncClient, path: str, number: int) -> None:
        size = 1 if path == "graphql_single" else self.args.batch_size
        unit = 0
        while time.monotonic() < self.load_until or not self.faults_done:
            records = self.new_records(path, number, unit, size)
            unit += 1
            await self.deliver(
                client, records, number % len(self.fleet.ports), ndjson=number % 2 == 1
            )

    async def settle(self, client: httpx.AsyncClient) -> None:
        """Send the records never acknowledged once more, same ids (bounded rounds)."""
        for _round in range(3):
            pending = {
                r.request_id: r for r in self.unsettled if r.request_id not in self.acknowledged
            }
            self.unsettled = []
            if not pending:
                return
            log(f"settling {len(pending)} unacknowledged records")
            before = len(self.acknowledged)
            units: list[list[Record]] = []
            by_path: dict[str, list[Record]] = defaultdict(list)
            for record in pending.values():
                by_path[record.path].append(record)
            for path, records in by_path.items():
                size = 1 if path == "graphql_single" else self.args.batch_size
                units += [records[i : i + size] for i in range(0, len(records), size)]
            await self.deliver_all(client, units)
            self.acknowledged_in_settle += len(self.acknowledged) - before

    async def deliver_all(self, client: httpx.AsyncClient, units: list[list[Record]]) -> None:
        """Deliver units four at a time, each starting on a different server."""
        gate = asyncio.Semaphore(4)

        async def one(unit: list[Record], index: int) -> None:
            async with gate:
                await self.deliver(client, unit, index, ndjson=False)

        await asyncio.gather(*(one(unit, index) for index, unit in enumerate(units)))

    async def faults(self, cluster: Cluster) -> None:
        """SIGKILL server 0 and start it again; later restart PostgreSQL.

        The clients keep sending until both faults are over, and `--tail` seconds after.
        """
        try:
            await self._inject_faults(cluster)
            self.load_until = max(self.load_until, time.monotonic() + self.args.tail)
        finally:
            self.faults_done = True

    async def _inject_faults(self, cluster: Cluster) -> None:
        args = self.args
        await asyncio.sleep(max(0.0, args.kill_at * args.duration - self.now()))
        self.events["server_killed"] = self.now()
        self.fleet.kill(0)
        log("killed billgraph serve 0 with SIGKILL; starting it again")
        self.fleet.start(0)
        await asyncio.to_thread(self.fleet.wait_healthy, 0)
        self.events["server_back"] = self.now()
        down = self.events["server_back"] - self.events["server_killed"]
        log(f"billgraph serve 0 healthy again after {down:.2f} s")
        await asyncio.sleep(max(0.0, args.db_restart_at * args.duration - self.now()))
        self.events["db_restart_began"] = self.now()
        log(f"restarting PostgreSQL (pg_ctl restart -m {args.db_restart_mode})")
        await asyncio.to_thread(cluster.restart, args.db_restart_mode)
        self.events["db_up"] = self.now()
        down = self.events["db_up"] - self.events["db_restart_began"]
        log(f"PostgreSQL up again after {down:.2f} s")

    # --- what happened ---

    def failures_by_kind(self, start: float = 0.0, end: float = float("inf")) -> dict[str, int]:
        """Failed attempts in flight at some moment of [start, end], by kind."""
        return self._count(a for a in self.attempts if a.started <= end and a.ended >= start)

    def failures_started(self, start: float, end: float) -> dict[str, int]:
        """Failed attempts that started in (start, end], by kind."""
        return self._count(a for a in self.attempts if start < a.started <= end)

    @staticmethod
    def _count(attempts: Iterable[Attempt]) -> dict[str, int]:
        kinds = Counter(attempt.kind for attempt in attempts if attempt.kind != "ok")
        return dict(sorted(kinds.items()))

    def first_success_after(self, moment: float) -> float | None:
        """When the first send started at or after `moment` was acknowledged."""
        ends = [a.ended for a in self.attempts if a.kind == "ok" and a.started >= moment]
        return min(ends) if ends else None

    def fault_report(self) -> dict[str, Any]:
        events = self.events
        report: dict[str, Any] = {}
        if "server_killed" in events:
            killed = events["server_killed"]
            back = events.get("server_back", float("inf"))
            report["server_sigkill"] = {
                "at_s": round(killed, 2),
                "back_after_s": round(back - killed, 2) if "server_back" in events else None,
                "clients_saw_while_it_was_down": self.failures_by_kind(killed, back),
            }
        if "db_restart_began" in events:
            began = events["db_restart_began"]
            up = events.get("db_up", float("inf"))
            recovered = self.first_success_after(up) if "db_up" in events else None
            report["postgres_restart"] = {
                "mode": self.args.db_restart_mode,
                "at_s": round(began, 2),
                "down_s": round(up - began, 2) if "db_up" in events else None,
                "recovery_s": round(recovered - up, 2) if recovered is not None else None,
                "recovery_from_restart_s": round(recovered - began, 2) if recovered else None,
                "clients_saw_while_it_was_down": self.failures_by_kind(began, up),
                "clients_saw_after_it_was_up_until_first_success": self.failures_started(
                    up, recovered if recovered is not None else float("inf")
                ),
            }
        return report

    def path_report(self) -> dict[str, Any]:
        report = {}
        for path in self.paths:
            attempts = [a for a in self.attempts if a.path == path]
            sent = [r for r in self.records.values() if r.path == path]
            report[path] = {
                "records_sent": len(sent),
                "records_acknowledged": sum(r.request_id in self.acknowledged for r in sent),
                "requests_acknowledged": sum(a.kind == "ok" for a in attempts),
                "attempts": len(attempts),
                "failures_by_kind": dict(
                    sorted(Counter(a.kind for a in attempts if a.kind != "ok").items())
                ),
            }
        return report


# --- set-up and checks --------------------------------------------------------------------


async def graphql(
    client: httpx.AsyncClient,
    url: str,
    key: str,
    query: str,
    variables: dict[str, Any] | None = None,
) -> dict[str, Any]:
    response = await client.post(
        url + "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {key}"},
    )
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"GraphQL error (HTTP {response.status_code}): {body}")
    data: dict[str, Any] = body["data"]
    return data


async def has_ingest_endpoint(client: httpx.AsyncClient, url: str, key: str) -> tuple[bool, str]:
    """Whether the server has POST /v1/usage, and how we found out."""
    schema = await client.get(url + "/openapi.json")
    if schema.status_code == 200:
        found = "/v1/usage" in schema.json().get("paths", {})
        return found, "listed in /openapi.json" if found else "not in /openapi.json"
    probe = await client.post(
        url + "/v1/usage", json=[], headers={"Authorization": f"Bearer {key}"}
    )
    if probe.status_code == 404 and probe.json() == {"detail": "Not Found"}:
        return False, "POST /v1/usage answered 404 (no such route)"
    return True, f"POST /v1/usage with an empty array answered {probe.status_code}"


async def stored_rows(database_url: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows: list[asyncpg.Record] = await connection.fetch(
            f"SELECT request_id, {', '.join(CHECKED_COLUMNS)} FROM api_usage_logs"  # noqa: S608
        )
        return rows
    finally:
        await connection.close()


async def stored_sums(database_url: str) -> dict[str, int]:
    """SUM of every checked column, by the database (exact numeric)."""
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        sums = ", ".join(f"COALESCE(SUM({column}), 0) AS {column}" for column in CHECKED_COLUMNS)
        row = await connection.fetchrow(f"SELECT COUNT(*) AS rows, {sums} FROM api_usage_logs")  # noqa: S608
        return {name: int(value) for name, value in row.items()}
    finally:
        await connection.close()


def check_database(load: Load, rows: list[asyncpg.Record], sums: dict[str, int]) -> dict[str, Any]:
    """Compare what is stored with what was sent and acknowledged."""
    stored_ids = [row["request_id"] for row in rows]
    stored = set(stored_ids)
    known = stored & load.records.keys()
    acknowledged = set(load.acknowledged)
    wrong_rows = 0
    expected_of_stored = Counter[str]()
    for row in rows:
        record = load.records.get(row["request_id"])
        if record is None:
            continue
        expected = record.expected(load.prices[record.model])
        expected_of_stored.update(expected)
        wrong_rows += any(row[column] != expected[column] for column in CHECKED_COLUMNS)
    expected_of_acknowledged = Counter[str]()
    for request_id in acknowledged:
        record = load.records[request_id]
        expected_of_acknowledged.update(record.expected(load.prices[record.model]))
    columns = {
        column: {
            "stored": sums[column],
            "expected_of_stored": expected_of_stored[column],
            "expected_of_acknowledged": expected_of_acknowledged[column],
        }
        for column in CHECKED_COLUMNS
    }
    totals_equal = all(
        entry["stored"] == entry["expected_of_stored"] for entry in columns.values()
    ) and (
        stored != acknowledged
        or all(entry["stored"] == entry["expected_of_acknowledged"] for entry in columns.values())
    )
    return {
        "records": {
            "sent": len(load.records),
            "acknowledged": len(acknowledged),
            "acknowledged_only_after_the_load": load.acknowledged_in_settle,
            "never_acknowledged": len(load.records) - len(acknowledged),
            "stored": len(stored),
            "stored_rows": sums["rows"],
            "lost": len(acknowledged - stored),
            "duplicated": (len(stored_ids) - len(stored)) + len(stored - known),
            "stored_but_never_acknowledged": len(stored - acknowledged),
            "rows_with_unexpected_values": wrong_rows,
            "recordUsage_answers_with_unexpected_cost": load.single_cost_mismatches,
            "batch_answers_created": load.reported["created"],
            "batch_answers_replayed": load.reported["replayed"],
        },
        "totals": {
            "equal": totals_equal and wrong_rows == 0,
            "stored_usd": usd(sums["cost_total_pico"]),
            "acknowledged_usd": usd(expected_of_acknowledged["cost_total_pico"]),
            "expected_of_stored_usd": usd(expected_of_stored["cost_total_pico"]),
            "columns": columns,
        },
    }


async def summary_check(
    client: httpx.AsyncClient, url: str, admin_key: str, expected: dict[str, int], rows: int
) -> dict[str, Any]:
    """costSummary (what a report user sees) against the expected sums of the stored rows."""
    summary = (await graphql(client, url, admin_key, SUMMARY_QUERY))["costSummary"]
    want = {
        "requests": rows,
        "tokensInput": expected["tokens_input"],
        "tokensOutput": expected["tokens_output"],
        "costTotal": Decimal(expected["cost_total_pico"]).scaleb(-12),
    }
    got = {
        "requests": int(summary["requests"]),
        "tokensInput": int(summary["tokensInput"]),
        "tokensOutput": int(summary["tokensOutput"]),
        "costTotal": Decimal(summary["costTotal"]),
    }
    return {"equal": got == want, "costSummary": summary}


def verify_rollups(database_url: str) -> dict[str, Any]:
    result = billgraph_cli(database_url, "rollups", "verify", check=False)
    lines = (result.stdout + result.stderr).strip().splitlines()
    return {"passed": result.returncode == 0, "exit_code": result.returncode, "output": lines[-5:]}


# --- the run ------------------------------------------------------------------------------


async def create_database(cluster: Cluster) -> str:
    connection = await asyncpg.connect(asyncpg_dsn(cluster.url()))
    try:
        await connection.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await connection.close()
    return cluster.url(DATABASE)


async def run(
    args: argparse.Namespace, cluster: Cluster, database_url: str, fleet: Fleet, admin_key: str
) -> dict[str, Any]:
    log(billgraph_cli(database_url, "db", "upgrade").stdout.strip())
    for index in range(len(fleet.ports)):
        fleet.start(index)
    for index in range(len(fleet.ports)):
        await asyncio.to_thread(fleet.wait_healthy, index)
    log(f"{len(fleet.ports)} billgraph serve processes on ports {fleet.ports}")
    limits = httpx.Limits(max_connections=args.clients * len(PATHS) + 16)
    timeout = httpx.Timeout(args.request_timeout, connect=5.0)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        url = fleet.base_url(0)
        created = await graphql(client, url, admin_key, KEY_MUTATION)
        ingest_key = created["createApiKey"]["secret"]
        endpoint, how = await has_ingest_endpoint(client, url, ingest_key)
        paths = [path for path in PATHS if endpoint or path != "v1_usage"]
        log(f"POST /v1/usage: {'used' if endpoint else 'not used'} ({how})")
        load = Load(args, fleet, ingest_key, paths)
        for model, price in load.prices.items():
            await graphql(
                client, url, admin_key, PRICING_MUTATION, {"input": price.as_input(model)}
            )
        log(f"load: {args.clients} clients per path on {paths} for {args.duration} s")
        load.started = time.monotonic()
        load.load_until = load.started + args.duration
        clients = [
            asyncio.create_task(load.client_loop(client, path, number))
            for path in paths
            for number in range(args.clients)
        ]
        fault_error = None
        try:
            await load.faults(cluster)
        except Exception as error:  # reported in the JSON, and the run exits 1
            fault_error = f"{type(error).__name__}: {error}"
            log(f"fault injection failed: {fault_error}")
            load.load_until = 0.0
        await asyncio.gather(*clients)
        load_seconds = load.now()
        log(f"load over after {load_seconds:.1f} s; {len(load.records)} records sent")
        if fault_error is None:
            await load.settle(client)
        rows = await stored_rows(database_url)
        sums = await stored_sums(database_url)
        checked = check_database(load, rows, sums)
        expected = checked["totals"]["columns"]
        report = await summary_check(
            client, url, admin_key,
            {column: entry["expected_of_stored"] for column, entry in expected.items()},
            sums["rows"],
        )  # fmt: skip
    verify = verify_rollups(database_url)
    records = checked["records"]
    passed = (
        records["lost"] == 0
        and records["duplicated"] == 0
        and checked["totals"]["equal"]
        and report["equal"]
        and verify["passed"]
        and fault_error is None
    )
    first_acknowledged = [a.ended for a in load.attempts if a.kind == "ok"]
    return {
        "benchmark": "load_fault",
        **run_facts(),
        "settings": {
            "duration_s": args.duration,
            "servers": len(fleet.ports),
            "clients_per_path": args.clients,
            "batch_size": args.batch_size,
            "models": args.models,
            "users": args.users,
            "max_attempts": args.max_attempts,
            "request_timeout_s": args.request_timeout,
        },
        "paths": {
            "v1_usage": f"used ({how})" if endpoint else f"not used: {how}",
            "graphql_batch": "used (recordUsageBatch)",
            "graphql_single": "used (recordUsage)",
        },
        "passed": passed,
        **checked,
        "report_costSummary": report,
        "rollups_verify": verify,
        "load_seconds": round(load_seconds, 2),
        "acknowledged_records_per_second": round(
            len(load.acknowledged) / max(load_seconds, 1e-9), 1
        ),
        "first_acknowledgement_s": round(min(first_acknowledged), 2)
        if first_acknowledged
        else None,
        "attempts": len(load.attempts),
        "failed_attempts": sum(a.kind != "ok" for a in load.attempts),
        "failures_by_kind": load.failures_by_kind(),
        "by_path": load.path_report(),
        "faults": {**load.fault_report(), "error": fault_error},
        "server_log_counts": fleet.log_counts(),
        "server_exceptions": fleet.logged_exceptions(),
    }


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (60)")
    parser.add_argument("--servers", type=int, default=2, help="billgraph serve processes (2)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients per path (4)")
    parser.add_argument("--batch-size", type=int, default=100, help="records per batch request")
    parser.add_argument("--models", type=int, default=8, help="distinct models, each priced")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--max-attempts", type=int, default=20, help="sends per request, at most")
    parser.add_argument("--request-timeout", type=float, default=30.0, help="seconds")
    parser.add_argument("--kill-at", type=float, default=0.25, help="fraction of --duration")
    parser.add_argument("--db-restart-at", type=float, default=0.55, help="fraction of --duration")
    parser.add_argument("--db-restart-mode", choices=("fast", "immediate"), default="fast")
    parser.add_argument(
        "--tail", type=float, default=3.0, help="load seconds after the DB is up, at least"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, help="also write the JSON to this file")
    parser.add_argument("--keep-logs", type=Path, help="copy the servers' logs to this directory")
    args = parser.parse_args()
    if args.servers < 1 or args.clients < 1 or args.duration <= 0:
        parser.error("--servers, --clients and --duration must be positive")
    return args


def _interrupted(signum: int, frame: FrameType | None) -> None:
    del frame
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    args = parse_arguments()
    signal.signal(signal.SIGTERM, _interrupted)
    admin_key = "load-fault-admin-" + uuid.uuid4().hex
    try:
        with own_cluster() as cluster:
            log(f"own PostgreSQL cluster in {cluster.root} on port {cluster.port}")
            database_url = asyncio.run(create_database(cluster))
            with fleet_of(database_url, admin_key, args.servers, args.keep_logs) as fleet:
                result = asyncio.run(run(args, cluster, database_url, fleet, admin_key))
    except KeyboardInterrupt:
        log("interrupted: servers stopped, cluster removed")
        return 130
    log("servers stopped, cluster removed")
    print_result(result, args.output)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
