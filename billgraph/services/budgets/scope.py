"""Which usage a budget covers: the same rule in Python (for new spend) and SQL (for logs)."""

from datetime import datetime

from billgraph.models import Budget
from billgraph.services.budgets.windows import Window, WindowRule, window_at
from billgraph.services.sql import Params, estimated_cost_sql
from billgraph.services.time_buckets import epoch_seconds


def rule_of(budget: Budget) -> WindowRule:
    """Return how a budget's windows are laid out."""
    return WindowRule(
        period=budget.period,
        time_zone=budget.time_zone,
        anchor_day=budget.anchor_day,
        anchor_hour=budget.anchor_hour,
    )


def budget_window(budget: Budget, moment: datetime) -> Window:
    """Return the budget's window that contains `moment`."""
    return window_at(rule_of(budget), moment)


def covers(
    budget: Budget,
    *,
    user_id: str | None,
    api_key_id: int | None,
    provider: str,
    model: str,
) -> bool:
    """Return True when usage with these fields counts against the budget."""
    return (
        (budget.user_id is None or budget.user_id == user_id)
        and (budget.api_key_id is None or budget.api_key_id == api_key_id)
        and (budget.provider is None or budget.provider == provider)
        and (budget.model is None or budget.model == model)
    )


def window_bounds(window: Window) -> tuple[int, int | None]:
    """Return a window as whole epoch seconds (zone offsets are whole seconds)."""
    start = epoch_seconds(window.start)
    return start, epoch_seconds(window.end) if window.end is not None else None


def logs_in_window_sql(budget: Budget, window: Window, params: Params) -> str:
    """Return the WHERE clause (without WHERE) of the logs a budget window covers."""
    conditions = ["1 = 1"]
    for column, value in (
        ("user_id", budget.user_id),
        ("api_key_id", budget.api_key_id),
        ("provider", budget.provider),
        ("model", budget.model),
    ):
        if value is not None:
            conditions.append(f"{column} = {params.add(value)}")
    start, end = window_bounds(window)
    occurred = params.dialect.epoch_seconds("occurred_at")
    if start > 0:
        conditions.append(f"{occurred} >= {params.add(start)}")
    if end is not None:
        conditions.append(f"{occurred} < {params.add(end)}")
    return " AND ".join(conditions)


ESTIMATED_SUM_SQL = f"COALESCE(SUM({estimated_cost_sql()}), 0)"
