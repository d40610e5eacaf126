"""Recording priced usage exactly once, and reading it back: pages and exact totals."""

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from billgraph.models import PricingSource, Provider, UsageLog
from billgraph.services import budgets
from billgraph.services.api_keys import Caller
from billgraph.services.costs import check_token_counts, compute_cost
from billgraph.services.errors import (
    BillingError,
    ConflictError,
    ForbiddenError,
    InvalidInputError,
)
from billgraph.services.model_names import clean_name
from billgraph.services.pricing import (
    EnvironmentPrices,
    PricingCache,
    PricingSnapshot,
    ResolvedPrice,
)
from billgraph.services.rollups import add_to_rollups
from billgraph.services.times import require_aware

MAX_CLOCK_SKEW = timedelta(minutes=5)
EARLIEST_OCCURRED_AT = datetime(2000, 1, 1, tzinfo=UTC)
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class UsageFilter:
    """Which logs a query covers. `occurred_from` is inclusive, `occurred_to` exclusive."""

    user_id: str | None = None
    provider: Provider | None = None
    model: str | None = None
    pricing_source: PricingSource | None = None
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
class UsageInput:
    """One LLM call as a caller reports it."""

    provider: Provider
    model: str
    tokens_input: int
    tokens_output: int
    request_id: str | None = None
    user_id: str | None = None
    occurred_at: datetime | None = None
    tokens_cached_input: int = 0
    tokens_cache_write: int = 0
    tokens_reasoning: int = 0
    reservation_id: str | None = None


@dataclass(frozen=True, slots=True)
class _Checked:
    """A validated input: names cleaned, the request id and the user decided."""

    provider: Provider
    model: str
    tokens_input: int
    tokens_output: int
    request_id: str
    user_id: str | None
    occurred_at: datetime | None
    tokens_cached_input: int
    tokens_cache_write: int
    tokens_reasoning: int
    api_key_id: int | None = None
    reservation_id: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "provider": self.provider,
            "model": self.model,
            "tokens_input": self.tokens_input,
            "tokens_output": self.tokens_output,
            "tokens_cached_input": self.tokens_cached_input,
            "tokens_cache_write": self.tokens_cache_write,
            "tokens_reasoning": self.tokens_reasoning,
        }


@dataclass(frozen=True, slots=True)
class BatchResult:
    logs: list[UsageLog]
    created: int

    @property
    def replayed(self) -> int:
        return len(self.logs) - self.created


MAX_BATCH_SIZE = 1000
_INSERT_ATTEMPTS = 3


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
    checked = _check(usage, caller=caller, now=now)
    try:
        result = await _record(
            [checked], now=now, environment_prices=environment_prices, cache=cache
        )
    except BatchItemError as error:
        raise error.error from None
    return result.logs[0]


async def record_usage_batch(
    *,
    usages: list[UsageInput],
    now: datetime,
    environment_prices: EnvironmentPrices,
    cache: PricingCache,
    caller: Caller,
) -> BatchResult:
    """Record up to 1000 calls in one transaction, each exactly once, all or none.

    A bad item rejects the whole batch; its error names the item's index and field.
    """
    if not 1 <= len(usages) <= MAX_BATCH_SIZE:
        raise InvalidInputError(
            f"inputs must hold 1 to {MAX_BATCH_SIZE} records (got {len(usages)})", field="inputs"
        )
    checked = []
    for index, usage in enumerate(usages):
        try:
            checked.append(_check(usage, caller=caller, now=now))
        except BillingError as error:
            raise _at_index(error, index) from None
    try:
        return await _record(checked, now=now, environment_prices=environment_prices, cache=cache)
    except BatchItemError as error:
        raise _at_index(error.error, error.index) from None


def _check(usage: UsageInput, *, caller: Caller, now: datetime) -> _Checked:
    occurred_at = usage.occurred_at
    if occurred_at is not None:
        occurred_at = require_aware(occurred_at, field="occurredAt")
        if occurred_at > now + MAX_CLOCK_SKEW:
            raise InvalidInputError(
                "occurredAt must not be more than 5 minutes in the future", field="occurredAt"
            )
        if occurred_at < EARLIEST_OCCURRED_AT:
            raise InvalidInputError("occurredAt must be after 2000-01-01", field="occurredAt")
    check_token_counts(
        tokens_input=usage.tokens_input,
        tokens_output=usage.tokens_output,
        tokens_cached_input=usage.tokens_cached_input,
        tokens_cache_write=usage.tokens_cache_write,
        tokens_reasoning=usage.tokens_reasoning,
    )
    user_id = usage.user_id
    if user_id is not None:
        user_id = clean_name(user_id, field="userId")
    return _Checked(
        provider=usage.provider,
        model=clean_name(usage.model, field="model"),
        tokens_input=usage.tokens_input,
        tokens_output=usage.tokens_output,
        request_id=(
            clean_name(usage.request_id, field="requestId")
            if usage.request_id is not None
            else str(uuid.uuid4())
        ),
        user_id=_user_for_caller(user_id, caller),
        occurred_at=occurred_at,
        tokens_cached_input=usage.tokens_cached_input,
        tokens_cache_write=usage.tokens_cache_write,
        tokens_reasoning=usage.tokens_reasoning,
        api_key_id=caller.key_id,
        reservation_id=(
            clean_name(usage.reservation_id, field="reservationId")
            if usage.reservation_id is not None
            else None
        ),
    )


class BatchItemError(Exception):
    """A domain error about the item at `index` of a batch."""

    def __init__(self, index: int, error: BillingError) -> None:
        super().__init__(error.message)
        self.index = index
        self.error = error


def _at_index(error: BillingError, index: int) -> BillingError:
    field = f"inputs[{index}].{error.field}" if error.field else f"inputs[{index}]"
    return type(error)(f"inputs[{index}]: {error.message}", field=field)


async def _record(
    items: list[_Checked],
    *,
    now: datetime,
    environment_prices: EnvironmentPrices,
    cache: PricingCache,
) -> BatchResult:
    """Store the items not stored yet; return every item's log, in input order."""
    first_index: dict[str, int] = {}
    for index, item in enumerate(items):
        earlier = first_index.setdefault(item.request_id, index)
        if earlier != index:
            _raise_if_different(items[earlier], item, index)
    snapshot = await cache.snapshot()
    for _attempt in range(_INSERT_ATTEMPTS):
        stored = {
            log.request_id: log for log in await UsageLog.filter(request_id__in=list(first_index))
        }
        for request_id, index in first_index.items():
            if request_id in stored:
                _raise_if_different(stored[request_id], items[index], index)
        new_logs = [
            _priced_log(
                items[index],
                snapshot=snapshot,
                now=now,
                environment_prices=environment_prices,
                index=index,
            )
            for request_id, index in first_index.items()
            if request_id not in stored
        ]
        reservations = {item.request_id: item.reservation_id for item in items}
        try:
            created = await _insert(new_logs, reservations)
        except IntegrityError:
            # Another request stored some of these ids meanwhile: look again.
            continue
        stored.update({log.request_id: log for log in created})
        return BatchResult(logs=[stored[item.request_id] for item in items], created=len(created))
    raise ConflictError("requestId is being recorded concurrently; retry", field="requestId")


def _raise_if_different(original: UsageLog | _Checked, item: _Checked, index: int) -> None:
    differing = [name for name, value in item.payload().items() if getattr(original, name) != value]
    if item.occurred_at is not None and original.occurred_at not in (None, item.occurred_at):
        differing.append("occurred_at")
    if differing:
        raise BatchItemError(
            index,
            ConflictError(
                f"requestId {item.request_id!r} was already recorded with a different "
                + ", ".join(_camel(name) for name in differing),
                field="requestId",
            ),
        )


def _priced_log(
    item: _Checked,
    *,
    snapshot: PricingSnapshot,
    now: datetime,
    environment_prices: EnvironmentPrices,
    index: int,
) -> UsageLog:
    occurred_at = item.occurred_at or now
    price = snapshot.resolve(
        provider=item.provider,
        model=item.model,
        environment_prices=environment_prices,
        at=occurred_at,
    )
    try:
        return UsageLog(
            request_id=item.request_id,
            occurred_at=occurred_at,
            recorded_at=now,
            api_key_id=item.api_key_id,
            **item.payload(),
            **priced_columns(item.payload(), price),
        )
    except BillingError as error:
        raise BatchItemError(index, error) from None


def priced_columns(tokens: dict[str, Any], price: ResolvedPrice) -> dict[str, Any]:
    """Return a log's price and cost columns for its token counts at `price`."""
    cost = compute_cost(
        tokens_input=tokens["tokens_input"],
        tokens_output=tokens["tokens_output"],
        tokens_cached_input=tokens["tokens_cached_input"],
        tokens_cache_write=tokens["tokens_cache_write"],
        tokens_reasoning=tokens["tokens_reasoning"],
        input_price_pico=price.input_price_pico,
        output_price_pico=price.output_price_pico,
        cached_input_price_pico=price.cached_input_price_pico,
        cache_write_price_pico=price.cache_write_price_pico,
        reasoning_price_pico=price.reasoning_price_pico,
    )
    return {
        "input_token_cost_pico": price.input_price_pico,
        "output_token_cost_pico": price.output_price_pico,
        "cached_input_token_cost_pico": price.cached_input_price_pico,
        "cache_write_token_cost_pico": price.cache_write_price_pico,
        "reasoning_token_cost_pico": price.reasoning_price_pico,
        "cost_input_pico": cost.input_pico,
        "cost_output_pico": cost.output_pico,
        "cost_cached_input_pico": cost.cached_input_pico,
        "cost_cache_write_pico": cost.cache_write_pico,
        "cost_reasoning_pico": cost.reasoning_pico,
        "cost_total_pico": cost.total_pico,
        "pricing_source": price.source,
        "matched_model_name": price.matched_model_name,
        "pricing_id": price.pricing.id if price.pricing else None,
    }


async def _insert(logs: list[UsageLog], reservations: dict[str, str | None]) -> list[UsageLog]:
    """Insert logs, their rollups and budget spend in one transaction; return the logs."""
    if not logs:
        return []
    async with in_transaction() as connection:
        await UsageLog.bulk_create(logs, using_db=connection)
        await add_to_rollups(logs, connection)
        await budgets.record_spend(
            connection, spends=[_spend_of(log, reservations.get(log.request_id)) for log in logs]
        )
        return await UsageLog.filter(request_id__in=[log.request_id for log in logs]).using_db(
            connection
        )


def _spend_of(log: UsageLog, reservation_id: str | None) -> budgets.Spend:
    return budgets.Spend(
        occurred_at=log.occurred_at,
        user_id=log.user_id,
        api_key_id=log.api_key_id,
        provider=log.provider,
        model=log.model,
        cost_total_pico=log.cost_total_pico,
        pricing_source=log.pricing_source,
        reservation_id=reservation_id,
    )


def _user_for_caller(user_id: str | None, caller: Caller) -> str | None:
    bound = caller.bound_user_id
    if bound is None:
        return user_id
    if user_id is not None and user_id != bound:
        raise ForbiddenError(
            f"This API key may only use the usage of user {bound!r}", field="userId"
        )
    return bound


def narrow_to_caller(usage_filter: UsageFilter, caller: Caller) -> UsageFilter:
    """Return the filter a caller may run: a user-bound key sees only its user's usage."""
    return replace(usage_filter, user_id=_user_for_caller(usage_filter.user_id, caller))


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


def checked_filter(usage_filter: UsageFilter) -> UsageFilter:
    """Return the filter with names trimmed and times in UTC, or raise InvalidInputError."""

    def name(value: str | None, field: str) -> str | None:
        return clean_name(value, field=field) if value is not None else None

    def moment(value: datetime | None, field: str) -> datetime | None:
        return require_aware(value, field=field) if value is not None else None

    checked = replace(
        usage_filter,
        user_id=name(usage_filter.user_id, "userId"),
        model=name(usage_filter.model, "model"),
        occurred_from=moment(usage_filter.occurred_from, "from"),
        occurred_to=moment(usage_filter.occurred_to, "to"),
    )
    if (
        checked.occurred_from is not None
        and checked.occurred_to is not None
        and checked.occurred_to <= checked.occurred_from
    ):
        raise InvalidInputError("to must be later than from", field="to")
    return checked


def filter_query(usage_filter: UsageFilter) -> Q:
    """Return the WHERE clause of a checked filter (see checked_filter)."""
    conditions: dict[str, Any] = {
        "user_id": usage_filter.user_id,
        "provider": usage_filter.provider,
        "model": usage_filter.model,
        "pricing_source": usage_filter.pricing_source,
        "occurred_at__gte": usage_filter.occurred_from,
        "occurred_at__lt": usage_filter.occurred_to,
    }
    return Q(**{column: value for column, value in conditions.items() if value is not None})


async def list_usage_logs(
    *, usage_filter: UsageFilter, first: int, after: PageAfter | None, caller: Caller
) -> UsagePage:
    """Return up to `first` logs the caller may see, newest first, after `after`."""
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidInputError(f"first must be between 1 and {MAX_PAGE_SIZE}", field="first")
    query = UsageLog.filter(filter_query(checked_filter(narrow_to_caller(usage_filter, caller))))
    if after is not None:
        query = query.filter(
            Q(occurred_at__lt=after.occurred_at)
            | Q(occurred_at=after.occurred_at, id__lt=after.log_id)
        )
    logs = await query.order_by("-occurred_at", "-id").limit(first + 1)
    return UsagePage(logs=logs[:first], has_next_page=len(logs) > first)
