"""Throughput per worker count: ingest batches, single records and reports.

For each worker count, a scratch PostgreSQL database and `billgraph serve --workers N`;
then, each for `--seconds` with `--concurrency` clients at once: `recordUsageBatch` of
100 records, single `recordUsage` calls, and `costReport(groupBy: [DAY, MODEL])` over
whole UTC days (rollups). Beside each figure, the CPU seconds per second used by the
billgraph processes and by the PostgreSQL backends of the database (from /proc), which
shows which side saturates. Prints one JSON object.

    .venv/bin/python benchmarks/workers.py --workers 1 2 4 --seconds 10 --concurrency 8
"""

import argparse
import asyncio
import json
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from harness import (
    ADMIN_KEY,
    asyncpg_dsn,
    billgraph_server,
    graphql_payload,
    latency_summary,
    log,
    run_facts,
    scratch_postgres,
)

BATCH = (
    """mutation ($inputs: [RecordUsageInput!]!) { recordUsageBatch(inputs: $inputs) { created } }"""
)
SINGLE = """mutation ($input: RecordUsageInput!) { recordUsage(input: $input) { id } }"""
REPORT = """query ($from: DateTime!, $to: DateTime!) {
  costReport(groupBy: [DAY, MODEL], filter: {from: $from, to: $to}) {
    totals { costTotal requests }
  }
}"""
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / TICKS


def process_tree(root: int) -> list[int]:
    children = {root}
    for path in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = path.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == root:
            children.add(int(path.parent.name))
    return sorted(children)


async def backend_pids(database_url: str) -> list[int]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        name = database_url.rsplit("/", 1)[1]
        rows = await connection.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", name)
    finally:
        await connection.close()
    return [row["pid"] for row in rows]


def usage(index: int) -> dict[str, Any]:
    return {
        "provider": "OPENAI",
        "model": f"model-{index % 5}",
        "userId": f"user-{index % 50}",
        "tokensInput": 1000 + index % 100,
        "tokensOutput": 200,
        "requestId": uuid.uuid4().hex,
    }


async def phase(
    url: str, concurrency: int, seconds: float, call: Callable[[httpx.AsyncClient], Awaitable[int]]
) -> dict[str, Any]:
    latencies: list[float] = []
    units = 0
    deadline = time.monotonic() + seconds

    async def client_loop() -> None:
        nonlocal units
        headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as client:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                done = await call(client)  # `units += await ...` would lose updates
                units += done
                latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(client_loop() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {"per_second": round(units / elapsed, 1), "latency": latency_summary(latencies)}


async def measure(workers: int, seconds: float, concurrency: int) -> dict[str, Any]:
    async with scratch_postgres() as database_url:
        with billgraph_server(database_url, workers=workers) as server:
            graphql = server.url
            base = graphql.removesuffix("/graphql")
            counter = iter(range(10**9))

            async def batch(client: httpx.AsyncClient) -> int:
                inputs = [usage(next(counter)) for _ in range(100)]
                graphql_payload(
                    await client.post(
                        graphql, json={"query": BATCH, "variables": {"inputs": inputs}}
                    )
                )
                return 100

            async def single(client: httpx.AsyncClient) -> int:
                variables = {"input": usage(next(counter))}
                graphql_payload(
                    await client.post(graphql, json={"query": SINGLE, "variables": variables})
                )
                return 1

            today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            window = {
                "from": (today - timedelta(days=7)).isoformat(),
                "to": (today + timedelta(days=1)).isoformat(),
            }

            async def report(client: httpx.AsyncClient) -> int:
                graphql_payload(
                    await client.post(graphql, json={"query": REPORT, "variables": window})
                )
                return 1

            result: dict[str, Any] = {"workers": workers}
            for name, call in (
                ("ingest_records", batch),
                ("single_records", single),
                ("reports", report),
            ):
                server_pids = process_tree(server.pid)
                pg_pids = await backend_pids(database_url)
                app_cpu, pg_cpu = cpu_seconds(server_pids), cpu_seconds(pg_pids)
                started = time.perf_counter()
                figures = await phase(base, concurrency, seconds, call)
                elapsed = time.perf_counter() - started
                pg_pids = sorted(set(pg_pids) | set(await backend_pids(database_url)))
                app_used = cpu_seconds(process_tree(server.pid)) - app_cpu
                pg_used = cpu_seconds(pg_pids) - pg_cpu
                units = figures["per_second"] * elapsed
                figures["billgraph_cpu_per_s"] = round(app_used / elapsed, 2)
                figures["postgres_cpu_per_s"] = round(pg_used / elapsed, 2)
                # Per CPU second: what one core would do, whatever else shares the machine.
                figures["per_billgraph_cpu_second"] = (
                    round(units / app_used, 1) if app_used else None
                )
                figures["per_postgres_cpu_second"] = round(units / pg_used, 1) if pg_used else None
                result[name] = figures
                log(f"workers={workers} {name}: {figures}")
            return result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--output", type=Path)
    arguments = parser.parse_args()
    runs = [await measure(n, arguments.seconds, arguments.concurrency) for n in arguments.workers]
    output = {
        "facts": run_facts(),
        "seconds": arguments.seconds,
        "concurrency": arguments.concurrency,
        "runs": runs,
    }
    text = json.dumps(output, indent=2)
    print(text)
    if arguments.output:
        arguments.output.write_text(text)


if __name__ == "__main__":
    asyncio.run(main())
