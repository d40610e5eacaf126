"""`billgraph budgets verify`: every budget window's spend against the usage logs."""

from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient

from billgraph.models import Budget, BudgetWindowSpend
from billgraph.services.budgets.scope import ESTIMATED_SUM_SQL, logs_in_window_sql
from billgraph.services.budgets.windows import Window
from billgraph.services.sql import Params, dialect_of_connection
from billgraph.services.time_buckets import from_epoch_seconds


@dataclass(frozen=True, slots=True)
class SpendDifference:
    budget_id: int
    window_start: int
    stored: tuple[int, int]
    from_logs: tuple[int, int]


async def verify_budget_spend(connection: BaseDBAsyncClient) -> list[SpendDifference]:
    """Return every window whose (spent, estimated) differs from the sums of its logs."""
    budgets = {budget.id: budget for budget in await Budget.all().using_db(connection)}
    differences = []
    rows = await BudgetWindowSpend.all().using_db(connection).order_by("budget_id", "window_start")
    for row in rows:
        budget = budgets.get(row.budget_id)
        if budget is None:
            continue
        window = Window(
            start=from_epoch_seconds(row.window_start),
            end=from_epoch_seconds(row.window_end) if row.window_end is not None else None,
        )
        params = Params(dialect_of_connection(connection))
        where = logs_in_window_sql(budget, window, params)
        sums = await connection.execute_query_dict(
            "SELECT COALESCE(SUM(cost_total_pico), 0) AS spent, "  # noqa: S608
            f"{ESTIMATED_SUM_SQL} AS estimated FROM api_usage_logs WHERE {where}",
            params.values,
        )
        from_logs = (int(sums[0]["spent"]), int(sums[0]["estimated"]))
        stored = (row.spent_pico, row.estimated_pico)
        if stored != from_logs:
            differences.append(SpendDifference(row.budget_id, row.window_start, stored, from_logs))
    return differences
