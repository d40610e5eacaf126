"""The benchmark scripts run end to end at tiny sizes and print the JSON they promise.

Only that they work and that billgraph's report totals equal the naive SQL's exactly:
timings are figures to read, never assertions. PostgreSQL runs are skipped when the
server is unreachable, except under CI=true.
"""

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import asyncpg
import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
SERVER_URL = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


async def _reachable() -> bool:
    try:
        connection = await asyncpg.connect(
            "postgresql://" + SERVER_URL.split("://", 1)[1], timeout=3
        )
    except (OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


@pytest.fixture(scope="module")
def postgres() -> None:
    if not asyncio.run(_reachable()):
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true: {SERVER_URL} is unreachable")
        pytest.skip(f"PostgreSQL unreachable at {SERVER_URL}")


def run_benchmark(script: str, *args: str) -> dict[str, Any]:
    completed = subprocess.run(  # noqa: S603  (our interpreter, our scripts)
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result: dict[str, Any] = json.loads(completed.stdout)
    assert {"command", "commit", "date", "machine"} <= result.keys()
    return result


SHAPES = {
    "day_model_utc_30d",
    "top_users_utc_month",
    "day_model_odd_bounds_30d",
    "day_model_kolkata_30d",
    "day_model_lord_howe_30d",
    "top_users_berlin_30d",
    "top_users_berlin_90d",
}


def check_report(result: dict[str, Any], database: str) -> None:
    assert result["database"] == database
    assert result["logs"] == 2000
    for way in ("billgraph", "naive_sql"):
        assert set(result[way]) == SHAPES
        for question in SHAPES:
            assert {"median_ms", "p95_ms"} <= result[way][question].keys()
    assert result["rows_returned"]["top_users_berlin_30d"] == 10
    assert result["exact_match"] == {**dict.fromkeys(SHAPES, True), "matched": True}
    assert result["server_memory"]["peak_rss_mb"] > 0
    assert set(result["speedup_vs_naive"]) == SHAPES
    widest = result["widest_berlin_month_series"]
    assert widest["points"] == 3000
    assert widest["refusal_code"] == "BAD_USER_INPUT"


def test_reports_on_sqlite() -> None:
    result = run_benchmark("reports.py", "--database", "sqlite", "--logs", "2000", "--runs", "2")
    check_report(result, "sqlite")


@pytest.mark.usefixtures("postgres")
def test_reports_on_postgres() -> None:
    result = run_benchmark("reports.py", "--database", "postgres", "--logs", "2000", "--runs", "2")
    check_report(result, "postgres")


def test_repricing_on_sqlite() -> None:
    result = run_benchmark(
        "repricing.py", "--database", "sqlite", "--logs", "200", "--baseline-seconds", "0.5"
    )
    assert result["logs_walked"] >= 200
    assert result["logs_changed"] > 0
    assert result["rollups_verify"] == "rollups match the logs"
    assert "longest_pause_ms" in result["ingest_during_repricing"]


@pytest.mark.usefixtures("postgres")
def test_ingest_on_postgres() -> None:
    result = run_benchmark(
        "ingest.py",
        *("--requests", "2", "--http-batch-size", "500", "--batches", "2"),
        *("--batch-size", "200", "--clients", "2", "--stall-size", "1000"),
    )
    for path in ("endpoint_postgres", "graphql_batch_postgres"):
        for clients in ("clients_1", "clients_2"):
            assert "records_per_second" in result[path][clients]
    assert result["endpoint_postgres"]["clients_1"]["records"] == 1000
    assert result["graphql_batch_postgres"]["clients_2"]["records"] == 400
    assert result["endpoint_sqlite"]["clients_1"]["records"] == 1000
    assert result["raw_asyncpg_executemany"]["records"] == 1000
    assert result["event_loop_probe"]["records"] == 1000
    assert "endpoint_sequential_over_raw_executemany" in result


@pytest.mark.usefixtures("postgres")
def test_single_write_plan_on_postgres() -> None:
    result = run_benchmark("single_write_plan.py", "--records", "400")
    assert result["statements_per_mode"] == 200
    assert set(result["median_ms_per_call"]) == {"force_custom_plan", "auto"}


@pytest.mark.usefixtures("postgres")
def test_report_under_ingest_on_postgres() -> None:
    result = run_benchmark(
        "report_under_ingest.py", *("--logs", "1000", "--runs", "3", "--batch", "200")
    )
    assert result["quiet"]["runs"] == result["under_ingest"]["runs"] == 3
    assert result["ingest"]["records_per_second"] > 0
    assert result["median_ratio"] > 0


def test_pricing_in_process() -> None:
    result = run_benchmark("pricing.py", "--rows", "1000", "--number", "200", "--repeat", "2")
    cases = result["billgraph_resolve_plus_compute_cost"]
    assert {case: cases[case]["source"] for case in cases} == {
        "exact": "EXACT",
        "short_name": "SHORT_NAME",
        "builtin_estimate": "BUILTIN_ESTIMATE",
    }
    # gpt-4o, 1000 input and 500 output tokens at 0.0000025 / 0.00001 per token.
    assert cases["exact"]["cost_total_usd"] == "0.0075"
    assert all("median_us" in case for case in cases.values())
    assert result["litellm_cost_per_token"]["status"] in {"measured", "not installed"}
