"""Budgets are cached per process, yet no usage escapes a budget created meanwhile."""

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from billgraph.models import BudgetWindowSpend
from billgraph.services import usage
from billgraph.services.budgets import admin, in_force
from billgraph.services.budgets.rules import BudgetSpec
from billgraph.services.budgets.verify import verify_budget_spend
from billgraph.services.pricing_cache import PricingCache
from tests.conftest import Database
from tests.test_budget_concurrency import ADMIN, PRICES
from tests.test_budget_verify import _usage

# The built-in estimate prices an unknown model at 1 USD per million tokens.
MICRO_USD_PICO = 10**6


def _connection() -> BaseDBAsyncClient:
    connection: BaseDBAsyncClient = connections.get(
        BudgetWindowSpend._meta.default_connection or "default"
    )
    return connection


async def _record(cache: PricingCache, user: str, tokens: int, now: datetime) -> None:
    await usage.record_usage(
        usage=_usage(user, tokens, now),
        now=now,
        environment_prices=PRICES,
        cache=cache,
        caller=ADMIN,
    )


async def test_a_worker_with_an_old_copy_of_the_budgets_still_counts_its_usage(
    orm: Database,
) -> None:
    now = datetime.now(UTC)
    cache = PricingCache()
    # This worker loaded the budgets when there were none ...
    stale = await in_force.reload_budgets(_connection())
    assert stale.budgets == ()
    # ... then another worker creates a budget and records against it (its window row exists).
    budget = await admin.create_budget(
        spec=BudgetSpec(name="alice", limit=Decimal(1), user_id="alice"), actor=ADMIN
    )
    await _record(cache, "alice", 1000, now)
    in_force._loaded.current = stale  # this worker has not heard of the budget yet

    await _record(cache, "alice", 2000, now)

    status = await admin.budget_status(budget=budget, at=now, now=now)
    assert status.spent_pico == 3000 * MICRO_USD_PICO
    assert await verify_budget_spend(_connection()) == []
    refreshed = await in_force.budgets_in_force(_connection())
    assert [b.id for b in refreshed.budgets] == [budget.id]


async def test_a_worker_with_an_old_copy_still_adds_to_a_deleted_budgets_nothing(
    orm: Database,
) -> None:
    now = datetime.now(UTC)
    cache = PricingCache()
    budget = await admin.create_budget(
        spec=BudgetSpec(name="bob", limit=Decimal(1), user_id="bob"), actor=ADMIN
    )
    await _record(cache, "bob", 1000, now)
    stale = await in_force.budgets_in_force(_connection())
    await admin.delete_budget(budget_id=budget.id, actor=ADMIN)
    in_force._loaded.current = stale

    await _record(cache, "bob", 2000, now)

    assert await BudgetWindowSpend.filter(budget_id=budget.id).count() == 0
    assert (await in_force.budgets_in_force(_connection())).budgets == ()


async def test_budgets_created_during_concurrent_ingest_count_every_log(orm: Database) -> None:
    if orm.dialect != "postgres":
        pytest.skip("SQLite has one writer at a time; this race needs PostgreSQL")
    now = datetime.now(UTC)
    cache = PricingCache()
    users = [f"user-{number}" for number in range(6)]

    async def ingest(user: str) -> None:
        for _ in range(15):
            await _record(cache, user, 1000, now)

    async def create_budgets() -> list[int]:
        created = []
        for user in users:
            await asyncio.sleep(0.01)
            budget = await admin.create_budget(
                spec=BudgetSpec(name=user, limit=Decimal(1), user_id=user), actor=ADMIN
            )
            created.append(budget.id)
        return created

    creating = asyncio.create_task(create_budgets())
    await asyncio.gather(*(ingest(user) for user in users))
    budget_ids = await creating

    assert await verify_budget_spend(_connection()) == []
    for budget_id in budget_ids:
        budget = await admin.get_budget(budget_id=budget_id, caller=ADMIN)
        status = await admin.budget_status(budget=budget, at=now, now=now)
        assert status.spent_pico == 15 * 1000 * MICRO_USD_PICO
