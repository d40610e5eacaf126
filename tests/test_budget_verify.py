"""Budget spend stays equal to the logs (batches, backfills, reservations); verify notices drift."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from billgraph.cli import app
from billgraph.models import (
    BudgetPeriod,
    BudgetReservation,
    BudgetWindowSpend,
    Provider,
    ReservationStatus,
)
from billgraph.services import usage
from billgraph.services.budgets import admin, reservations
from billgraph.services.budgets.rules import BudgetSpec
from billgraph.services.budgets.verify import verify_budget_spend
from billgraph.services.pricing_cache import PricingCache
from tests.conftest import Database
from tests.test_budget_concurrency import ADMIN, PRICES


def _usage(user: str, tokens: int, occurred_at: datetime, **extra: object) -> usage.UsageInput:
    return usage.UsageInput(
        provider=Provider.OPENAI,
        model="unpriced-model",
        tokens_input=tokens,
        tokens_output=0,
        user_id=user,
        occurred_at=occurred_at,
        **extra,  # type: ignore[arg-type]
    )


async def test_batches_backfills_and_reservations_keep_spend_equal_to_the_logs(
    orm: Database,
) -> None:
    now = datetime.now(UTC)
    cache = PricingCache()
    daily = await admin.create_budget(
        spec=BudgetSpec(
            name="daily alice", limit=Decimal(1), period=BudgetPeriod.DAY, user_id="alice"
        ),
        actor=ADMIN,
    )
    await admin.create_budget(spec=BudgetSpec(name="all", limit=Decimal(5)), actor=ADMIN)
    grant = await reservations.authorize_usage(
        request=reservations.UsageRequest(
            provider=Provider.OPENAI,
            model="unpriced-model",
            max_tokens_input=5000,
            max_tokens_output=0,
            user_id="alice",
        ),
        caller=ADMIN,
        now=now,
        ttl=timedelta(minutes=5),
        environment_prices=PRICES,
        cache=cache,
    )
    batch = [
        _usage("alice", 1000, now, reservation_id=grant.reservation.id),
        _usage("bob", 2000, now),
        _usage("alice", 3000, now - timedelta(days=3)),  # an older window, first seen now
        _usage("alice", 4000, now - timedelta(days=3)),
    ]
    result = await usage.record_usage_batch(
        usages=batch, now=now, environment_prices=PRICES, cache=cache, caller=ADMIN
    )
    assert result.created == 4
    # A replay adds nothing.
    await usage.record_usage_batch(
        usages=[_usage("bob", 2000, now, request_id=result.logs[1].request_id)],
        now=now,
        environment_prices=PRICES,
        cache=cache,
        caller=ADMIN,
    )
    assert await verify_budget_spend(BudgetWindowSpend._meta.db) == []
    status = await admin.budget_status(budget=daily, at=now, now=now)
    assert status.spent_pico == 1000 * 10**6
    assert status.reserved_pico == 0
    reservation = await BudgetReservation.get(id=grant.reservation.id)
    assert reservation.status is ReservationStatus.RECORDED

    await BudgetWindowSpend.filter(budget_id=daily.id).update(spent_pico=1)
    differences = await verify_budget_spend(BudgetWindowSpend._meta.db)
    assert {difference.budget_id for difference in differences} == {daily.id}


def test_budgets_verify_on_a_fresh_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no developer's .env file
    result = CliRunner().invoke(
        app,
        ["--create-database", "budgets", "verify"],
        env={"DATABASE_URL": f"sqlite://{tmp_path / 'v.sqlite3'}"},
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["budget spend matches the logs"]
