"""Single-record ingest: billgraph's recordUsage against a minimal FastAPI + asyncpg endpoint.

The baseline is what a user could write in an afternoon: one FastAPI route taking the
same JSON record (a pydantic model), pricing it at a fixed price, and doing the same
single-row INSERT into `api_usage_logs` (every column recordUsage writes) through an
asyncpg pool, served by uvicorn exactly as `billgraph serve` serves billgraph
(`uvicorn.run(app, host, port, log_level="info")`, one process, the same pool size as
billgraph's Tortoise default of 1 to 5 connections, the same `plan_cache_mode`). No auth,
no idempotency check, no rollups: it is the ceiling the issue's target is measured against.

Both run in the same scratch PostgreSQL database (created and dropped, like the test
suite does) on TEST_DATABASE_URL's server, or with `--own-cluster` on a cluster of its
own (initdb, removed afterwards; away from other work's checkpoints), one after the
other in alternating rounds, each from 8 concurrent clients (asyncio + httpx,
keep-alive). Prints requests per second of each, the ratio billgraph / baseline (target:
at least 0.5), latencies, failures by kind, and how busy the driver itself was (a driver
near 100 % of a core understates both).

    .venv/bin/python benchmarks/baseline_single_insert.py --requests 2000 --rounds 3
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import uvicorn
from fastapi import FastAPI
from harness import (
    ADMIN_KEY,
    DEFAULT_POSTGRES_SERVER,
    RESULTS,
    asyncpg_dsn,
    billgraph_cli,
    billgraph_server,
    free_port,
    latency_summary,
    log,
    postgres_facts,
    print_result,
    run_facts,
    scratch_postgres,
)
from pg_cluster import own_cluster
from pydantic import BaseModel

TARGET_RATIO = 0.5
MODEL = "baseline-model"
INPUT_PRICE_PICO = 2_500_000  # 0.0000025 USD per input token
OUTPUT_PRICE_PICO = 10_000_000  # 0.00001 USD per output token
POOL_MIN_SIZE, POOL_MAX_SIZE = 1, 5  # Tortoise's asyncpg defaults, which billgraph uses
SINGLE_MUTATION = """
mutation Record($input: RecordUsageInput!) {
  recordUsage(input: $input) { id costTotal }
}"""
PRICING_MUTATION = """
mutation Price($input: PricingInput!) { upsertPricing(input: $input) { id } }"""
KEY_MUTATION = """
mutation Key { createApiKey(input: {name: "baseline-bench", scopes: [INGEST]}) { secret } }"""
INSERT = """
INSERT INTO api_usage_logs (
    request_id, user_id, provider, model, tokens_input, tokens_output, tokens_cached_input,
    tokens_cache_write, tokens_reasoning, input_token_cost_pico, output_token_cost_pico,
    cached_input_token_cost_pico, cache_write_token_cost_pico, reasoning_token_cost_pico,
    cost_input_pico, cost_output_pico, cost_cached_input_pico, cost_cache_write_pico,
    cost_reasoning_pico, cost_total_pico, pricing_source, matched_model_name, pricing_id,
    occurred_at, recorded_at
) VALUES (
    $1, $2, $3, $4, $5, $6, 0, 0, 0, $7, $8, $7, $7, $8, $9, $10, 0, 0, 0, $11, 'EXACT', $4,
    NULL, $12, $13
) RETURNING id"""


# --- the baseline server ------------------------------------------------------------------


class UsageIn(BaseModel):
    """The record as clients send it (the camelCase fields of RecordUsageInput)."""

    provider: str
    model: str
    tokensInput: int  # noqa: N815  (the wire format's names)
    tokensOutput: int  # noqa: N815
    requestId: str  # noqa: N815
    userId: str | None = None  # noqa: N815
    occurredAt: datetime | None = None  # noqa: N815


def baseline_app(database_url: str) -> FastAPI:
    """Return the minimal app: POST /usage inserts one row; GET /healthz answers."""
    pools: list[asyncpg.Pool] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        del app
        pool = await asyncpg.create_pool(
            asyncpg_dsn(database_url),
            min_size=POOL_MIN_SIZE,
            max_size=POOL_MAX_SIZE,
            server_settings={"plan_cache_mode": "force_custom_plan"},
        )
        pools.append(pool)
        try:
            yield
        finally:
            await pool.close()

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/usage")
    async def record(usage: UsageIn) -> dict[str, Any]:
        now = datetime.now(UTC)
        cost_input = usage.tokensInput * INPUT_PRICE_PICO
        cost_output = usage.tokensOutput * OUTPUT_PRICE_PICO
        total = cost_input + cost_output
        log_id = await pools[0].fetchval(
            INSERT,
            usage.requestId,
            usage.userId,
            usage.provider,
            usage.model,
            usage.tokensInput,
            usage.tokensOutput,
            INPUT_PRICE_PICO,
            OUTPUT_PRICE_PICO,
            cost_input,
            cost_output,
            total,
            usage.occurredAt or now,
            now,
        )
        return {"id": str(log_id), "costTotal": format(Decimal(total).scaleb(-12), "f")}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def serve_baseline(port: int) -> None:
    """Serve the baseline the way `billgraph serve` serves billgraph."""
    uvicorn.run(
        baseline_app(os.environ["DATABASE_URL"]), host="127.0.0.1", port=port, log_level="info"
    )


@contextmanager
def baseline_server(database_url: str) -> Iterator[tuple[int, str]]:
    """Start the baseline in a subprocess; yield its pid and base URL; stop it afterwards."""
    port = free_port()
    with tempfile.TemporaryFile() as server_log:
        process = subprocess.Popen(  # noqa: S603  (this very script, arguments we built)
            [sys.executable, __file__, "--serve-baseline", str(port)],
            env={**os.environ, "DATABASE_URL": database_url},
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    server_log.seek(0)
                    tail = server_log.read().decode(errors="replace")[-3000:]
                    raise RuntimeError(f"the baseline server did not start:\n{tail}")
                with suppress(httpx.TransportError):
                    if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                        break
                time.sleep(0.1)
            log(f"baseline server (pid {process.pid}) on port {port}")
            yield process.pid, url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def peak_rss_mb(pid: int) -> float | None:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


# --- the driver ---------------------------------------------------------------------------


def record(phase: str, client: int, number: int) -> dict[str, Any]:
    """One record; the same shape for both servers."""
    return {
        "provider": "OPENAI",
        "model": MODEL,
        "tokensInput": 1000 + (number * 37) % 5000,
        "tokensOutput": 100 + (number * 11) % 900,
        "requestId": f"{phase}-{client}-{number}",
        "userId": f"user-{(client * 7 + number) % 50}",
        "occurredAt": datetime.now(UTC).isoformat(),
    }


def failure_kind(response: httpx.Response) -> str | None:
    """None for a stored record; else what went wrong."""
    if response.status_code != 200:
        return f"http_{response.status_code}"
    body = response.json()
    if isinstance(body, dict) and body.get("errors"):
        return "graphql:" + str((body["errors"][0].get("extensions") or {}).get("code"))
    return None


async def drive(
    http: httpx.AsyncClient,
    *,
    target: str,
    url: str,
    headers: dict[str, str],
    phase: str,
    requests: int,
    clients: int,
) -> dict[str, Any]:
    """Send `requests` records from `clients` concurrent clients; return the figures."""
    durations: list[float] = []
    failures = Counter[str]()

    async def client(number: int) -> None:
        for index in range(number, requests, clients):
            item = record(phase, number, index)
            body = (
                {"query": SINGLE_MUTATION, "variables": {"input": item}}
                if target == "billgraph"
                else item
            )
            started = time.perf_counter()
            try:
                response = await http.post(url, json=body, headers=headers)
                kind = failure_kind(response)
            except httpx.TransportError as error:
                kind = f"connection_error:{type(error).__name__}"
            durations.append(time.perf_counter() - started)
            if kind:
                failures[kind] += 1

    cpu_before = time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(client(number) for number in range(clients)))
    elapsed = time.perf_counter() - started
    stored = requests - sum(failures.values())
    return {
        "requests": requests,
        "stored": stored,
        "seconds": round(elapsed, 3),
        "requests_per_second": round(stored / elapsed, 1),
        "latency": latency_summary(durations),
        "failures_by_kind": dict(failures),
        "driver_cpu_share": round((time.process_time() - cpu_before) / elapsed, 2),
    }


async def measure(args: argparse.Namespace, server_url: str) -> dict[str, Any]:
    async with scratch_postgres(server_url) as database_url:
        facts = await postgres_facts(database_url)
        log(billgraph_cli(database_url, "db", "upgrade").strip())
        limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
        async with httpx.AsyncClient(limits=limits, timeout=60) as http:
            with (
                billgraph_server(database_url) as billgraph,
                baseline_server(database_url) as (
                    baseline_pid,
                    baseline_url,
                ),
            ):
                base = billgraph.url  # .../graphql
                admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
                price = {
                    "provider": "OPENAI",
                    "modelName": MODEL,
                    "inputTokenCost": format(Decimal(INPUT_PRICE_PICO).scaleb(-12), "f"),
                    "outputTokenCost": format(Decimal(OUTPUT_PRICE_PICO).scaleb(-12), "f"),
                    "effectiveFrom": "2000-01-01T00:00:00+00:00",
                }
                for query, variables in ((PRICING_MUTATION, {"input": price}), (KEY_MUTATION, {})):
                    response = await http.post(
                        base, json={"query": query, "variables": variables}, headers=admin
                    )
                    if failure_kind(response):
                        raise RuntimeError(f"set-up failed: {response.text}")
                secret = response.json()["data"]["createApiKey"]["secret"]
                targets = {
                    "billgraph": (base, {"Authorization": f"Bearer {secret}"}),
                    "baseline": (baseline_url + "/usage", {}),
                }
                common = {"requests": args.warmup, "clients": args.clients}
                for name, (url, headers) in targets.items():
                    await drive(
                        http, target=name, url=url, headers=headers, phase=f"warm-{name}", **common
                    )
                rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
                common["requests"] = args.requests
                for number in range(args.rounds):
                    order = list(targets) if number % 2 == 0 else list(reversed(targets))
                    for name in order:
                        url, headers = targets[name]
                        log(f"round {number + 1}: {name}, {args.requests} requests")
                        rounds[name].append(
                            await drive(
                                http,
                                target=name,
                                url=url,
                                headers=headers,
                                phase=f"{name}-{number}",
                                **common,
                            )
                        )
                memory = {
                    "billgraph_peak_rss_mb": billgraph.memory_mb()["peak_rss_mb"],
                    "baseline_peak_rss_mb": peak_rss_mb(baseline_pid),
                }
    medians = {
        name: statistics.median(run["requests_per_second"] for run in runs)
        for name, runs in rounds.items()
    }
    ratio = medians["billgraph"] / medians["baseline"]
    return {
        "benchmark": "baseline_single_insert",
        **run_facts(),
        "database": "postgres, "
        + ("a cluster of its own" if args.own_cluster else "shared server"),
        "database_facts": facts,
        "clients": args.clients,
        "requests_per_round": args.requests,
        "rounds": args.rounds,
        "billgraph_recordUsage": {
            "median_requests_per_second": medians["billgraph"],
            "runs": rounds["billgraph"],
        },
        "baseline_fastapi_asyncpg": {
            "median_requests_per_second": medians["baseline"],
            "runs": rounds["baseline"],
        },
        "ratio_billgraph_over_baseline": round(ratio, 3),
        "target": {"ratio_at_least": TARGET_RATIO, "met": ratio >= TARGET_RATIO},
        "server_memory": memory,
    }


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="per round and server")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument("--warmup", type=int, default=200, help="requests per server first")
    parser.add_argument(
        "--own-cluster",
        action="store_true",
        help="use a PostgreSQL cluster of its own (initdb) instead of TEST_DATABASE_URL's server",
    )
    parser.add_argument("--output", type=Path, help="also write the JSON to this file")
    parser.add_argument("--serve-baseline", type=int, metavar="PORT", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> int:
    args = parse_arguments()
    if args.serve_baseline is not None:
        serve_baseline(args.serve_baseline)
        return 0
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.own_cluster:
        with own_cluster() as cluster:
            result = asyncio.run(measure(args, cluster.url()))
    else:
        result = asyncio.run(measure(args, DEFAULT_POSTGRES_SERVER))
    print_result(result, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
