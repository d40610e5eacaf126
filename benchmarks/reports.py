"""costReport latency over HTTP, shape by shape, side by side with the plain SQL a user would write.

Creates a fresh database (a SQLite file under benchmarks/results/, or a scratch
PostgreSQL database), seeds it with `billgraph demo seed`, starts `billgraph serve` on a
free port, and times, sequentially after a warm-up, each shape of SHAPES (DAY x MODEL over
30 whole UTC days, over 30 days with bounds at 10:42:47, over 30 Kolkata and Lord Howe
days; the top 10 users of the last complete UTC month and of the last 30 and 90 Berlin
days) by costReport and by plain SQL over api_usage_logs (COUNT(*), SUM(cost_total_pico),
local days with the database's own date functions) through sqlite3 / asyncpg, in the same
rounds. Then a MONTH time series over the widest allowed range in Europe/Berlin (3000
months) and the refusal of one month more.

Checks that both ways give exactly the same totals, reads the server's peak RSS (VmHWM)
and prints one JSON object. Exits 1 when the answers differ.

    .venv/bin/python benchmarks/reports.py --database postgres --logs 1000000 --days 90 \
        --users 2000 --runs 30
"""

import argparse
import asyncio
import sqlite3
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
from harness import (
    ADMIN_KEY,
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

PICO_PER_USD = 10**12
WARM_UP_RUNS = 3
TARGET_SPEEDUP = 1.5
TARGET_ALIGNED_SPEEDUP = 4
TARGET_WIDEST_MS = 50
TARGET_REFUSAL_MS = 10
TARGET_PEAK_RSS_MB = 300

DAY_MODEL_QUERY = """
query DayModel($from: DateTime!, $to: DateTime!, $zone: String!) {
  costReport(groupBy: [DAY, MODEL], filter: {from: $from, to: $to}, timeZone: $zone,
             orderBy: KEY_ASC) {
    key { bucketStart model }
    totals { requests costTotal }
  }
}"""
TOP_USERS_QUERY = """
query TopUsers($from: DateTime!, $to: DateTime!) {
  costReport(groupBy: [USER], filter: {from: $from, to: $to}, orderBy: COST_DESC, first: 10) {
    key { userId }
    totals { requests costTotal }
  }
}"""
WIDEST_QUERY = """
query Widest($from: DateTime!, $to: DateTime!) {
  costTimeSeries(filter: {from: $from, to: $to}, granularity: MONTH, timeZone: "Europe/Berlin") {
    bucketStart
    totals { requests costTotal }
  }
}"""
WIDEST_REPORT_QUERY = """
query WidestReport($from: DateTime!, $to: DateTime!) {
  costReport(groupBy: [MONTH], filter: {from: $from, to: $to}, timeZone: "Europe/Berlin",
             orderBy: KEY_ASC) {
    key { bucketStart }
    totals { requests costTotal }
  }
}"""
BERLIN = ZoneInfo("Europe/Berlin")
WIDEST = (datetime(1900, 1, 1, tzinfo=BERLIN), datetime(2150, 1, 1, tzinfo=BERLIN))
TOO_WIDE = (WIDEST[0], datetime(2150, 2, 1, tzinfo=BERLIN))


@dataclass(frozen=True)
class Shape:
    """One question: DAY x MODEL in a zone, or the top 10 users, over a window."""

    kind: str  # "day_model" or "top_users"
    zone: str
    aligned: bool  # every bound on a UTC midnight: answered from rollups alone


SHAPES = {
    "day_model_utc_30d": Shape("day_model", "UTC", aligned=True),
    "top_users_utc_month": Shape("top_users", "UTC", aligned=True),
    "day_model_odd_bounds_30d": Shape("day_model", "UTC", aligned=False),
    "day_model_kolkata_30d": Shape("day_model", "Asia/Kolkata", aligned=False),
    "day_model_lord_howe_30d": Shape("day_model", "Australia/Lord_Howe", aligned=False),
    "top_users_berlin_30d": Shape("top_users", "Europe/Berlin", aligned=False),
    "top_users_berlin_90d": Shape("top_users", "Europe/Berlin", aligned=False),
}

# The plain SQL: what one would write against the logs table without billgraph. Local
# days: PostgreSQL converts with the zone; SQLite has no zones, so it shifts by the
# window's fixed offset (the windows below have one offset each; checked).
PLAIN_SQL = {
    "sqlite": {
        "day_model": (
            "SELECT date(occurred_at, ?) AS day, model, COUNT(*), SUM(cost_total_pico) "
            "FROM api_usage_logs WHERE occurred_at >= ? AND occurred_at < ? "
            "GROUP BY day, model ORDER BY day, model"
        ),
        "top_users": (
            "SELECT user_id, COUNT(*), SUM(cost_total_pico) AS cost "
            "FROM api_usage_logs WHERE occurred_at >= ? AND occurred_at < ? "
            "GROUP BY user_id ORDER BY cost DESC, user_id LIMIT 10"
        ),
    },
    "postgres": {
        "day_model": (
            "SELECT (occurred_at AT TIME ZONE $3)::date AS day, model, "
            "COUNT(*), SUM(cost_total_pico) "
            "FROM api_usage_logs WHERE occurred_at >= $1 AND occurred_at < $2 "
            "GROUP BY 1, 2 ORDER BY 1, 2"
        ),
        "top_users": (
            "SELECT user_id, COUNT(*), SUM(cost_total_pico) AS cost "
            "FROM api_usage_logs WHERE occurred_at >= $1 AND occurred_at < $2 "
            "GROUP BY user_id ORDER BY cost DESC, user_id LIMIT 10"
        ),
    },
}

Window = tuple[datetime, datetime]
Rows = list[tuple[Any, ...]]
NaiveQuery = Callable[[str, Sequence[Any]], Awaitable[Rows]]


@asynccontextmanager
async def seeded_database(args: argparse.Namespace) -> AsyncIterator[str]:
    """Yield the URL of a fresh database seeded by `billgraph demo seed` (or --database-url)."""
    if args.database_url:
        yield args.database_url
        return
    if args.database == "sqlite":
        path = RESULTS / f"reports-{uuid.uuid4().hex[:8]}.sqlite3"
        try:
            yield f"sqlite://{path}"
        finally:
            if not args.keep:
                for leftover in RESULTS.glob(f"{path.name}*"):
                    leftover.unlink()
        return
    async with scratch_postgres(keep=args.keep) as url:
        yield url


async def seed(url: str, args: argparse.Namespace) -> float:
    """Run `billgraph demo seed`; return how long it took in seconds.

    On PostgreSQL, then VACUUM ANALYZE: the steady state autovacuum reaches on its own
    some time later, and without which the planner guesses from no statistics at all.
    """
    log(f"seeding {args.logs} logs for {args.users} users over {args.days} days")
    started = time.perf_counter()
    billgraph_cli(
        url,
        "demo",
        "seed",
        *("--logs", str(args.logs), "--users", str(args.users), "--days", str(args.days)),
    )
    elapsed = round(time.perf_counter() - started, 1)
    if url.startswith("postgres://"):
        connection = await asyncpg.connect(asyncpg_dsn(url))
        try:
            await connection.execute("VACUUM ANALYZE")
        finally:
            await connection.close()
    return elapsed


@asynccontextmanager
async def naive_driver(url: str) -> AsyncIterator[NaiveQuery]:
    """Yield a function that runs plain SQL through the database driver."""
    if url.startswith("sqlite://"):
        connection = sqlite3.connect(url.removeprefix("sqlite://"))

        async def sqlite_query(sql: str, params: Sequence[Any]) -> Rows:
            # Tortoise stores times as UTC text such as "2026-10-01 00:00:00+00:00".
            values = [
                p.astimezone(UTC).isoformat(" ") if isinstance(p, datetime) else p for p in params
            ]
            return connection.execute(sql, values).fetchall()

        try:
            yield sqlite_query
        finally:
            connection.close()
        return
    pool = await asyncpg.connect(asyncpg_dsn(url))

    async def postgres_query(sql: str, params: Sequence[Any]) -> Rows:
        return [tuple(row) for row in await pool.fetch(sql, *params)]

    try:
        yield postgres_query
    finally:
        await pool.close()


async def data_range(query: NaiveQuery) -> tuple[datetime, datetime, int]:
    """Return the first and last whole UTC day boundaries of the logs, and their count."""
    sql = "SELECT MIN(occurred_at), MAX(occurred_at), COUNT(*) FROM api_usage_logs"
    [(earliest, latest, count)] = await query(sql, ())
    if isinstance(earliest, str):
        earliest, latest = datetime.fromisoformat(earliest), datetime.fromisoformat(latest)
    start = midnight(earliest.astimezone(UTC).date())
    end = midnight(latest.astimezone(UTC).date() + timedelta(days=1))
    return start, end, count


def midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def windows(start: datetime, end: datetime) -> dict[str, Window]:
    """Return each shape's window inside the data [start, end) (end a UTC midnight)."""
    month_end = end.replace(day=1)
    month_start = (month_end - timedelta(days=1)).replace(day=1)
    odd = timedelta(hours=10, minutes=42, seconds=47)

    def local_days(zone: str, days: int) -> Window:
        last = datetime.combine(end.astimezone(ZoneInfo(zone)).date(), clock(), ZoneInfo(zone))
        first = datetime.combine(last.date() - timedelta(days=days), clock(), ZoneInfo(zone))
        return max(start, first), last

    return {
        "day_model_utc_30d": (max(start, end - timedelta(days=30)), end),
        "top_users_utc_month": (max(start, month_start), month_end),
        "day_model_odd_bounds_30d": (end - timedelta(days=31) + odd, end - timedelta(days=1) + odd),
        "day_model_kolkata_30d": local_days("Asia/Kolkata", 30),
        "day_model_lord_howe_30d": local_days("Australia/Lord_Howe", 30),
        "top_users_berlin_30d": local_days("Europe/Berlin", 30),
        "top_users_berlin_90d": local_days("Europe/Berlin", 90),
    }


def plain_parameters(dialect: str, shape: Shape, window: Window) -> list[Any]:
    """Return the plain SQL's parameters for a shape and window."""
    since, until = window
    if shape.kind == "top_users":
        return [since, until]
    if dialect == "postgres":
        return [since, until, shape.zone]
    zone = ZoneInfo(shape.zone)
    offsets = {moment.astimezone(zone).utcoffset() for moment in (since, until)}
    if len(offsets) != 1:
        raise RuntimeError(f"{shape.zone} changes its offset inside {window}: pick another")
    [offset] = offsets
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    return [f"{minutes:+d} minutes", since, until]


def pico(usd: str) -> int:
    amount = Decimal(usd) * PICO_PER_USD
    if amount != amount.to_integral_value():
        raise ValueError(f"{usd} is not a whole number of pico-dollars")
    return int(amount)


def billgraph_rows(kind: str, data: dict[str, Any]) -> Rows:
    """Return a costReport answer as (key..., requests, cost in pico-dollars) tuples."""
    rows: Rows = []
    for row in data["costReport"]:
        totals = (int(row["totals"]["requests"]), pico(row["totals"]["costTotal"]))
        if kind == "day_model":
            day = datetime.fromisoformat(row["key"]["bucketStart"]).date().isoformat()
            rows.append((day, row["key"]["model"], *totals))
        else:
            rows.append((row["key"]["userId"], *totals))
    return rows


def naive_rows(kind: str, rows: Rows) -> Rows:
    """Return the plain SQL answer in the same shape as billgraph_rows."""
    if kind == "day_model":
        return [
            (day if isinstance(day, str) else day.isoformat(), model, int(n), int(cost))
            for day, model, n, cost in rows
        ]
    return [(user, int(n), int(cost)) for user, n, cost in rows]


async def measure(args: argparse.Namespace, url: str) -> dict[str, Any]:
    """Seed (unless given a database), serve, and time both ways; return the figures."""
    dialect = "sqlite" if url.startswith("sqlite://") else "postgres"
    seed_seconds = None if args.database_url else await seed(url, args)
    if dialect == "sqlite":
        database_facts = {"sqlite_version": sqlite3.sqlite_version}
    else:
        database_facts = await postgres_facts(url)
    async with naive_driver(url) as naive_query:
        start, end, count = await data_range(naive_query)
        questions = windows(start, end)
        with billgraph_server(url) as server:
            headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
            async with httpx.AsyncClient(headers=headers, timeout=120) as client:

                async def ask_billgraph(name: str) -> Rows:
                    shape, (since, until) = SHAPES[name], questions[name]
                    variables = {"from": since.isoformat(), "to": until.isoformat()}
                    if shape.kind == "day_model":
                        variables["zone"] = shape.zone
                        query = DAY_MODEL_QUERY
                    else:
                        query = TOP_USERS_QUERY
                    body = {"query": query, "variables": variables}
                    response = await client.post(server.url, json=body)
                    return billgraph_rows(shape.kind, graphql_payload(response))

                async def ask_naive(name: str) -> Rows:
                    shape = SHAPES[name]
                    parameters = plain_parameters(dialect, shape, questions[name])
                    rows = await naive_query(PLAIN_SQL[dialect][shape.kind], parameters)
                    return naive_rows(shape.kind, rows)

                askers = {"billgraph": ask_billgraph, "naive_sql": ask_naive}
                answers: dict[str, dict[str, Rows]] = {way: {} for way in askers}
                timings: dict[str, dict[str, list[float]]] = {
                    way: {name: [] for name in SHAPES} for way in askers
                }
                log(f"warm-up ({WARM_UP_RUNS} runs), then {args.runs} timed runs")
                for run in range(WARM_UP_RUNS + args.runs):
                    for name in SHAPES:
                        for way, ask in askers.items():
                            started = time.perf_counter()
                            answer = await ask(name)
                            elapsed = time.perf_counter() - started
                            answers[way].setdefault(name, answer)
                            if run >= WARM_UP_RUNS:
                                timings[way][name].append(elapsed)
                widest = await time_widest(client, server.url, args.runs)
            memory = server.memory_mb()
    matches = {name: answers["billgraph"][name] == answers["naive_sql"][name] for name in SHAPES}
    summary = {
        way: {name: latency_summary(t) for name, t in by.items()} for way, by in timings.items()
    }
    speedup = {
        name: round(
            summary["naive_sql"][name]["median_ms"] / summary["billgraph"][name]["median_ms"], 2
        )
        for name in SHAPES
    }
    return {
        "benchmark": "reports",
        **run_facts(),
        "database": dialect,
        "database_url": url if args.keep or args.database_url else None,
        "database_facts": database_facts,
        "logs": count,
        "users": args.users,
        "days": args.days,
        "seed_seconds": seed_seconds,
        "after_seed": "VACUUM ANALYZE" if dialect == "postgres" and seed_seconds else None,
        "windows": {
            name: {"from": since.isoformat(), "to": until.isoformat()}
            for name, (since, until) in questions.items()
        },
        "rows_returned": {name: len(answers["billgraph"][name]) for name in SHAPES},
        "billgraph": summary["billgraph"],
        "naive_sql": summary["naive_sql"],
        "naive_sql_text": PLAIN_SQL[dialect],
        "speedup_vs_naive": speedup,
        "widest_berlin_month_series": widest,
        "exact_match": {**matches, "matched": all(matches.values())},
        "server_memory": memory,
        "targets": {
            "speedup_at_least": TARGET_SPEEDUP,
            "aligned_speedup_at_least": TARGET_ALIGNED_SPEEDUP,
            "speedup_met": {
                name: speedup[name] >= (TARGET_ALIGNED_SPEEDUP if shape.aligned else TARGET_SPEEDUP)
                for name, shape in SHAPES.items()
            },
            "widest_median_ms_below": TARGET_WIDEST_MS,
            "widest_met": widest["report"]["median_ms"] < TARGET_WIDEST_MS,
            "refusal_median_ms_below": TARGET_REFUSAL_MS,
            "refusal_met": widest["refusal"]["median_ms"] < TARGET_REFUSAL_MS,
            "peak_rss_mb_below": TARGET_PEAK_RSS_MB,
            "peak_rss_met": memory["peak_rss_mb"] < TARGET_PEAK_RSS_MB,
        },
    }


async def time_widest(client: httpx.AsyncClient, url: str, runs: int) -> dict[str, Any]:
    """Time the widest allowed Berlin MONTH report and series, and the refusal of one more."""
    timings: dict[str, list[float]] = {"report": [], "series": [], "refusal": []}
    points = groups = 0
    refusal = ""
    asks = (
        ("report", WIDEST_REPORT_QUERY, WIDEST),
        ("series", WIDEST_QUERY, WIDEST),
        ("refusal", WIDEST_QUERY, TOO_WIDE),
    )
    for run in range(WARM_UP_RUNS + runs):
        for name, query, (since, until) in asks:
            variables = {"from": since.isoformat(), "to": until.isoformat()}
            started = time.perf_counter()
            response = await client.post(url, json={"query": query, "variables": variables})
            elapsed = time.perf_counter() - started
            if name == "report":
                groups = len(graphql_payload(response)["costReport"])
            elif name == "series":
                points = len(graphql_payload(response)["costTimeSeries"])
            else:
                refusal = response.json()["errors"][0]["extensions"]["code"]
            if run >= WARM_UP_RUNS:
                timings[name].append(elapsed)
    return {
        "range": {"from": WIDEST[0].isoformat(), "to": WIDEST[1].isoformat()},
        "report_groups": groups,
        "report": latency_summary(timings["report"]),
        "points": points,
        "series": latency_summary(timings["series"]),
        "refusal_code": refusal,
        "refusal": latency_summary(timings["refusal"]),
    }


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--logs", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--database-url", help="measure an already seeded database instead (not seeded, kept)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the seeded database (its URL is in the JSON)"
    )
    parser.add_argument("--output", type=Path, help="also write the JSON to this file")
    return parser.parse_args()


async def main() -> int:
    args = parse_arguments()
    RESULTS.mkdir(parents=True, exist_ok=True)
    async with seeded_database(args) as url:
        result = await measure(args, url)
    print_result(result, args.output)
    return 0 if result["exact_match"]["matched"] else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
