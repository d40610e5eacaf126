"""Re-pricing throughput, and the longest pause it causes to a concurrent ingest client.

Uses a seeded database (--database-url, e.g. one kept by reports.py --keep) or seeds a
fresh one with `billgraph demo seed`. Starts `billgraph serve` on a free port, raises the
price of every priced demo model (a new price version effective since 2000, so every log
of those models changes), then:

1. ingest alone: one client sends `recordUsageBatch` of --batch records back to back
   for --baseline-seconds; the gaps between consecutive answers are the baseline;
2. the same client keeps sending while `billgraph usage reprice --apply` runs in its own
   process; logs/s = changed logs / wall time of the command;
3. `billgraph rollups verify` must still find the rollups equal to the logs.

Prints one JSON object; exits 1 if the rollups drifted.

    .venv/bin/python benchmarks/repricing.py --database-url postgres://.../db --batch 100
"""

import argparse
import asyncio
import itertools
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from harness import (
    ADMIN_KEY,
    BILLGRAPH,
    RESULTS,
    billgraph_cli,
    billgraph_server,
    graphql_payload,
    latency_summary,
    log,
    print_result,
    run_facts,
    scratch_postgres,
)

TARGET_PAUSE_MS = 1000
UPSERT = """
mutation ($input: PricingInput!) { upsertPricing(input: $input) { id } }"""
RECORD = """
mutation ($inputs: [RecordUsageInput!]!) { recordUsageBatch(inputs: $inputs) { created } }"""
# The demo's priced models, each at 1.1x its demo price.
NEW_PRICES = [
    ("OPENAI", "gpt-4o", "0.00000275", "0.000011"),
    ("OPENAI", "gpt-4o-mini", "0.000000165", "0.00000066"),
    ("OPENAI", "o3-mini", "0.00000121", "0.00000484"),
    ("ANTHROPIC", "claude-sonnet-4", "0.0000033", "0.0000165"),
    ("ANTHROPIC", "claude-haiku-3.5", "0.00000088", "0.0000044"),
    ("GOOGLE", "gemini-2.0-flash", "0.00000011", "0.00000044"),
    ("MISTRAL", "mistral-large", "0.0000022", "0.0000066"),
    ("DEEPSEEK", "deepseek-chat", "0.000000297", "0.00000121"),
    ("GROQ", "llama-3.3-70b-versatile", "0.000000649", "0.000000869"),
]


@asynccontextmanager
async def database(args: argparse.Namespace) -> AsyncIterator[str]:
    if args.database_url:
        yield args.database_url
        return
    if args.database == "sqlite":
        path = RESULTS / f"repricing-{uuid.uuid4().hex[:8]}.sqlite3"
        try:
            url = f"sqlite://{path}"
            billgraph_cli(url, "demo", "seed", "--logs", str(args.logs), "--days", "30")
            yield url
        finally:
            for leftover in RESULTS.glob(f"{path.name}*"):
                leftover.unlink()
        return
    async with scratch_postgres(keep=False) as url:
        billgraph_cli(url, "demo", "seed", "--logs", str(args.logs), "--days", "30")
        yield url


class IngestClient:
    """Sends batches back to back; remembers when each answer came."""

    def __init__(self, client: httpx.AsyncClient, url: str, batch: int) -> None:
        self.client, self.url, self.batch = client, url, batch
        self.answers: list[float] = []
        self.latencies: list[float] = []
        self.running = True
        self.sent = 0

    async def run(self) -> None:
        while self.running:
            inputs = [
                {
                    "requestId": f"bench-{uuid.uuid4()}",
                    "provider": "OPENAI",
                    "model": "gpt-4o-mini",
                    "tokensInput": 1200,
                    "tokensOutput": 300,
                    "userId": f"ingest-{index % 50}",
                }
                for index in range(self.batch)
            ]
            started = time.perf_counter()
            response = await self.client.post(
                self.url, json={"query": RECORD, "variables": {"inputs": inputs}}
            )
            graphql_payload(response)
            self.latencies.append(time.perf_counter() - started)
            self.answers.append(time.perf_counter())
            self.sent += self.batch

    def longest_pause_ms(self, since: float, until: float) -> float:
        """The longest time without an answer inside [since, until]."""
        moments = [since, *(moment for moment in self.answers if since <= moment <= until), until]
        return round(max(b - a for a, b in itertools.pairwise(moments)) * 1000, 1)


async def measure(args: argparse.Namespace, url: str) -> dict[str, Any]:
    with billgraph_server(url) as server:
        headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
        async with httpx.AsyncClient(headers=headers, timeout=120) as client:
            effective = (datetime(2000, 1, 1, tzinfo=UTC)).isoformat()
            for provider, model, input_cost, output_cost in NEW_PRICES:
                variables = {
                    "input": {
                        "provider": provider,
                        "modelName": model,
                        "inputTokenCost": input_cost,
                        "outputTokenCost": output_cost,
                        "effectiveFrom": effective,
                    }
                }
                graphql_payload(
                    await client.post(server.url, json={"query": UPSERT, "variables": variables})
                )
            ingest = IngestClient(client, server.url, args.batch)
            task = asyncio.create_task(ingest.run())
            log(f"ingest alone for {args.baseline_seconds} s")
            baseline_start = time.perf_counter()
            await asyncio.sleep(args.baseline_seconds)
            baseline_end = time.perf_counter()
            baseline_batches = len(ingest.latencies)
            log("re-pricing with --apply while ingest continues")
            started = time.perf_counter()
            completed = await asyncio.to_thread(
                subprocess.run,  # our own console script
                [str(BILLGRAPH), "usage", "reprice", "--apply", "--chunk-size", str(args.chunk)],
                env={**_environment(), "DATABASE_URL": url},
                capture_output=True,
                text=True,
                check=False,
                cwd=RESULTS,
            )
            finished = time.perf_counter()
            if completed.returncode != 0:
                raise RuntimeError(f"billgraph usage reprice failed:\n{completed.stderr[-3000:]}")
            during_batches = len(ingest.latencies) - baseline_batches
            ingest.running = False
            await task
    summary = completed.stdout.strip().splitlines()[-1]
    log(summary)
    walked, changed = _counts(summary)
    verify = subprocess.run(  # noqa: S603, ASYNC221  (our own console script, at the end)
        [str(BILLGRAPH), "rollups", "verify"],
        env={**_environment(), "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=False,
        cwd=RESULTS,
    )
    seconds = finished - started
    pause = ingest.longest_pause_ms(started, finished)
    return {
        "benchmark": "repricing",
        **run_facts(),
        "database": "sqlite" if url.startswith("sqlite://") else "postgres",
        "chunk_size": args.chunk,
        "reprice_output": summary,
        "logs_walked": walked,
        "logs_changed": changed,
        "seconds": round(seconds, 2),
        "changed_logs_per_second": round(changed / seconds, 1) if seconds else None,
        "ingest_batch": args.batch,
        "ingest_baseline": {
            "batches": baseline_batches,
            "longest_pause_ms": ingest.longest_pause_ms(baseline_start, baseline_end),
            "latency": latency_summary(ingest.latencies[:baseline_batches] or [0.0]),
        },
        "ingest_during_repricing": {
            "batches": during_batches,
            "longest_pause_ms": pause,
            "latency": latency_summary(ingest.latencies[baseline_batches:] or [0.0]),
        },
        "rollups_verify": verify.stdout.strip(),
        "targets": {"longest_pause_ms_below": TARGET_PAUSE_MS, "met": pause < TARGET_PAUSE_MS},
    }


def _environment() -> dict[str, str]:
    return dict(os.environ)


def _counts(summary: str) -> tuple[int, int]:
    # "N logs walked, M changed; ..."
    walked = int(summary.split(" logs walked", maxsplit=1)[0])
    changed = int(summary.split(", ")[1].split(" ", maxsplit=1)[0])
    return walked, changed


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--database-url", help="an already seeded database (changed in place)")
    parser.add_argument("--logs", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument("--baseline-seconds", type=float, default=5.0)
    parser.add_argument("--output", type=Path)
    return parser.parse_args()


async def main() -> int:
    args = parse_arguments()
    RESULTS.mkdir(parents=True, exist_ok=True)
    async with database(args) as url:
        result = await measure(args, url)
    print_result(result, args.output)
    return 0 if result["rollups_verify"] == "rollups match the logs" else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
