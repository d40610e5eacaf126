"""Batch ingest throughput: recordUsageBatch over HTTP into PostgreSQL, against raw asyncpg.

Creates a scratch PostgreSQL database, an INGEST key (`billgraph keys create`), and a
`billgraph serve` subprocess, then posts batches of 1000 records (one warm-up batch
first): sequentially from one client, then from several concurrent clients. In the same
run it inserts the very rows billgraph stored into a plain copy of api_usage_logs with
asyncpg `executemany`, one batch per call, and prints records per second of each and
their ratio as one JSON object.

    .venv/bin/python benchmarks/ingest.py --batches 50 --clients 2
"""

import argparse
import asyncio
import json
import random
import sys
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
    run_facts,
    scratch_postgres,
)

TARGET_RECORDS_PER_SECOND = 10_000
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
    return json.dumps({"query": MUTATION, "variables": {"inputs": inputs}}).encode()


async def post_batches(
    client: httpx.AsyncClient, url: str, bodies: list[bytes], durations: list[float]
) -> int:
    """Post batches one after another; return how many records they created."""
    created = 0
    for body in bodies:
        started = time.perf_counter()
        response = await client.post(url, content=body)
        durations.append(time.perf_counter() - started)
        created += graphql_payload(response)["recordUsageBatch"]["created"]
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


async def force_custom_plans(database_url: str) -> None:
    """Make every session of the scratch database plan each statement for its values.

    A diagnostic: it shows what ingest costs when PostgreSQL never switches a reused
    prepared statement to a generic plan (see benchmarks/README.md).
    """
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        name = database_url.rsplit("/", 1)[1]
        await connection.execute(f'ALTER DATABASE "{name}" SET plan_cache_mode = force_custom_plan')
    finally:
        await connection.close()


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    generator = random.Random(args.seed)
    async with scratch_postgres() as url:
        if args.force_custom_plans:
            await force_custom_plans(url)
        database_facts = await postgres_facts(url)
        output = billgraph_cli(url, "keys", "create", "--name", "bench-ingest", "--scope", "ingest")
        secret = output.split("secret (shown once):", 1)[1].split()[0]
        with billgraph_server(url) as server:
            headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
            async with httpx.AsyncClient(headers=headers, timeout=300) as client:
                warm_up = [batch_body(generator, "warm", 0, args.batch_size)]
                await timed_ingest(client, server.url, warm_up, clients=1)
                runs = {}
                for clients in sorted({1, args.clients}):
                    phase = f"c{clients}"
                    bodies = [
                        batch_body(generator, phase, number, args.batch_size)
                        for number in range(args.batches)
                    ]
                    log(f"{args.batches} batches of {args.batch_size}, {clients} client(s)")
                    runs[phase] = await timed_ingest(client, server.url, bodies, clients)
            memory = server.memory_mb()
        log("raw asyncpg executemany of the same rows")
        raw = await raw_executemany(url, "c1", args.batch_size)
    sequential = runs["c1"]
    concurrent = runs.get(f"c{args.clients}") if args.clients > 1 else None
    best = max(run["records_per_second"] for run in runs.values())
    return {
        "benchmark": "ingest",
        **run_facts(),
        "database": "postgres",
        "database_facts": database_facts,
        "batch_size": args.batch_size,
        "billgraph_sequential": sequential,
        "billgraph_concurrent": concurrent,
        "raw_asyncpg_executemany": raw,
        "raw_over_billgraph_sequential": round(
            raw["records_per_second"] / sequential["records_per_second"], 2
        ),
        "server_memory": memory,
        "targets": {
            "records_per_second_at_least": TARGET_RECORDS_PER_SECOND,
            "sequential_met": sequential["records_per_second"] >= TARGET_RECORDS_PER_SECOND,
            "best_met": best >= TARGET_RECORDS_PER_SECOND,
        },
    }


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=2, help="concurrent run; 1: skip it")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--force-custom-plans",
        action="store_true",
        help="diagnostic: ALTER DATABASE ... SET plan_cache_mode = force_custom_plan first",
    )
    parser.add_argument("--output", type=Path, help="also write the JSON to this file")
    return parser.parse_args()


async def main() -> int:
    args = parse_arguments()
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = await measure(args)
    text = json.dumps(result, indent=2)
    print(text)
    if args.output:
        args.output.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
