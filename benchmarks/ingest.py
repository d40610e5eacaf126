"""Ingest throughput: POST /v1/usage and recordUsageBatch into PostgreSQL, SQLite, raw asyncpg.

Creates a scratch PostgreSQL database, an INGEST key (`billgraph keys create`), and a
`billgraph serve` subprocess, then sends (after a warm-up):

- POST /v1/usage with `--http-batch-size` records per request (default 2000), from one
  client and from `--clients` concurrent clients; after each run it waits until the
  server has folded the run's logs into the rollups, and also counts the rate until then;
- recordUsageBatch over GraphQL with `--batch-size` records (default 1000), likewise;
- in the same run, the very rows billgraph stored through the endpoint, inserted into a
  plain copy of api_usage_logs with asyncpg `executemany`, one request's rows per call;
- POST /v1/usage into a SQLite file, with a server of its own;
- in this process, one 10,000-record body through decoding, validation, pricing and the
  write, with a probe that records the event loop's longest stall meanwhile.

Prints records per second of each, their ratios, each server's peak RSS and the targets
as one JSON object.

    .venv/bin/python benchmarks/ingest.py --requests 20 --batches 20 --clients 2
"""

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from harness import (
    RESULTS,
    asyncpg_dsn,
    billgraph_cli,
    billgraph_server,
    graphql_payload,
    latency_summary,
    log,
    postgres_facts,
    print_result,
    run_facts,
    scratch_postgres,
)
from tortoise.context import TortoiseContext

from billgraph.app import environment_prices_of
from billgraph.db import tortoise_config
from billgraph.http.usage_decoding import JSON, decode_records, split_records
from billgraph.services.api_keys import SYSTEM
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.usage import record_usage_batch
from billgraph.settings import load_settings

TARGETS = {
    "endpoint_postgres_records_per_second": 20_000,
    "endpoint_over_raw_executemany": 0.5,
    "graphql_batch_records_per_second": 6_000,
    "endpoint_sqlite_records_per_second": 10_000,
    "server_peak_rss_mb_below": 300,
}
MUTATION = """
mutation Ingest($inputs: [RecordUsageInput!]!) {
  recordUsageBatch(inputs: $inputs) { created replayed }
}"""
# (provider, model): priced by an exact row, by a short name, or by the chain's fallbacks.
MODELS = [
    ("OPENAI", "gpt-4o"),
    ("OPENAI", "gpt-4o-mini"),
    ("ANTHROPIC", "claude-sonnet-4"),
    ("HUGGINGFACE", "openai/gpt-oss-120b:groq"),
    ("HUGGINGFACE", "meta-llama/Llama-3.1-8B-Instruct:novita"),
    ("XAI", "grok-experimental"),
]


def batch_body(generator: random.Random, phase: str, number: int, size: int) -> bytes:
    """Return the JSON body of one recordUsageBatch call with `size` new records."""
    return json.dumps(
        {"query": MUTATION, "variables": {"inputs": records(generator, phase, number, size)}}
    ).encode()


def http_body(generator: random.Random, phase: str, number: int, size: int) -> bytes:
    """Return the JSON body of one POST /v1/usage with `size` new records."""
    return json.dumps(records(generator, phase, number, size)).encode()


def records(generator: random.Random, phase: str, number: int, size: int) -> list[dict[str, Any]]:
    """Return `size` new records whose request ids start with `phase`."""
    now = datetime.now(UTC)
    inputs = []
    for index in range(size):
        provider, model = generator.choice(MODELS)
        occurred_at = now - timedelta(seconds=generator.randrange(24 * 3600))
        inputs.append(
            {
                "provider": provider,
                "model": model,
                "tokensInput": int(generator.lognormvariate(7, 1.1)),
                "tokensOutput": int(generator.lognormvariate(5.5, 1.0)),
                "requestId": f"{phase}-{number}-{index}",
                "userId": f"user-{generator.randrange(500):05d}",
                "occurredAt": occurred_at.isoformat(),
            }
        )
    return inputs


async def post_batches(
    client: httpx.AsyncClient, url: str, bodies: list[bytes], durations: list[float]
) -> int:
    """Post batches one after another; return how many records they created."""
    created = 0
    for body in bodies:
        started = time.perf_counter()
        response = await client.post(url, content=body)
        durations.append(time.perf_counter() - started)
        if url.endswith("/graphql"):
            created += graphql_payload(response)["recordUsageBatch"]["created"]
        else:
            if response.status_code != 200:
                raise RuntimeError(f"HTTP {response.status_code}: {response.text[:500]}")
            created += response.json()["created"]
    return created


async def timed_ingest(
    client: httpx.AsyncClient, url: str, bodies: list[bytes], clients: int
) -> dict[str, Any]:
    """Post `bodies` from `clients` concurrent senders; return throughput and latencies."""
    durations: list[float] = []
    started = time.perf_counter()
    created = await asyncio.gather(
        *(
            post_batches(client, url, bodies[offset::clients], durations)
            for offset in range(clients)
        )
    )
    elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "batches": len(bodies),
        "records": sum(created),
        "seconds": round(elapsed, 3),
        "records_per_second": round(sum(created) / elapsed),
        "batch_latency": latency_summary(durations),
        "batch_ms_in_order": [round(duration * 1000) for duration in durations],
    }


async def raw_executemany(database_url: str, phase: str, batch_size: int) -> dict[str, Any]:
    """Insert the rows billgraph stored for `phase` into a plain copy table with asyncpg."""
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await connection.execute(
            "CREATE TABLE usage_copy (LIKE api_usage_logs INCLUDING DEFAULTS INCLUDING INDEXES "
            "INCLUDING CONSTRAINTS)"
        )
        rows = await connection.fetch(
            "SELECT * FROM api_usage_logs WHERE request_id LIKE $1 ORDER BY id", f"{phase}-%"
        )
        columns = [name for name in rows[0].keys() if name != "id"]  # noqa: SIM118  (Record)
        placeholders = ", ".join(f"${index}" for index in range(1, len(columns) + 1))
        insert = f"INSERT INTO usage_copy ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
        values = [tuple(row[name] for name in columns) for row in rows]
        started = time.perf_counter()
        for offset in range(0, len(values), batch_size):
            await connection.executemany(insert, values[offset : offset + batch_size])
        elapsed = time.perf_counter() - started
        copied = await connection.fetchval("SELECT COUNT(*) FROM usage_copy")
    finally:
        await connection.close()
    return {
        "records": copied,
        "seconds": round(elapsed, 3),
        "records_per_second": round(copied / elapsed),
        "table": "usage_copy (LIKE api_usage_logs, with its indexes and constraints)",
    }


async def wait_until_folded(database_url: str) -> dict[str, Any]:
    """Wait until the server's folder has added every log to the rollups (PostgreSQL);
    return how many were still pending at the last answer and how long they took."""
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        started = time.perf_counter()
        pending = await connection.fetchval("SELECT COUNT(*) FROM usage_rollup_pending")
        left = pending
        while left:
            await asyncio.sleep(0.01)
            left = await connection.fetchval("SELECT COUNT(*) FROM usage_rollup_pending")
        return {
            "pending_at_last_answer": pending,
            "seconds_until_folded": round(time.perf_counter() - started, 3),
        }
    finally:
        await connection.close()


async def run_phases(
    client: httpx.AsyncClient,
    url: str,
    *,
    make_body: Any,
    generator: random.Random,
    prefix: str,
    count: int,
    size: int,
    clients: int,
    database_url: str | None = None,
) -> dict[str, Any]:
    """Send `count` requests of `size` new records from 1 and from `clients` senders.

    With `database_url` (PostgreSQL), each run also waits until its logs are folded into
    the rollups, and reports the rate counted up to then as well.
    """
    await timed_ingest(client, url, [make_body(generator, f"{prefix}warm", 0, size)], clients=1)
    if database_url:
        await wait_until_folded(database_url)
    runs = {}
    for senders in sorted({1, clients}):
        phase = f"{prefix}c{senders}"
        bodies = [make_body(generator, phase, number, size) for number in range(count)]
        log(f"{url}: {count} requests of {size}, {senders} client(s)")
        result = await timed_ingest(client, url, bodies, senders)
        result.pop("batch_ms_in_order")
        if database_url:
            folding = await wait_until_folded(database_url)
            seconds = result["seconds"] + folding["seconds_until_folded"]
            result["folding"] = {
                **folding,
                "records_per_second_folded": round(result["records"] / seconds),
            }
        runs[f"clients_{senders}"] = result
    return runs


async def loop_stall_probe(database_url: str, size: int) -> dict[str, Any]:
    """Decode, validate, price and write one `size`-record body in this process while a
    probe measures how late the event loop runs a 1 ms timer (its longest stall)."""

    body = http_body(random.Random(3), "stall", 0, size)
    settings = load_settings(database_url=database_url)
    stalls: list[float] = []
    holds: list[float] = []
    done = asyncio.Event()

    async def probe() -> None:
        # Wall-clock lateness includes time the OS gave other processes (a busy machine);
        # the thread's CPU time between two probe runs is what the loop itself held.
        while not done.is_set():
            started, cpu_started = time.perf_counter(), time.thread_time()
            await asyncio.sleep(0.001)
            stalls.append(time.perf_counter() - started - 0.001)
            holds.append(time.thread_time() - cpu_started)

    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(database_url))
        cache = PricingCache()
        await cache.snapshot()
        watcher = asyncio.create_task(probe())
        await asyncio.sleep(0.05)
        started = time.perf_counter()
        usages = await decode_records(split_records(body, JSON))
        result = await record_usage_batch(
            usages=usages,
            now=datetime.now(UTC),
            environment_prices=environment_prices_of(settings),
            cache=cache,
            caller=SYSTEM,
            max_size=size,
        )
        elapsed = time.perf_counter() - started
        done.set()
        await watcher
    return {
        "records": result.created,
        "seconds": round(elapsed, 3),
        "longest_loop_stall_wall_ms": round(max(stalls) * 1000, 2),
        "longest_loop_hold_cpu_ms": round(max(holds) * 1000, 2),
        "loop_holds_over_5ms_cpu": sum(hold > 0.005 for hold in holds),
    }


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    generator = random.Random(args.seed)
    async with scratch_postgres() as url:
        database_facts = await postgres_facts(url)
        output = billgraph_cli(url, "keys", "create", "--name", "bench-ingest", "--scope", "ingest")
        secret = output.split("secret (shown once):", 1)[1].split()[0]
        headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
        with billgraph_server(url) as server:
            base = server.url.removesuffix("/graphql")
            async with httpx.AsyncClient(headers=headers, timeout=300) as client:
                endpoint = await run_phases(
                    client,
                    f"{base}/v1/usage",
                    make_body=http_body,
                    generator=generator,
                    prefix="http-",
                    count=args.requests,
                    size=args.http_batch_size,
                    clients=args.clients,
                    database_url=url,
                )
                graphql = await run_phases(
                    client,
                    server.url,
                    make_body=batch_body,
                    generator=generator,
                    prefix="gql-",
                    count=args.batches,
                    size=args.batch_size,
                    clients=args.clients,
                    database_url=url,
                )
            postgres_memory = server.memory_mb()
        log("raw asyncpg executemany of the rows the endpoint stored")
        raw = await raw_executemany(url, "http-c1", args.http_batch_size)
        log(f"event loop probe: one {args.stall_size}-record body in this process")
        stall = await loop_stall_probe(url, args.stall_size)
    with tempfile.TemporaryDirectory() as directory:
        sqlite_url = f"sqlite://{Path(directory) / 'bench.sqlite3'}"
        output = billgraph_cli(sqlite_url, "keys", "create", "--name", "bench", "--scope", "ingest")
        secret = output.split("secret (shown once):", 1)[1].split()[0]
        headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
        with billgraph_server(sqlite_url) as server:
            base = server.url.removesuffix("/graphql")
            async with httpx.AsyncClient(headers=headers, timeout=300) as client:
                sqlite = await run_phases(
                    client,
                    f"{base}/v1/usage",
                    make_body=http_body,
                    generator=generator,
                    prefix="sqlite-",
                    count=args.requests,
                    size=args.http_batch_size,
                    clients=1,
                )
            sqlite_memory = server.memory_mb()
    best_endpoint = max(run["records_per_second"] for run in endpoint.values())
    best_graphql = max(run["records_per_second"] for run in graphql.values())
    sqlite_rate = sqlite["clients_1"]["records_per_second"]
    ratio = round(endpoint["clients_1"]["records_per_second"] / raw["records_per_second"], 2)
    folded = endpoint["clients_1"]["folding"]["records_per_second_folded"]
    folded_ratio = round(folded / raw["records_per_second"], 2)
    peak = max(postgres_memory["peak_rss_mb"], sqlite_memory["peak_rss_mb"])
    return {
        "benchmark": "ingest",
        **run_facts(),
        "database_facts": database_facts,
        "http_batch_size": args.http_batch_size,
        "graphql_batch_size": args.batch_size,
        "endpoint_postgres": endpoint,
        "raw_asyncpg_executemany": raw,
        "endpoint_sequential_over_raw_executemany": ratio,
        # The same, counted until the server had also folded those logs into the rollups.
        "endpoint_sequential_folded_over_raw_executemany": folded_ratio,
        "graphql_batch_postgres": graphql,
        "endpoint_sqlite": sqlite,
        "event_loop_probe": stall,
        "server_memory": {"postgres": postgres_memory, "sqlite": sqlite_memory},
        "targets": {
            **TARGETS,
            "endpoint_postgres_met": best_endpoint
            >= TARGETS["endpoint_postgres_records_per_second"],
            "endpoint_over_raw_met": ratio >= TARGETS["endpoint_over_raw_executemany"],
            "graphql_batch_met": best_graphql >= TARGETS["graphql_batch_records_per_second"],
            "endpoint_sqlite_met": sqlite_rate >= TARGETS["endpoint_sqlite_records_per_second"],
            "server_peak_rss_met": peak < TARGETS["server_peak_rss_mb_below"],
        },
    }


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20, help="POST /v1/usage requests")
    parser.add_argument("--http-batch-size", type=int, default=2000)
    parser.add_argument("--batches", type=int, default=20, help="recordUsageBatch calls")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=2, help="concurrent run; 1: skip it")
    parser.add_argument("--stall-size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, help="also write the JSON to this file")
    return parser.parse_args()


async def main() -> int:
    args = parse_arguments()
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = await measure(args)
    print_result(result, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
