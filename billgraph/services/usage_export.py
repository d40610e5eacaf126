"""Usage logs as CSV, page by page, so an export of any size holds one page in memory."""

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime

from billgraph.models import ServiceTier, UsageLog
from billgraph.services.api_keys import Caller
from billgraph.services.costs import format_decimal, from_pico
from billgraph.services.usage import (
    MAX_PAGE_SIZE,
    PageAfter,
    UsageFilter,
    checked_filter,
    list_usage_logs,
    narrow_to_caller,
)

# Column name -> the log attribute it comes from; prices and costs are pico-dollar
# integers, written as exact USD decimals.
_PLAIN_COLUMNS = {
    "id": "id",
    "requestId": "request_id",
    "occurredAt": "occurred_at",
    "recordedAt": "recorded_at",
    "userId": "user_id",
    "provider": "provider",
    "model": "model",
    "tokensInput": "tokens_input",
    "tokensOutput": "tokens_output",
    "tokensCachedInput": "tokens_cached_input",
    "tokensCacheWrite": "tokens_cache_write",
    "tokensReasoning": "tokens_reasoning",
}
_MONEY_COLUMNS = {
    "inputTokenCost": "input_token_cost_pico",
    "outputTokenCost": "output_token_cost_pico",
    "cachedInputTokenCost": "cached_input_token_cost_pico",
    "cacheWriteTokenCost": "cache_write_token_cost_pico",
    "reasoningTokenCost": "reasoning_token_cost_pico",
    "costInput": "cost_input_pico",
    "costOutput": "cost_output_pico",
    "costCachedInput": "cost_cached_input_pico",
    "costCacheWrite": "cost_cache_write_pico",
    "costReasoning": "cost_reasoning_pico",
    "costTotal": "cost_total_pico",
}
_PROVENANCE_COLUMNS = {
    "pricingSource": "pricing_source",
    "matchedModelName": "matched_model_name",
    "pricingId": "pricing_id",
    "serviceTier": "service_tier",
    "pricedServiceTier": "priced_service_tier",
    "pricedAboveInputTokens": "priced_above_prompt_tokens",
}
CSV_COLUMNS = [*_PLAIN_COLUMNS, *_MONEY_COLUMNS, *_PROVENANCE_COLUMNS]
# Logs per keyset query: what one query may hold in memory.
EXPORT_PAGE_SIZE = MAX_PAGE_SIZE


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, ServiceTier):
        return value.name  # as GraphQL shows it: BATCH
    return str(getattr(value, "value", value))


def csv_row(log: UsageLog) -> list[str]:
    """Return one log as CSV cells, in CSV_COLUMNS order."""
    return [
        *(_cell(getattr(log, name)) for name in _PLAIN_COLUMNS.values()),
        *(format_decimal(from_pico(getattr(log, name))) for name in _MONEY_COLUMNS.values()),
        *(_cell(getattr(log, name)) for name in _PROVENANCE_COLUMNS.values()),
    ]


def export_filter(*, usage_filter: UsageFilter, caller: Caller) -> UsageFilter:
    """Return the checked filter the caller may export, or raise a BillingError."""
    return checked_filter(narrow_to_caller(usage_filter, caller))


async def usage_csv(*, usage_filter: UsageFilter, caller: Caller) -> AsyncIterator[str]:
    """Yield the CSV text of the logs the caller may see, newest first: a header line,
    then one chunk per keyset page. Check the filter with export_filter() first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    after: PageAfter | None = None
    while True:
        page = await list_usage_logs(
            usage_filter=usage_filter, first=EXPORT_PAGE_SIZE, after=after, caller=caller
        )
        writer.writerows(csv_row(log) for log in page.logs)
        yield flush()
        if not page.has_next_page or not page.logs:
            return
        last = page.logs[-1]
        after = PageAfter(occurred_at=last.occurred_at, log_id=last.id)
