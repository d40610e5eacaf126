"""Recording priced usage exactly once, and reading it back: pages and exact totals."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from tortoise.expressions import Q

from billgraph import metrics
from billgraph.db import read_connection
from billgraph.models import PricingSource, ServiceTier, UsageLog
from billgraph.services.api_keys import Caller
from billgraph.services.costs import compute_cost
from billgraph.services.errors import ConflictError, InvalidInputError
from billgraph.services.model_names import clean_name
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.pricing_chain import EnvironmentPrices, ResolvedPrice
from billgraph.services.times import require_aware
from billgraph.services.token_counts import TokenCounts
from billgraph.services.usage_batch import (
    REQUEST_ID,
    BatchItemError,
    PricedBatch,
    UsageInput,
    UsageLike,
    price_batch,
    user_for_caller,
)
from billgraph.services.usage_fields import LOG_COLUMNS
from billgraph.services.usage_writer import Written, write_batch

__all__ = ["BatchItemError", "UsageInput"]

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class UsageFilter:
    """Which logs a query covers. `occurred_from` is inclusive, `occurred_to` exclusive."""

    user_id: str | None = None
    provider: str | None = None  # a checked provider id
    model: str | None = None
    pricing_source: PricingSource | None = None
    service_tier: ServiceTier | None = None
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None


@dataclass(frozen=True, slots=True)
class PageAfter:
    """A position in the newest-first order of logs: strictly older than this log."""

    occurred_at: datetime
    log_id: int


@dataclass(frozen=True, slots=True)
class UsagePage:
    logs: list[UsageLog]
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What a batch write did; `logs` (every item's log, in input order) is built on demand."""

    created: int
    replayed: int
    batch: PricedBatch
    written: Written
    recorded_at: datetime

    @property
    def logs(self) -> list[UsageLog]:
        rows = [self._log(position) for position in range(len(self.batch.rows))]
        return [rows[position] for position in self.batch.row_of_item]

    def _log(self, position: int) -> UsageLog:
        row = self.batch.rows[position]
        request_id = row[REQUEST_ID]
        stored = self.written.replayed.get(request_id)
        if stored is not None:
            return stored
        log = UsageLog(
            id=self.written.inserted_ids[request_id],
            recorded_at=self.recorded_at,
            **dict(zip(LOG_COLUMNS, row, strict=True)),
        )
        log._saved_in_db = True
        return log


MAX_BATCH_SIZE = 1000
MAX_HTTP_BATCH_SIZE = 10_000


async def record_usage(
    *,
    usage: UsageInput,
    now: datetime,
    environment_prices: EnvironmentPrices,
    cache: PricingCache,
    caller: Caller,
) -> UsageLog:
    """Price and store one call; return its log. A replay with the same request id and
    payload returns the original log; a different payload raises ConflictError.
    A key bound to a user records for that user only."""
    try:
        result = await _record([usage], now, environment_prices, cache, caller)
    except BatchItemError as error:
        raise error.error from None
    return result.logs[0]


async def record_usage_batch(
    *,
    usages: Sequence[UsageLike],
    now: datetime,
    environment_prices: EnvironmentPrices,
    cache: PricingCache,
    caller: Caller,
    max_size: int = MAX_BATCH_SIZE,
) -> BatchResult:
    """Record up to `max_size` calls in one transaction, each exactly once, all or none.

    A bad item rejects the whole batch with BatchItemError, which names its index.
    """
    if not 1 <= len(usages) <= max_size:
        raise InvalidInputError(
            f"a batch must hold 1 to {max_size} records (got {len(usages)})", field="inputs"
        )
    return await _record(usages, now, environment_prices, cache, caller)


async def _record(
    usages: Sequence[UsageLike],
    now: datetime,
    environment_prices: EnvironmentPrices,
    cache: PricingCache,
    caller: Caller,
) -> BatchResult:
    snapshot = await cache.snapshot()
    batch = await price_batch(
        usages,
        caller=caller,
        now=now,
        snapshot=snapshot,
        environment_prices=environment_prices,
    )
    try:
        written = await write_batch(batch, caller=caller, now=now)
    except BatchItemError as error:
        if isinstance(error.error, ConflictError):
            metrics.records_recorded(conflicting=1)
        raise
    created = len(written.inserted_ids)
    metrics.records_recorded(created=created, replayed=len(usages) - created)
    metrics.cost_priced(_cost_by_source(batch, written))
    return BatchResult(
        created=created,
        replayed=len(usages) - created,
        batch=batch,
        written=written,
        recorded_at=now,
    )


def _cost_by_source(batch: PricedBatch, written: Written) -> dict[str, int]:
    """Return the cost of the newly inserted rows, in pico-dollars by PricingSource."""
    costs: dict[str, int] = {}
    for row in batch.rows:
        if row[REQUEST_ID] in written.inserted_ids:
            source = str(row[_PRICING_SOURCE])
            costs[source] = costs.get(source, 0) + row[_COST_TOTAL]
    return costs


_PRICING_SOURCE = LOG_COLUMNS.index("pricing_source")
_COST_TOTAL = LOG_COLUMNS.index("cost_total_pico")


def priced_columns(tokens: TokenCounts, price: ResolvedPrice) -> dict[str, Any]:
    """Return a log's price and cost columns for its token counts at `price` (the prices
    of the tier that priced it, see ResolvedPrice.for_call)."""
    return {
        **price.prices.columns(),
        **compute_cost(tokens, price.prices).columns(),
        "pricing_source": price.source,
        "matched_model_name": price.matched_model_name,
        "pricing_id": price.pricing.id if price.pricing else None,
        "priced_service_tier": price.service_tier,
        "priced_above_prompt_tokens": price.above_prompt_tokens,
    }


def narrow_to_caller(usage_filter: UsageFilter, caller: Caller) -> UsageFilter:
    """Return the filter a caller may run: a user-bound key sees only its user's usage."""
    return replace(usage_filter, user_id=user_for_caller(usage_filter.user_id, caller))


def checked_filter(usage_filter: UsageFilter) -> UsageFilter:
    """Return the filter with names trimmed and times in UTC, or raise InvalidInputError."""

    def name(value: str | None, field: str) -> str | None:
        return clean_name(value, field=field) if value is not None else None

    def moment(value: datetime | None, field: str) -> datetime | None:
        return require_aware(value, field=field) if value is not None else None

    checked = replace(
        usage_filter,
        user_id=name(usage_filter.user_id, "user_id"),
        model=name(usage_filter.model, "model"),
        occurred_from=moment(usage_filter.occurred_from, "occurred_from"),
        occurred_to=moment(usage_filter.occurred_to, "occurred_to"),
    )
    if (
        checked.occurred_from is not None
        and checked.occurred_to is not None
        and checked.occurred_to <= checked.occurred_from
    ):
        raise InvalidInputError(
            "{field} must be later than {occurred_from}",
            field="occurred_to",
            mentions=("occurred_from",),
        )
    return checked


def filter_query(usage_filter: UsageFilter) -> Q:
    """Return the WHERE clause of a checked filter (see checked_filter)."""
    conditions: dict[str, Any] = {
        "user_id": usage_filter.user_id,
        "provider": usage_filter.provider,
        "model": usage_filter.model,
        "pricing_source": usage_filter.pricing_source,
        "service_tier": usage_filter.service_tier,
        "occurred_at__gte": usage_filter.occurred_from,
        "occurred_at__lt": usage_filter.occurred_to,
    }
    return Q(**{column: value for column, value in conditions.items() if value is not None})


async def list_usage_logs(
    *, usage_filter: UsageFilter, first: int, after: PageAfter | None, caller: Caller
) -> UsagePage:
    """Return up to `first` logs the caller may see, newest first, after `after`."""
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidInputError(f"{{field}} must be between 1 and {MAX_PAGE_SIZE}", field="first")
    query = UsageLog.filter(filter_query(checked_filter(narrow_to_caller(usage_filter, caller))))
    if after is not None:
        query = query.filter(
            Q(occurred_at__lt=after.occurred_at)
            | Q(occurred_at=after.occurred_at, id__lt=after.log_id)
        )
    logs = (
        await query.order_by("-occurred_at", "-id")
        .limit(first + 1)
        .using_db(read_connection(UsageLog._meta.db))
    )
    return UsagePage(logs=logs[:first], has_next_page=len(logs) > first)
