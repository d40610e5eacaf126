"""Does a report starve behind ingest? The DAY x MODEL 30-day report, quiet and under load.

Creates a scratch PostgreSQL database, seeds it with `billgraph demo seed`, starts
`billgraph serve` (one process, as `billgraph serve` runs by default), then times the
DAY x MODEL costReport over the last 30 UTC days (the benchmarks/reports.py shape):

1. quiet: `--runs` requests one after the other;
2. under ingest: the same requests while `--clients` clients send POST /v1/usage bodies
   of `--batch` new records back to back, flat out, to the same server. The ingest
   clients run in a process of their own and make their bodies (`--bodies` per client)
   before the timing starts, so that neither their HTTP work nor making the bodies holds
   the event loop that times the reports.

Prints both medians, their ratio (target: at most 2) and the records/s the ingest
clients got meanwhile, as one JSON object.

    .venv/bin/python benchmarks/report_under_ingest.py --logs 200000 --runs 30 --clients 2
"""

import argparse
import asyncio
import multiprocessing
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import httpx
from harness import (
    ADMIN_KEY,
    billgraph_cli,
    billgraph_server,
    graphql_payload,
    latency_summary,
    log,
    print_result,
    run_facts,
    scratch_postgres,
)
from ingest import http_body
from reports import DAY_MODEL_QUERY

TARGET_RATIO = 2.0
RECORDS_MADE_UP_FRONT = 200_000  # per ingest client: more than it sends while reports run


async def report_latencies(client: httpx.AsyncClient, url: str, runs: int) -> list[float]:
    """Time `runs` DAY x MODEL reports over the last 30 whole UTC days."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    variables = {
        "from": (today - timedelta(days=30)).isoformat(),
        "to": today.isoformat(),
        "zone": "UTC",
    }
    latencies = []
    for _ in range(runs):
        started = time.perf_counter()
        response = await client.post(url, json={"query": DAY_MODEL_QUERY, "variables": variables})
        latencies.append(time.perf_counter() - started)
        graphql_payload(response)  # raises on an error
    return latencies


class EventFlag(Protocol):
    def is_set(self) -> bool: ...


def ingest_bodies(number: int, count: int, batch: int) -> list[bytes]:
    """Return `count` bodies of new records for ingest client `number`."""
    generator = random.Random(number)
    return [http_body(generator, f"load-{number}", request, batch) for request in range(count)]


async def ingest_flat_out(
    client: httpx.AsyncClient, url: str, bodies: list[bytes], stop: EventFlag
) -> int:
    """Send the bodies back to back until `stop`; return how many records were stored."""
    stored = 0
    for body in bodies:
        if stop.is_set():
            break
        response = await client.post(url, content=body)
        response.raise_for_status()
        stored += response.json()["created"]
    if not stop.is_set():
        raise RuntimeError("the ingest bodies ran out before the reports were done")
    return stored


def ingest_process(
    *, url: str, admin_key: str, args: argparse.Namespace, ready: Any, stop: Any, stored: Any
) -> None:
    """The ingest clients, in a process of their own. In the timing process, their HTTP
    work held the event loop that times the reports, so the timings measured the load
    generator as well as the server. Puts the records stored on `stored` (a queue)."""

    async def run_clients() -> int:
        bodies = [ingest_bodies(number, args.bodies, args.batch) for number in range(args.clients)]
        headers = {"Authorization": f"Bearer {admin_key}", "Content-Type": "application/json"}
        async with httpx.AsyncClient(headers=headers, timeout=300) as client:
            ready.set()
            senders = [
                ingest_flat_out(client, url, bodies[number], stop) for number in range(args.clients)
            ]
            return sum(await asyncio.gather(*senders))

    stored.put(asyncio.run(run_clients()))


class IngestProcess:
    """`ingest_process` in a process of its own; its failures end the benchmark at once."""

    def __init__(self, url: str, args: argparse.Namespace) -> None:
        context = multiprocessing.get_context("spawn")
        self._ready, self._stop, self._stored = context.Event(), context.Event(), context.Queue()
        self._process = context.Process(
            target=ingest_process,
            kwargs={
                "url": url,
                "admin_key": ADMIN_KEY,
                "args": args,
                "ready": self._ready,
                "stop": self._stop,
                "stored": self._stored,
            },
        )
        self._process.start()

    async def started(self) -> None:
        """Wait until the clients have made their bodies and begin to send."""
        while not await asyncio.to_thread(self._ready.wait, 0.5):
            self.check_still_sending()

    def check_still_sending(self) -> None:
        if not self._process.is_alive():
            raise RuntimeError(
                f"the ingest process exited early ({self._process.exitcode}); its error is above"
            )

    async def stop(self) -> int:
        """Stop the clients; return how many records they stored."""
        self._stop.set()
        await asyncio.to_thread(self._process.join, 300)
        if self._process.exitcode != 0:
            raise RuntimeError(f"the ingest process exited with {self._process.exitcode}")
        stored: int = self._stored.get(timeout=5)
        return stored


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    async with scratch_postgres() as database_url:
        log(f"seeding {args.logs} logs")
        billgraph_cli(
            database_url,
            "demo",
            "seed",
            *("--logs", str(args.logs), "--users", "2000", "--days", "90"),
        )
        with billgraph_server(database_url) as server:
            base = server.url.rsplit("/", 1)[0]
            headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
            async with httpx.AsyncClient(headers=headers, timeout=300) as client:
                await report_latencies(client, server.url, 5)  # warm-up
                log(f"quiet: {args.runs} reports")
                quiet = await report_latencies(client, server.url, args.runs)
                senders = IngestProcess(f"{base}/v1/usage", args)
                await senders.started()
                started = time.perf_counter()
                await asyncio.sleep(1.0)  # let ingest reach its pace
                log(f"under ingest from {args.clients} clients: {args.runs} reports")
                loaded = await report_latencies(client, server.url, args.runs)
                senders.check_still_sending()
                stored = await senders.stop()
                ingest_seconds = time.perf_counter() - started
    quiet_summary, loaded_summary = latency_summary(quiet), latency_summary(loaded)
    ratio = round(loaded_summary["median_ms"] / quiet_summary["median_ms"], 2)
    return {
        "benchmark": "report_under_ingest",
        **run_facts(),
        "logs": args.logs,
        "report": "costReport DAY x MODEL, last 30 UTC days",
        "quiet": quiet_summary,
        "under_ingest": loaded_summary,
        "ingest": {
            "clients": args.clients,
            "records_per_request": args.batch,
            "records_per_second": round(stored / ingest_seconds),
        },
        "median_ratio": ratio,
        "target": {"ratio_at_most": TARGET_RATIO, "met": ratio <= TARGET_RATIO},
    }


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logs", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--batch", type=int, default=2000, help="records per ingest request")
    parser.add_argument(
        "--bodies",
        type=int,
        help="ingest bodies made up front per client (default: 200,000 records' worth, "
        "several seconds of sending)",
    )
    parser.add_argument("--output", type=Path, help="also write the JSON to this file")
    args = parser.parse_args()
    if args.bodies is None:
        args.bodies = -(-RECORDS_MADE_UP_FRONT // args.batch)
    return args


async def main() -> int:
    args = parse_arguments()
    result = await measure(args)
    print_result(result, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
