"""Asking before an LLM call: reservations held against HARD budgets, decided by the database.

A grant locks the spend row of every HARD budget window that applies, in budget id
order, then checks spent + live holds + this call's maximum cost against each limit
and inserts its holds before the transaction ends. On PostgreSQL the rows are locked
FOR UPDATE; on SQLite the transaction starts with a write, which takes the database's
single write lock at once. So however many requests or processes ask at the same
time, granted holds plus recorded spend never pass a HARD limit.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from billgraph.models import (
    Budget,
    BudgetHold,
    BudgetMode,
    BudgetReservation,
    ReservationStatus,
)
from billgraph.services.api_keys import Caller
from billgraph.services.budgets.scope import budget_window, covers, window_bounds
from billgraph.services.budgets.spend import (
    drop_expired_holds,
    held_in_window,
    window_spend_for_update,
)
from billgraph.services.budgets.windows import Window
from billgraph.services.costs import compute_cost, format_decimal, from_pico
from billgraph.services.errors import ForbiddenError, InvalidInputError, NotFoundError
from billgraph.services.model_names import clean_name
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.pricing_chain import EnvironmentPrices, ResolvedPrice, parse_service_tier
from billgraph.services.sql import dialect_of_connection
from billgraph.services.time_buckets import epoch_seconds
from billgraph.services.token_counts import TokenCounts

RESERVATION_PREFIX = "res_"
BUDGET_EXCEEDED = "BUDGET_EXCEEDED"


class BudgetExceededError(ForbiddenError):
    """A HARD budget has no room for the call; `details` names the budget and figures."""

    def __init__(self, *, budget: Budget, remaining_pico: int, requested_pico: int) -> None:
        limit = format_decimal(from_pico(budget.limit_pico))
        remaining = format_decimal(from_pico(remaining_pico))
        requested = format_decimal(from_pico(requested_pico))
        super().__init__(
            f"budget {{name!r}} (id {budget.id}) has {remaining} USD left of its "
            f"{limit} USD limit; this call may cost up to {requested} USD",
            name=budget.name,
        )
        self.details = {
            "reason": BUDGET_EXCEEDED,
            "budget_id": str(budget.id),
            "budget_name": budget.name,
            "limit": limit,
            "remaining": remaining,
            "requested": requested,
        }


@dataclass(frozen=True, slots=True)
class UsageRequest:
    """The most an upcoming call may use."""

    provider: str
    model: str
    max_tokens_input: int
    max_tokens_output: int
    user_id: str | None = None
    service_tier: str | None = None  # None: standard


@dataclass(frozen=True, slots=True)
class BudgetCheck:
    """One HARD budget a reservation is held against, as it stood after the grant."""

    budget: Budget
    window: Window
    spent_pico: int
    held_pico: int

    @property
    def remaining_pico(self) -> int:
        return max(0, int(self.budget.limit_pico) - self.spent_pico - self.held_pico)


@dataclass(frozen=True, slots=True)
class Grant:
    reservation: BudgetReservation
    price: ResolvedPrice
    checks: list[BudgetCheck]


async def authorize_usage(
    *,
    request: UsageRequest,
    caller: Caller,
    now: datetime,
    ttl: timedelta,
    environment_prices: EnvironmentPrices,
    cache: PricingCache,
) -> Grant:
    """Price the call's maximum and hold it against every HARD budget that applies.

    Raises BudgetExceededError (code FORBIDDEN) naming the first budget without room.
    """
    model = clean_name(request.model, field="model")
    user_id = clean_name(request.user_id, field="user_id") if request.user_id is not None else None
    user_id = _user_for_caller(user_id, caller)
    for field, value in (
        ("max_tokens_input", request.max_tokens_input),
        ("max_tokens_output", request.max_tokens_output),
    ):
        if value < 0:
            raise InvalidInputError("{field} must not be negative", field=field)
    service_tier = parse_service_tier(request.service_tier)
    snapshot = await cache.snapshot()
    # A prompt of max_tokens_input tokens picks the version's prompt-size tier.
    price = snapshot.resolve(
        provider=request.provider,
        model=model,
        environment_prices=environment_prices,
        at=now,
        service_tier=service_tier,
        prompt_tokens=request.max_tokens_input,
    )
    try:
        amount = compute_cost(
            TokenCounts(input=request.max_tokens_input, output=request.max_tokens_output),
            price.prices,
        ).total_pico
    except InvalidInputError:
        raise InvalidInputError(
            "{field} and {max_tokens_output} at this price exceed the largest cost",
            field="max_tokens_input",
            mentions=("max_tokens_output",),
        ) from None
    reservation = BudgetReservation(
        id=RESERVATION_PREFIX + uuid.uuid4().hex,
        status=ReservationStatus.HELD,
        amount_pico=amount,
        user_id=user_id,
        api_key_id=caller.key_id,
        provider=request.provider,
        model=model,
        created_at=now,
        expires_at=now + ttl,
    )
    async with in_transaction() as connection:
        # Written first: on SQLite this takes the write lock before anything is read.
        await reservation.save(using_db=connection)
        budgets = [
            budget
            for budget in await Budget.filter(mode=BudgetMode.HARD)
            .order_by("id")
            .using_db(connection)
            if covers(
                budget,
                user_id=user_id,
                api_key_id=caller.key_id,
                provider=request.provider,
                model=model,
            )
        ]
        checks = [
            await _check_room(connection, budget=budget, amount=amount, now=now)
            for budget in budgets
        ]
        for check in checks:
            await connection.execute_query(*_hold_sql(connection, reservation, check))
    return Grant(reservation=reservation, price=price, checks=checks)


async def _check_room(
    connection: BaseDBAsyncClient, *, budget: Budget, amount: int, now: datetime
) -> BudgetCheck:
    window = budget_window(budget, now)
    spend = await window_spend_for_update(connection, budget=budget, window=window)
    await drop_expired_holds(connection, budget_id=budget.id, window=window, now=now)
    held = await held_in_window(connection, budget_id=budget.id, window=window, now=now)
    room = budget.limit_pico - spend.spent_pico - held
    if amount > room:
        raise BudgetExceededError(budget=budget, remaining_pico=max(0, room), requested_pico=amount)
    return BudgetCheck(
        budget=budget, window=window, spent_pico=spend.spent_pico, held_pico=held + amount
    )


def _hold_sql(
    connection: BaseDBAsyncClient, reservation: BudgetReservation, check: BudgetCheck
) -> tuple[str, list[object]]:
    values: list[object] = [
        reservation.id,
        check.budget.id,
        window_bounds(check.window)[0],
        reservation.amount_pico,
        epoch_seconds(reservation.expires_at),
    ]
    placeholders = ", ".join(dialect_of_connection(connection).placeholders(len(values)))
    return (
        "INSERT INTO budget_holds "  # noqa: S608
        "(reservation_id, budget_id, window_start, amount_pico, expires_at) "
        f"VALUES ({placeholders})",
        values,
    )


async def release_reservation(
    *, reservation_id: str, caller: Caller, now: datetime
) -> BudgetReservation:
    """Drop a reservation's holds (the call was not made); releasing twice is harmless."""
    reservation_id = clean_name(reservation_id, field="id")
    async with in_transaction() as connection:
        reservation = await BudgetReservation.filter(id=reservation_id).using_db(connection).first()
        if reservation is None or not _visible_to(reservation, caller):
            raise NotFoundError(
                "no reservation with id {reservation_id!r}",
                field="id",
                reservation_id=reservation_id,
            )
        if reservation.status is ReservationStatus.HELD:
            await (
                BudgetReservation.filter(id=reservation_id)
                .using_db(connection)
                .update(status=ReservationStatus.RELEASED, closed_at=now)
            )
            await BudgetHold.filter(reservation_id=reservation_id).using_db(connection).delete()
            reservation.status = ReservationStatus.RELEASED
            reservation.closed_at = now
    return reservation


async def get_reservation(*, reservation_id: str, caller: Caller) -> BudgetReservation:
    """Return one reservation the caller may see."""
    reservation: BudgetReservation | None = await BudgetReservation.get_or_none(
        id=reservation_id.strip()
    )
    if reservation is None or not _visible_to(reservation, caller):
        raise NotFoundError(
            "no reservation with id {reservation_id!r}", field="id", reservation_id=reservation_id
        )
    return reservation


def status_at(reservation: BudgetReservation, now: datetime) -> ReservationStatus:
    """Return HELD, RECORDED, RELEASED, or EXPIRED for a held reservation past its time."""
    if reservation.status is ReservationStatus.HELD and reservation.expires_at <= now:
        return ReservationStatus.EXPIRED
    return reservation.status


def _user_for_caller(user_id: str | None, caller: Caller) -> str | None:
    bound = caller.bound_user_id
    if bound is None:
        return user_id
    if user_id is not None and user_id != bound:
        raise ForbiddenError(
            "This API key may only use the usage of user {bound!r}", field="user_id", bound=bound
        )
    return bound


def _visible_to(reservation: BudgetReservation, caller: Caller) -> bool:
    bound = caller.bound_user_id
    return bound is None or reservation.user_id == bound
