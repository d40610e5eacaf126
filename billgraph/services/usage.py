"""Recording priced usage exactly once, and reading it back: pages and exact totals."""

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from billgraph.models import PricingSource, Provider, UsageLog
from billgraph.services.api_keys import Caller
from billgraph.services.costs import compute_cost
from billgraph.services.errors import ConflictError, ForbiddenError, InvalidInputError
from billgraph.services.model_names import clean_name
from billgraph.services.pricing import EnvironmentPrices, resolve_pricing
from billgraph.services.usage_totals import UsageTotals, sum_usage

MAX_CLOCK_SKEW = timedelta(minutes=5)
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500

__all__ = ["UsageTotals"]


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


def require_aware(value: datetime, *, field: str) -> datetime:
    """Return `value` if it carries a UTC offset; naive times are ambiguous for billing."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError(
            f"{field} must include a UTC offset, e.g. 2026-01-31T12:00:00Z", field=field
        )
    return value.astimezone(UTC)


async def record_usage(
    *,
    provider: Provider,
    model: str,
    tokens_input: int,
    tokens_output: int,
    request_id: str | None,
    user_id: str | None,
    occurred_at: datetime | None,
    now: datetime,
    environment_prices: EnvironmentPrices,
    caller: Caller,
) -> UsageLog:
    """Price and store one call; return its log. A replay with the same request id and
    payload returns the original log; a different payload raises ConflictError.
    A key bound to a user records for that user only."""
    user_id = _user_for_caller(user_id, caller)
    model = clean_name(model, field="model")
    request_id = (
        clean_name(request_id, field="requestId") if request_id is not None else str(uuid.uuid4())
    )
    if user_id is not None:
        user_id = clean_name(user_id, field="userId")
    if occurred_at is not None:
        occurred_at = require_aware(occurred_at, field="occurredAt")
        if occurred_at > now + MAX_CLOCK_SKEW:
            raise InvalidInputError(
                "occurredAt must not be more than 5 minutes in the future", field="occurredAt"
            )
    price = await resolve_pricing(
        provider=provider, model=model, environment_prices=environment_prices
    )
    cost = compute_cost(
        tokens_input=tokens_input,
        tokens_output=tokens_output,
        input_price_pico=price.input_price_pico,
        output_price_pico=price.output_price_pico,
    )
    payload: dict[str, Any] = {
        "user_id": user_id,
        "provider": provider,
        "model": model,
        "tokens_input": tokens_input,
        "tokens_output": tokens_output,
    }
    try:
        return await UsageLog.create(
            request_id=request_id,
            occurred_at=occurred_at or now,
            input_token_cost_pico=price.input_price_pico,
            output_token_cost_pico=price.output_price_pico,
            cost_input_pico=cost.input_pico,
            cost_output_pico=cost.output_pico,
            cost_total_pico=cost.total_pico,
            pricing_source=price.source,
            matched_model_name=price.matched_model_name,
            pricing_id=price.pricing.id if price.pricing else None,
            **payload,
        )
    except IntegrityError:
        # The unique request id decides races: whoever inserted first owns the record.
        original = await UsageLog.get_or_none(request_id=request_id)
        if original is None:
            raise
    differing = [name for name, value in payload.items() if getattr(original, name) != value]
    if occurred_at is not None and original.occurred_at != occurred_at:
        differing.append("occurred_at")
    if differing:
        raise ConflictError(
            f"requestId {request_id!r} was already recorded with a different "
            + ", ".join(_camel(name) for name in differing),
            field="requestId",
        )
    return original


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


def filter_query(usage_filter: UsageFilter) -> Q:
    """Return the WHERE clause of a filter, after checking its time range."""
    conditions: dict[str, Any] = {}
    if usage_filter.user_id is not None:
        conditions["user_id"] = usage_filter.user_id
    if usage_filter.provider is not None:
        conditions["provider"] = usage_filter.provider
    if usage_filter.model is not None:
        conditions["model"] = usage_filter.model
    if usage_filter.pricing_source is not None:
        conditions["pricing_source"] = usage_filter.pricing_source
    if usage_filter.occurred_from is not None:
        conditions["occurred_at__gte"] = require_aware(usage_filter.occurred_from, field="from")
    if usage_filter.occurred_to is not None:
        conditions["occurred_at__lt"] = require_aware(usage_filter.occurred_to, field="to")
    if (
        usage_filter.occurred_from is not None
        and usage_filter.occurred_to is not None
        and usage_filter.occurred_to <= usage_filter.occurred_from
    ):
        raise InvalidInputError("to must be later than from", field="to")
    return Q(**conditions)


async def list_usage_logs(
    *, usage_filter: UsageFilter, first: int, after: PageAfter | None, caller: Caller
) -> UsagePage:
    """Return up to `first` logs the caller may see, newest first, after `after`."""
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidInputError(f"first must be between 1 and {MAX_PAGE_SIZE}", field="first")
    query = UsageLog.filter(filter_query(narrow_to_caller(usage_filter, caller)))
    if after is not None:
        query = query.filter(
            Q(occurred_at__lt=after.occurred_at)
            | Q(occurred_at=after.occurred_at, id__lt=after.log_id)
        )
    logs = await query.order_by("-occurred_at", "-id").limit(first + 1)
    return UsagePage(logs=logs[:first], has_next_page=len(logs) > first)


async def usage_totals(*, usage_filter: UsageFilter, caller: Caller) -> UsageTotals:
    """Return exact request, token and cost totals of the matching logs the caller may see."""
    return await sum_usage(UsageLog.filter(filter_query(narrow_to_caller(usage_filter, caller))))
