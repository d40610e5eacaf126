"""Budgets: create, update and delete (audited), list what a caller may see, status."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from billgraph.models import (
    ApiKey,
    Budget,
    BudgetAudit,
    BudgetAuditAction,
    BudgetHold,
    BudgetWindowSpend,
)
from billgraph.services.api_keys import Caller
from billgraph.services.budgets.in_force import budgets_changing
from billgraph.services.budgets.rules import (
    BudgetSpec,
    CheckedBudget,
    check_budget,
    parse_thresholds,
)
from billgraph.services.budgets.scope import budget_window
from billgraph.services.budgets.spend import held_in_window, percent_used, window_spend
from billgraph.services.budgets.windows import Window
from billgraph.services.costs import format_decimal, from_pico
from billgraph.services.errors import InvalidInputError, NotFoundError
from billgraph.services.sql import dialect_of_connection

# Changing any of these changes which logs or which windows the budget counts.
_WINDOW_DEFINING = (
    "period",
    "time_zone",
    "anchor_day",
    "anchor_hour",
    "user_id",
    "api_key_id",
    "provider",
    "model",
)
MAX_BUDGET_ID = 2**31 - 1


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    """Where a budget stands in the window containing a moment."""

    budget: Budget
    window: Window
    spent_pico: int
    estimated_pico: int
    reserved_pico: int

    @property
    def remaining_pico(self) -> int:
        return max(0, int(self.budget.limit_pico) - self.spent_pico - self.reserved_pico)

    @property
    def percent_used(self) -> str:
        return percent_used(spent_pico=self.spent_pico, limit_pico=self.budget.limit_pico)

    @property
    def exceeded(self) -> bool:
        """True when recorded spend is over the limit."""
        return self.spent_pico > int(self.budget.limit_pico)


def checked_of(budget: Budget) -> CheckedBudget:
    """Return a stored budget as the rules see it."""
    return CheckedBudget(
        name=budget.name,
        limit_pico=budget.limit_pico,
        period=budget.period,
        mode=budget.mode,
        time_zone=budget.time_zone,
        anchor_day=budget.anchor_day,
        anchor_hour=budget.anchor_hour,
        thresholds=parse_thresholds(budget.thresholds),
        user_id=budget.user_id,
        api_key_id=budget.api_key_id,
        provider=budget.provider,
        model=budget.model,
    )


def audit_values(budget: CheckedBudget) -> dict[str, Any]:
    """Return a budget's audited values, the limit as an exact Decimal string."""
    return {
        "name": budget.name,
        "limit": format_decimal(from_pico(budget.limit_pico)),
        "period": budget.period.value,
        "mode": budget.mode.value,
        "timeZone": budget.time_zone,
        "anchorDay": budget.anchor_day,
        "anchorHour": budget.anchor_hour,
        "thresholds": list(budget.thresholds),
        "userId": budget.user_id,
        "apiKeyId": budget.api_key_id,
        "provider": budget.provider,
        "model": budget.model,
    }


async def _check_scope_exists(checked: CheckedBudget) -> None:
    if checked.api_key_id is not None and (
        checked.api_key_id > MAX_BUDGET_ID or not await ApiKey.exists(id=checked.api_key_id)
    ):
        raise InvalidInputError(
            f"{{field}} {checked.api_key_id} names no API key", field="api_key_id"
        )


async def _audit(
    connection: BaseDBAsyncClient,
    *,
    action: BudgetAuditAction,
    budget_id: int,
    actor: Caller,
    old: CheckedBudget | None,
    new: CheckedBudget | None,
) -> None:
    await BudgetAudit.create(
        using_db=connection,
        action=action,
        budget_id=budget_id,
        api_key_id=actor.key_id,
        api_key_name=actor.name,
        old_values=audit_values(old) if old else None,
        new_values=audit_values(new) if new else None,
    )


async def create_budget(*, spec: BudgetSpec, actor: Caller) -> Budget:
    """Create a budget; its current window counts the usage already in it."""
    checked = check_budget(spec)
    await _check_scope_exists(checked)
    async with in_transaction() as connection:
        await budgets_changing(connection)
        budget = await Budget.create(using_db=connection, **checked.columns())
        await _audit(
            connection,
            action=BudgetAuditAction.CREATE,
            budget_id=budget.id,
            actor=actor,
            old=None,
            new=checked,
        )
    return budget


async def update_budget(*, budget_id: int, spec: BudgetSpec, actor: Caller) -> Budget:
    """Change a budget; changing its scope or windows recounts its spend from the logs."""
    async with in_transaction() as connection:
        await budgets_changing(connection)
        budget = await _get_for_update(connection, budget_id)
        old = checked_of(budget)
        new = check_budget(spec, current=old)
        await _check_scope_exists(new)
        if any(getattr(old, name) != getattr(new, name) for name in _WINDOW_DEFINING):
            # Window rows are rebuilt from the logs on next use; holds keep their windows.
            await BudgetWindowSpend.filter(budget_id=budget.id).using_db(connection).delete()
        budget.update_from_dict(new.columns())
        await budget.save(using_db=connection)
        await _audit(
            connection,
            action=BudgetAuditAction.UPDATE,
            budget_id=budget.id,
            actor=actor,
            old=old,
            new=new,
        )
    return budget


async def delete_budget(*, budget_id: int, actor: Caller) -> Budget:
    """Delete a budget and its spend rows; its alert events stay for the record."""
    async with in_transaction() as connection:
        await budgets_changing(connection)
        budget = await _get_for_update(connection, budget_id)
        await BudgetWindowSpend.filter(budget_id=budget.id).using_db(connection).delete()
        await BudgetHold.filter(budget_id=budget.id).using_db(connection).delete()
        await budget.delete(using_db=connection)
        await _audit(
            connection,
            action=BudgetAuditAction.DELETE,
            budget_id=budget.id,
            actor=actor,
            old=checked_of(budget),
            new=None,
        )
    return budget


async def _get_for_update(connection: BaseDBAsyncClient, budget_id: int) -> Budget:
    budget = None
    if budget_id <= MAX_BUDGET_ID:
        query = Budget.filter(id=budget_id).using_db(connection)
        if dialect_of_connection(connection).locks_rows:
            query = query.select_for_update()
        budget = await query.first()
    if budget is None:
        raise NotFoundError(f"no budget with id {budget_id}", field="id")
    return budget


def _visible(caller: Caller) -> Q:
    """Budgets a caller may see: all for unbound keys; a user-bound key only its own."""
    if caller.bound_user_id is None:
        return Q()
    mine = Q(user_id=caller.bound_user_id)
    if caller.key_id is not None:
        mine |= Q(api_key_id=caller.key_id)
    return mine


async def list_budgets(*, caller: Caller) -> list[Budget]:
    """Return the budgets the caller may see, by id."""
    return await Budget.filter(_visible(caller)).order_by("id")


async def get_budget(*, budget_id: int, caller: Caller) -> Budget:
    """Return one budget the caller may see, or raise NotFoundError."""
    budget = (
        await Budget.filter(_visible(caller), id=budget_id).first()
        if budget_id <= MAX_BUDGET_ID
        else None
    )
    if budget is None:
        raise NotFoundError(f"no budget with id {budget_id}", field="id")
    return budget


async def budget_status(*, budget: Budget, at: datetime, now: datetime) -> BudgetStatus:
    """Return the budget's spend, live holds and room in the window containing `at`."""
    window = budget_window(budget, at)
    connection = Budget._meta.db
    spend = await window_spend(connection, budget=budget, window=window)
    reserved = await held_in_window(connection, budget_id=budget.id, window=window, now=now)
    return BudgetStatus(
        budget=budget,
        window=window,
        spent_pico=spend.spent_pico,
        estimated_pico=spend.estimated_pico,
        reserved_pico=reserved,
    )


async def budget_history(*, budget_id: int) -> list[BudgetAudit]:
    """Return the audit trail of one budget, newest first."""
    return await BudgetAudit.filter(budget_id=budget_id).order_by("-id").limit(500)
