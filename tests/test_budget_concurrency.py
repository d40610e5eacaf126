"""HARD limits under concurrency, decided by the database (service level, both databases)."""

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from billgraph.models import ApiKeyScope, BudgetHold, Provider, ReservationStatus
from billgraph.services.api_keys import Caller
from billgraph.services.budgets import admin, reservations
from billgraph.services.budgets.rules import BudgetSpec
from billgraph.services.errors import NotFoundError
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.pricing_chain import EnvironmentPrices
from tests.conftest import Database

ADMIN = Caller(key_id=None, name="test", scopes=frozenset({ApiKeyScope.ADMIN}))
PRICES = EnvironmentPrices(
    input_token_cost=Decimal("0.000001"), output_token_cost=Decimal("0.000003")
)
# An unknown model is priced by the built-in estimate: 1 USD per million tokens.
REQUEST = reservations.UsageRequest(
    provider=Provider.OPENAI, model="unpriced-model", max_tokens_input=1000, max_tokens_output=0
)


async def _authorize(cache: PricingCache, now: datetime) -> reservations.Grant | None:
    try:
        return await reservations.authorize_usage(
            request=REQUEST,
            caller=ADMIN,
            now=now,
            ttl=timedelta(minutes=10),
            environment_prices=PRICES,
            cache=cache,
        )
    except reservations.BudgetExceededError:
        return None


async def test_fifty_parallel_authorizations_grant_exactly_what_fits(orm: Database) -> None:
    budget = await admin.create_budget(
        spec=BudgetSpec(name="fits ten", limit=Decimal("0.01")), actor=ADMIN
    )
    cache = PricingCache()
    now = datetime.now(UTC)
    warmup = await _authorize(cache, now)  # creates the window row, so nothing waits on it
    assert warmup is not None
    await reservations.release_reservation(
        reservation_id=warmup.reservation.id, caller=ADMIN, now=now
    )
    grants = await asyncio.gather(*(_authorize(cache, now) for _ in range(50)))
    assert sum(grant is not None for grant in grants) == 10
    held = await BudgetHold.filter(budget_id=budget.id).all()
    assert sum(hold.amount_pico for hold in held) == 10 * 10**9


async def test_expired_reservations_stop_holding(orm: Database) -> None:
    await admin.create_budget(spec=BudgetSpec(name="one", limit=Decimal("0.001")), actor=ADMIN)
    cache = PricingCache()
    now = datetime.now(UTC)
    assert await _authorize(cache, now) is not None
    assert await _authorize(cache, now) is None
    later = now + timedelta(minutes=10)
    grant = await _authorize(cache, later)
    assert grant is not None
    assert reservations.status_at(grant.reservation, later + timedelta(minutes=10)) is (
        ReservationStatus.EXPIRED
    )
    with pytest.raises(NotFoundError):
        await reservations.release_reservation(reservation_id="res_nope", caller=ADMIN, now=now)
