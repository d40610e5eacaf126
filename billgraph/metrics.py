"""Prometheus metrics of one process, and the exposition of all workers' metrics.

Under several workers, PROMETHEUS_MULTIPROC_DIR must be set before this module is
first imported (`billgraph serve --workers N` does it); every worker then writes its
values to files there and `/metrics` adds them up. Custom collectors do not work in
that mode, so every metric here is a plain Counter, Gauge or Histogram.

The small functions below are the API the rest of the code calls (one line each).
"""

import os
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

HTTP_REQUESTS = Counter(
    "billgraph_http_requests_total", "HTTP requests by endpoint and status", ["endpoint", "status"]
)
HTTP_LATENCY = Histogram(
    "billgraph_http_request_duration_seconds",
    "HTTP request latency by endpoint",
    ["endpoint"],
    buckets=_LATENCY_BUCKETS,
)
GRAPHQL_OPERATIONS = Counter(
    "billgraph_graphql_operations_total",
    "GraphQL operations by operation name and outcome (ok or error)",
    ["operation", "outcome"],
)
GRAPHQL_LATENCY = Histogram(
    "billgraph_graphql_operation_duration_seconds",
    "GraphQL operation latency by operation name",
    ["operation"],
    buckets=_LATENCY_BUCKETS,
)
ERRORS = Counter("billgraph_errors_total", "Errors answered, by error code", ["code"])
RECORDS = Counter(
    "billgraph_usage_records_total",
    "Usage records by outcome: created, replayed (same request id and payload), conflicting",
    ["outcome"],
)
COST_PRICED = Counter(
    "billgraph_cost_priced_usd_total",
    "USD of newly recorded usage by PricingSource (monitoring only; billing sums are exact)",
    ["pricing_source"],
)
PRICING_RELOADS = Counter(
    "billgraph_pricing_cache_reloads_total",
    "Pricing cache reloads by reason (revision, notify, reconnect)",
    ["reason"],
)
PRICING_NOTIFICATIONS = Counter(
    "billgraph_pricing_notifications_total",
    "Price change notifications heard (each marks the pricing cache stale)",
)
POOL_IN_USE = Gauge(
    "billgraph_db_pool_in_use",
    "Requests holding one of the process's database slots (DATABASE_POOL_MAX_SIZE each)",
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "billgraph_db_pool_size",
    "Database slots (DATABASE_POOL_MAX_SIZE) of live processes",
    multiprocess_mode="livesum",
)
REJECTED = Counter(
    "billgraph_requests_rejected_total",
    "Requests answered UNAVAILABLE by backpressure, by reason",
    ["reason"],
)
ROLLUP_FOLDED = Counter(
    "billgraph_rollup_folded_logs_total",
    "Logs the folder added to the rollup tables (PostgreSQL)",
)
ROLLUP_FOLD_WAIT = Gauge(
    "billgraph_rollup_fold_wait_seconds",
    "How long the oldest log of the last fold had waited since it was recorded: "
    "rising means the folders fall behind (PostgreSQL)",
    multiprocess_mode="livemax",
)
BATCH_WRITE_WAIT = Histogram(
    "billgraph_batch_write_wait_seconds",
    "How long batch writes waited for their share of INGEST_ROWS_IN_FLIGHT (only those "
    "that waited)",
    buckets=_LATENCY_BUCKETS,
)
REPLICA_FALLBACKS = Counter(
    "billgraph_read_replica_fallbacks_total", "Reads sent to the primary because the replica failed"
)

_OPERATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_MAX_OPERATION_NAMES = 200
_seen_operations: set[str] = set()


def operation_label(name: str | None) -> str:
    """Return a bounded label for a client-chosen operation name."""
    if not name:
        return "anonymous"
    if not _OPERATION_NAME.match(name):
        return "invalid"
    if name not in _seen_operations:
        if len(_seen_operations) >= _MAX_OPERATION_NAMES:
            return "other"
        _seen_operations.add(name)
    return name


def http_request(*, endpoint: str, status: int, seconds: float) -> None:
    """Count one HTTP request and its latency."""
    HTTP_REQUESTS.labels(endpoint, str(status)).inc()
    HTTP_LATENCY.labels(endpoint).observe(seconds)


def graphql_operation(*, operation: str | None, ok: bool, seconds: float) -> None:
    """Count one GraphQL operation and its latency."""
    label = operation_label(operation)
    GRAPHQL_OPERATIONS.labels(label, "ok" if ok else "error").inc()
    GRAPHQL_LATENCY.labels(label).observe(seconds)


def errors_answered(codes: Iterable[str]) -> None:
    """Count errors answered to callers, by code."""
    for code in codes:
        ERRORS.labels(code).inc()


def records_recorded(*, created: int = 0, replayed: int = 0, conflicting: int = 0) -> None:
    """Count usage records by outcome (the ingest paths call this once per call)."""
    for outcome, count in (
        ("created", created),
        ("replayed", replayed),
        ("conflicting", conflicting),
    ):
        if count:
            RECORDS.labels(outcome).inc(count)


def cost_priced(costs_pico_by_source: dict[str, int]) -> None:
    """Add the cost of newly recorded usage, by PricingSource."""
    for source, pico in costs_pico_by_source.items():
        COST_PRICED.labels(source).inc(float(Decimal(pico).scaleb(-12)))


def pricing_cache_reloaded(reason: str) -> None:
    """Count one reload of a pricing cache."""
    PRICING_RELOADS.labels(reason).inc()


def pricing_notification_heard() -> None:
    """Count one price change notification heard by this process."""
    PRICING_NOTIFICATIONS.inc()


def request_rejected(reason: str) -> None:
    """Count one request answered UNAVAILABLE by backpressure."""
    REJECTED.labels(reason).inc()


def rollup_folded(*, logs: int, oldest_waited_seconds: float) -> None:
    """Count one fold's logs and how long the oldest of them waited to be folded."""
    ROLLUP_FOLDED.inc(logs)
    ROLLUP_FOLD_WAIT.set(oldest_waited_seconds)


def batch_write_waited(seconds: float) -> None:
    """Observe how long one batch write waited for its rows' share of the process's budget."""
    BATCH_WRITE_WAIT.observe(seconds)


def replica_fell_back() -> None:
    """Count one read sent to the primary because the replica failed."""
    REPLICA_FALLBACKS.inc()


def is_multiprocess() -> bool:
    """Return True when this process writes its metrics to PROMETHEUS_MULTIPROC_DIR."""
    # Decided once, when prometheus_client was imported, from the environment then.
    return values.ValueClass is not values.MutexValue and MULTIPROCESS_DIR_VARIABLE in os.environ


def empty_multiprocess_dir(directory: str | Path) -> None:
    """Remove the files of a previous run (call before the workers start)."""
    for path in Path(directory).glob("*.db"):
        path.unlink(missing_ok=True)


def mark_process_dead(pid: int) -> None:
    """Forget a dead worker's live gauges (gunicorn's child_exit hook calls this)."""
    if is_multiprocess():
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


def exposition() -> bytes:
    """Return every worker's metrics in the Prometheus text format."""
    if is_multiprocess():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)
