"""benchmarks/budgets.py at a tiny size: two server processes, one HARD limit, exact grants."""

import pytest

from tests.test_benchmark_smoke import postgres, run_benchmark

__all__ = ["postgres"]  # the fixture, imported for use below


@pytest.mark.usefixtures("postgres")
def test_two_servers_grant_exactly_what_a_hard_budget_fits() -> None:
    result = run_benchmark(
        "budgets.py",
        *("--database", "postgres", "--servers", "2", "--requests", "20", "--clients", "4"),
        *("--burst", "24", "--fits", "5"),
    )
    assert result["hard_limit_burst"]["granted"] == 5
    assert result["hard_limit_burst"]["refusal_reasons"] == ["BUDGET_EXCEEDED"]
    assert result["authorize_usage"]["failed"] == 0
    assert {"median_ms", "p95_ms"} <= result["authorize_usage"]["latency"].keys()
