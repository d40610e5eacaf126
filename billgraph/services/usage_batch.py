"""Turning reported calls into priced log rows: validation and pricing of a batch, no I/O.

The work is cut into slices with a yield to the event loop between them, so a batch of
10,000 records never holds the loop for more than a few milliseconds.
"""

import asyncio
import uuid
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from billgraph.models import ServiceTier
from billgraph.services.api_keys import Caller
from billgraph.services.costs import compute_cost
from billgraph.services.errors import (
    BillingError,
    ConflictError,
    ForbiddenError,
    InvalidInputError,
)
from billgraph.services.model_names import clean_name
from billgraph.services.pricing_chain import (
    EnvironmentPrices,
    PricingSnapshot,
    ResolvedPrice,
    TierChoice,
    microseconds_since_epoch,
    parse_service_tier,
)
from billgraph.services.provider_ids import provider_id
from billgraph.services.times import require_aware
from billgraph.services.token_counts import TokenCounts
from billgraph.services.usage_fields import LOG_COLUMNS, PAYLOAD_COLUMNS

MAX_CLOCK_SKEW = timedelta(minutes=5)
EARLIEST_OCCURRED_AT = datetime(2000, 1, 1, tzinfo=UTC)
# Items validated and priced between two yields to the event loop (about 1 ms of CPU).
SLICE = 100
_POSITION = {column: position for position, column in enumerate(LOG_COLUMNS)}
REQUEST_ID = _POSITION["request_id"]
OCCURRED_AT = _POSITION["occurred_at"]


@dataclass(frozen=True, slots=True)
class UsageInput:
    """One LLM call as a caller reports it."""

    provider: str
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
    service_tier: str | None = None  # a ServiceTier value in any case; None: standard


class UsageLike(Protocol):
    """What a batch item must offer: UsageInput, or a decoded wire record with its fields."""

    @property
    def provider(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def tokens_input(self) -> int: ...
    @property
    def tokens_output(self) -> int: ...
    @property
    def request_id(self) -> str | None: ...
    @property
    def user_id(self) -> str | None: ...
    @property
    def occurred_at(self) -> datetime | None: ...
    @property
    def tokens_cached_input(self) -> int: ...
    @property
    def tokens_cache_write(self) -> int: ...
    @property
    def tokens_reasoning(self) -> int: ...
    @property
    def reservation_id(self) -> str | None: ...
    @property
    def service_tier(self) -> str | None: ...


class BatchItemError(Exception):
    """A domain error about the item at `index` of a batch; nothing was written."""

    def __init__(self, index: int, error: BillingError) -> None:
        super().__init__(error.message)
        self.index = index
        self.error = error


@dataclass(slots=True)
class PricedBatch:
    """The rows to store, one per distinct request id, in LOG_COLUMNS order.

    `row_of_item[i]` is the row of input item i (repeats of a request id share one);
    `time_given[r]` says whether row r's caller sent occurredAt (a replay must match it).
    """

    rows: list[tuple[Any, ...]] = field(default_factory=list)
    first_item: list[int] = field(default_factory=list)
    time_given: list[bool] = field(default_factory=list)
    row_of_item: list[int] = field(default_factory=list)
    # request id -> the authorizeUsage reservation its record settles
    reservations: dict[str, str] = field(default_factory=dict)


async def price_batch(
    usages: Sequence[UsageLike],
    *,
    caller: Caller,
    now: datetime,
    snapshot: PricingSnapshot,
    environment_prices: EnvironmentPrices,
) -> PricedBatch:
    """Return the priced rows of `usages`; raise BatchItemError for the first bad item."""
    batch = PricedBatch()
    prices = _BatchPrices(snapshot, environment_prices)
    row_of_request: dict[str, int] = {}
    bound = caller.bound_user_id  # once per batch: the ADMIN check hashes an enum
    for start in range(0, len(usages), SLICE):
        if start:
            await asyncio.sleep(0)
        for index in range(start, min(start + SLICE, len(usages))):
            try:
                row, time_given = _priced_row(
                    usages[index], caller=caller, bound=bound, now=now, prices=prices
                )
            except BillingError as error:
                raise BatchItemError(index, error) from None
            request_id = row[REQUEST_ID]
            earlier = row_of_request.get(request_id)
            if earlier is None:
                row_of_request[request_id] = len(batch.rows)
                batch.row_of_item.append(len(batch.rows))
                batch.rows.append(row)
                batch.first_item.append(index)
                batch.time_given.append(time_given)
                if usage_reservation := usages[index].reservation_id:
                    batch.reservations[request_id] = clean_name(
                        usage_reservation, field="reservation_id"
                    )
                continue
            difference = differing_columns(
                batch.rows[earlier], row, compare_time=time_given and batch.time_given[earlier]
            )
            if difference:
                raise BatchItemError(index, conflict_error(request_id, difference, caller))
            batch.row_of_item.append(earlier)
    return batch


class _BatchPrices:
    """The snapshot's prices, each resolved once per model and price period of a batch."""

    def __init__(self, snapshot: PricingSnapshot, environment_prices: EnvironmentPrices):
        self.snapshot = snapshot
        self.environment_prices = environment_prices
        self.change_points: dict[tuple[str, str], list[int]] = {}
        self.resolved: dict[tuple[str, str, int], ResolvedPrice] = {}
        # The tiers of a tiered version for one service tier, by prompt size.
        self.choices: dict[tuple[str, str, int, ServiceTier], TierChoice] = {}
        self.provider_ids: dict[str, str] = {}  # as sent -> checked slug
        self.service_tiers: dict[str | None, ServiceTier] = {}  # as sent -> checked tier

    def provider(self, sent: str) -> str:
        slug = self.provider_ids.get(sent)
        if slug is None:
            slug = self.provider_ids[sent] = provider_id(sent)
        return slug

    def service_tier(self, sent: str | None) -> ServiceTier:
        if sent is None:  # the common case: no look-up
            return ServiceTier.STANDARD
        tier = self.service_tiers.get(sent)
        if tier is None:
            tier = self.service_tiers[sent] = parse_service_tier(sent)
        return tier

    def price(
        self, provider: str, model: str, at: datetime, service_tier: ServiceTier, prompt: int
    ) -> ResolvedPrice:
        """Return the price of a call: its version's, at the tier its service tier and
        prompt size pick (resolved once per model and period, tiers once per service tier)."""
        points = self.change_points.get((provider, model))
        if points is None:
            points = self.snapshot.change_points(provider=provider, model=model)
            self.change_points[provider, model] = points
        period = bisect_right(points, microseconds_since_epoch(at))
        price = self.resolved.get((provider, model, period))
        if price is None:
            price = self.snapshot.resolve(
                provider=provider,
                model=model,
                environment_prices=self.environment_prices,
                at=at,
            )
            self.resolved[provider, model, period] = price
        if not price.tiers:
            return price
        choice = self.choices.get((provider, model, period, service_tier))
        if choice is None:
            choice = self.choices[provider, model, period, service_tier] = price.tier_choice(
                service_tier
            )
        return choice.pick(prompt)


def _priced_row(
    usage: UsageLike,
    *,
    caller: Caller,
    bound: str | None,
    now: datetime,
    prices: _BatchPrices,
) -> tuple[tuple[Any, ...], bool]:
    occurred_at = usage.occurred_at
    if occurred_at is not None:
        occurred_at = require_aware(occurred_at, field="occurred_at")
        if occurred_at > now + MAX_CLOCK_SKEW:
            raise InvalidInputError(
                "{field} must not be more than 5 minutes in the future", field="occurred_at"
            )
        if occurred_at < EARLIEST_OCCURRED_AT:
            raise InvalidInputError("{field} must be after 2000-01-01", field="occurred_at")
    user_id = clean_name(usage.user_id, field="user_id") if usage.user_id is not None else None
    model = clean_name(usage.model, field="model")
    request_id = (
        clean_name(usage.request_id, field="request_id")
        if usage.request_id is not None
        else str(uuid.uuid4())
    )
    at = occurred_at or now
    provider = prices.provider(usage.provider)
    service_tier = prices.service_tier(usage.service_tier)
    tokens = TokenCounts.of_row(usage)
    price = prices.price(provider, model, at, service_tier, tokens.input)
    unit = price.prices
    cost = compute_cost(tokens, unit)  # checks the token counts too
    row = (
        request_id,
        user_id if bound is None else _bound_user(user_id, bound),
        provider,
        model,
        service_tier.value,
        *tokens.as_tuple(),
        *unit.as_tuple(),
        *cost.as_tuple(),
        price.source.value,
        price.matched_model_name,
        price.pricing.id if price.pricing else None,
        price.service_tier.value,
        price.above_prompt_tokens,
        caller.key_id,
        at,
    )
    return row, occurred_at is not None


def user_for_caller(user_id: str | None, caller: Caller) -> str | None:
    """Return the user a record or filter is for; a user-bound key may name only its user."""
    bound = caller.bound_user_id
    return user_id if bound is None else _bound_user(user_id, bound)


def _bound_user(user_id: str | None, bound: str) -> str:
    if user_id is not None and user_id != bound:
        raise ForbiddenError(
            "This API key may only use the usage of user {bound!r}", field="user_id", bound=bound
        )
    return bound


_PAYLOAD_POSITIONS = {column: _POSITION[column] for column in PAYLOAD_COLUMNS}


def differing_columns(
    stored: Sequence[Any], sent: Sequence[Any], *, compare_time: bool
) -> list[str]:
    """Return the payload columns in which a replay differs from the stored row."""
    differing = [
        column
        for column, position in _PAYLOAD_POSITIONS.items()
        if stored[position] != sent[position]
    ]
    if compare_time and stored[OCCURRED_AT] != sent[OCCURRED_AT]:
        differing.append("occurred_at")
    return differing


def conflict_error(request_id: str, differing: list[str], caller: Caller) -> BillingError:
    """Return the CONFLICT for a reused request id.

    A user-bound key learns nothing about the stored record (it may be another user's):
    its message never says which fields differ.
    """
    if caller.bound_user_id is not None:
        return ConflictError(
            "{field} {request_id!r} is already used by another record",
            field="request_id",
            request_id=request_id,
        )
    return ConflictError(
        "{field} {request_id!r} was already recorded with a different "
        + ", ".join("{" + column + "}" for column in differing),
        field="request_id",
        mentions=differing,
        request_id=request_id,
    )
