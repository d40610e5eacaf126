"""The single-record write statement with a fresh plan per call against a reused plan.

billgraph's PostgreSQL sessions use `plan_cache_mode = force_custom_plan` (billgraph.db),
so every execution of a prepared statement is planned again. The single-record write
(`usage_sql_postgres.insert_statement`: the insert and three rollup upserts, with the key
and budgets checks) runs on a pool of its own with `auto`, which reuses the generic plan
from the sixth run on. This script prices `--records` records in process, then sends the
statement once per record from one connection of each mode, in alternating rounds of
100, and prints the median time per call (round trip included) of each.

    .venv/bin/python benchmarks/single_write_plan.py --records 6000
"""

import argparse
import asyncio
import json
import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from harness import (
    asyncpg_dsn,
    billgraph_cli,
    log,
    postgres_facts,
    print_result,
    run_facts,
    scratch_postgres,
)
from ingest import records
from tortoise.context import TortoiseContext

from billgraph.app import environment_prices_of
from billgraph.db import tortoise_config
from billgraph.http.usage_decoding import JSON, decode_records, split_records
from billgraph.services import usage_sql_postgres
from billgraph.services.api_keys import SYSTEM
from billgraph.services.budgets.in_force import BUDGETS_REVISION_ROW
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.usage_batch import price_batch
from billgraph.settings import load_settings

MODES = ("force_custom_plan", "auto")
ROUND = 100


async def single_row_documents(database_url: str, count: int) -> list[str]:
    """Return `count` single-row JSON documents as the writer sends them."""
    settings = load_settings(database_url=database_url)
    body = json.dumps(records(random.Random(1), "plan", 0, count)).encode()
    documents = []
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(database_url))
        snapshot = await PricingCache().snapshot()
        for usage in await decode_records(split_records(body, JSON)):
            batch = await price_batch(
                [usage],
                caller=SYSTEM,
                now=datetime.now(UTC),
                snapshot=snapshot,
                environment_prices=environment_prices_of(settings),
            )
            documents.append(await usage_sql_postgres.encode_rows(batch.rows))
    return documents


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    async with scratch_postgres() as database_url:
        facts = await postgres_facts(database_url)
        billgraph_cli(database_url, "db", "upgrade")
        documents = await single_row_documents(database_url, args.records)
        statement = usage_sql_postgres.insert_statement()
        sessions = {
            mode: await asyncpg.connect(
                asyncpg_dsn(database_url), server_settings={"plan_cache_mode": mode}
            )
            for mode in MODES
        }
        try:
            revision = await sessions["auto"].fetchval(
                f"SELECT revision FROM pricing_revision WHERE id = {BUDGETS_REVISION_ROW}"  # noqa: S608
            )
            milliseconds: dict[str, list[float]] = {mode: [] for mode in MODES}
            next_document = iter(documents)
            log(f"{len(documents) // ROUND} rounds of {ROUND} statements, modes alternating")
            for _ in range(len(documents) // (ROUND * len(MODES))):
                for mode, session in sessions.items():
                    started = time.perf_counter()
                    for _ in range(ROUND):
                        await session.fetch(
                            statement, next(next_document), datetime.now(UTC), revision
                        )
                    milliseconds[mode].append((time.perf_counter() - started) * 1000 / ROUND)
        finally:
            for session in sessions.values():
                await session.close()
    medians = {mode: round(statistics.median(times), 3) for mode, times in milliseconds.items()}
    return {
        "benchmark": "single_write_plan",
        **run_facts(),
        "database_facts": facts,
        "statements_per_mode": len(milliseconds["auto"]) * ROUND,
        "median_ms_per_call": medians,
        "custom_over_generic": round(medians["force_custom_plan"] / medians["auto"], 2),
    }


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=6000, help="statements in all")
    parser.add_argument("--output", type=Path, help="also write the JSON to this file")
    return parser.parse_args()


def main() -> int:
    args = parse_arguments()
    print_result(asyncio.run(measure(args)), args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
