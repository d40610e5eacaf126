"""authorizeUsage latency and throughput over HTTP, and the HARD limit under a burst.

Creates a fresh database (a SQLite file under benchmarks/results/, or a scratch
PostgreSQL database), starts one or more `billgraph serve` processes on free ports,
creates a HARD monthly budget and then:

- throughput: `--requests` authorizeUsage calls from `--clients` concurrent clients,
  spread over the servers, against a budget with room for all of them;
- exactness: a burst of `--burst` concurrent authorizeUsage calls, spread over the
  servers, against a budget that fits exactly `--fits` of them; reports how many were
  granted (must be exactly `--fits`) and exits 1 otherwise.

Prints one JSON object.

    .venv/bin/python benchmarks/budgets.py --database postgres --servers 2 \
        --requests 2000 --clients 20 --burst 50 --fits 10
"""

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, asynccontextmanager
from typing import Any

import httpx
from harness import (
    ADMIN_KEY,
    RESULTS,
    billgraph_server,
    graphql_payload,
    latency_summary,
    log,
    run_facts,
    scratch_postgres,
)

CREATE_BUDGET = """
mutation ($input: CreateBudgetInput!) { createBudget(input: $input) { id } }"""
AUTHORIZE = """
mutation ($input: AuthorizeUsageInput!) { authorizeUsage(input: $input) { id amount } }"""
UPSERT = "mutation ($input: PricingInput!) { upsertPricing(input: $input) { id } }"
# 1000 prompt tokens at 1 USD per million: every call holds 0.001 USD.
CALL_TOKENS = 1000


@asynccontextmanager
async def fresh_database(kind: str) -> AsyncIterator[str]:
    RESULTS.mkdir(exist_ok=True)  # the servers' working directory
    if kind == "sqlite":
        path = RESULTS / f"budgets-{uuid.uuid4().hex[:8]}.sqlite3"
        try:
            yield f"sqlite://{path}"
        finally:
            for leftover in RESULTS.glob(f"{path.name}*"):
                leftover.unlink()
        return
    async with scratch_postgres() as url:
        yield url


async def _post(
    client: httpx.AsyncClient, url: str, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(
        url,
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
    )
    body: dict[str, Any] = response.json()
    return body


def _request(user: str) -> dict[str, Any]:
    return {
        "input": {
            "provider": "OPENAI",
            "model": "bench-model",
            "maxTokensInput": CALL_TOKENS,
            "maxTokensOutput": 0,
            "userId": user,
        }
    }


async def _setup(client: httpx.AsyncClient, url: str, *, requests: int, fits: int) -> None:
    graphql_payload(
        await client.post(
            url,
            json={
                "query": UPSERT,
                "variables": {
                    "input": {
                        "provider": "OPENAI",
                        "modelName": "bench-model",
                        "inputTokenCost": "0.000001",
                        "outputTokenCost": "0.000001",
                        "effectiveFrom": "2020-01-01T00:00:00Z",
                    }
                },
            },
            headers={"Authorization": f"Bearer {ADMIN_KEY}"},
        )
    )
    for user, limit in (("roomy", f"{requests * 2 / 1000}"), ("capped", f"{fits / 1000}")):
        body = await _post(
            client,
            url,
            CREATE_BUDGET,
            {"input": {"name": user, "limit": limit, "userId": user, "mode": "HARD"}},
        )
        if body.get("errors"):
            raise RuntimeError(body["errors"])


async def _throughput(
    client: httpx.AsyncClient, urls: list[str], *, requests: int, clients: int
) -> dict[str, Any]:
    latencies: list[float] = []
    failures = 0
    queue = iter(range(requests))

    async def worker() -> None:
        nonlocal failures
        for index in queue:
            started = time.perf_counter()
            body = await _post(client, urls[index % len(urls)], AUTHORIZE, _request("roomy"))
            latencies.append(time.perf_counter() - started)
            failures += bool(body.get("errors"))

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return {
        "requests": requests,
        "clients": clients,
        "failed": failures,
        "seconds": round(elapsed, 3),
        "authorizations_per_second": round(requests / elapsed, 1),
        "latency": latency_summary(latencies),
    }


async def _burst(
    client: httpx.AsyncClient, urls: list[str], *, burst: int, fits: int
) -> dict[str, Any]:
    answers = await asyncio.gather(
        *(_post(client, urls[i % len(urls)], AUTHORIZE, _request("capped")) for i in range(burst))
    )
    granted = sum(1 for answer in answers if not answer.get("errors"))
    reasons = sorted(
        {
            answer["errors"][0].get("extensions", {}).get("reason", "?")
            for answer in answers
            if answer.get("errors")
        }
    )
    return {
        "burst": burst,
        "fits": fits,
        "granted": granted,
        "refusal_reasons": reasons,
        "exact": granted == fits,
    }


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--servers", type=int, default=1)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--burst", type=int, default=50)
    parser.add_argument("--fits", type=int, default=10)
    args = parser.parse_args()
    # The worker is not measured here; the budgets have no webhooks anyway.
    os.environ["WEBHOOK_WORKER_ENABLED"] = "false"
    async with fresh_database(args.database) as database_url:
        with ExitStack() as stack:
            # Started side by side: each takes seconds to migrate-check and become healthy.
            managers = [billgraph_server(database_url) for _ in range(args.servers)]
            for manager in managers:
                stack.push(manager)
            with ThreadPoolExecutor(args.servers) as pool:
                servers = list(pool.map(lambda manager: manager.__enter__(), managers))
            urls = [server.url for server in servers]
            limits = httpx.Limits(max_connections=max(args.clients, args.burst) + 10)
            async with httpx.AsyncClient(timeout=60, limits=limits) as client:
                await _setup(client, urls[0], requests=args.requests, fits=args.fits)
                log("warming up")
                await _throughput(client, urls, requests=min(50, args.requests), clients=4)
                log(f"throughput: {args.requests} requests, {args.clients} clients")
                throughput = await _throughput(
                    client, urls, requests=args.requests, clients=args.clients
                )
                log(f"burst: {args.burst} at once against a budget that fits {args.fits}")
                burst = await _burst(client, urls, burst=args.burst, fits=args.fits)
    result = {
        **run_facts(),
        "database": args.database,
        "servers": args.servers,
        "authorize_usage": throughput,
        "hard_limit_burst": burst,
        "note": "measured while other work shared the machine's cores",
    }
    print(json.dumps(result, indent=2))
    return 0 if burst["exact"] else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
