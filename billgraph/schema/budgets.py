"""GraphQL operations of budgets and reservations. Resolvers stay thin.

Alert events and webhooks are in billgraph.schema.webhooks."""

from datetime import datetime, timedelta
from typing import Any

import strawberry
from strawberry.types import Info

from billgraph.schema.budget_types import (
    AuthorizeUsageInput,
    Budget,
    BudgetChange,
    BudgetStatus,
    CreateBudgetInput,
    Reservation,
    UpdateBudgetInput,
    parse_numeric_id,
)
from billgraph.schema.context import Context
from billgraph.schema.permissions import CanIngest, CanRead, IsAdmin
from billgraph.services.budgets import admin, reservations

RequestInfo = Info[Context, Any]


@strawberry.type
class BudgetQueries:
    @strawberry.field(
        description="The budgets that apply to the caller (a user-bound key: only its own).",
        permission_classes=[CanRead],
    )
    async def budgets(self, info: RequestInfo) -> list[Budget]:
        rows = await admin.list_budgets(caller=await info.context.caller())
        return [Budget.from_model(row) for row in rows]

    @strawberry.field(description="One budget the caller may see.", permission_classes=[CanRead])
    async def budget(self, info: RequestInfo, id: strawberry.ID) -> Budget:
        row = await admin.get_budget(
            budget_id=parse_numeric_id(id, field="id"), caller=await info.context.caller()
        )
        return Budget.from_model(row)

    @strawberry.field(
        description="Spent, reserved and remaining in the window containing `at` (default now).",
        permission_classes=[CanRead],
    )
    async def budget_status(
        self, info: RequestInfo, id: strawberry.ID, at: datetime | None = None
    ) -> BudgetStatus:
        row = await admin.get_budget(
            budget_id=parse_numeric_id(id, field="id"), caller=await info.context.caller()
        )
        status: BudgetStatus = await Budget.from_model(row).status(info, at)
        return status

    @strawberry.field(
        description="The audit trail of one budget, newest first (admin).",
        permission_classes=[IsAdmin],
    )
    async def budget_history(self, info: RequestInfo, id: strawberry.ID) -> list[BudgetChange]:
        rows = await admin.budget_history(budget_id=parse_numeric_id(id, field="id"))
        return [BudgetChange.from_model(row) for row in rows]

    @strawberry.field(
        description="An authorizeUsage reservation and its status.",
        permission_classes=[CanIngest],
    )
    async def reservation(self, info: RequestInfo, id: strawberry.ID) -> Reservation:
        row = await reservations.get_reservation(
            reservation_id=str(id), caller=await info.context.caller()
        )
        return Reservation.from_model(row, now=info.context.now())


@strawberry.type
class BudgetMutations:
    @strawberry.mutation(
        description="Create a budget; its current window counts the usage already in it (admin).",
        permission_classes=[IsAdmin],
    )
    async def create_budget(self, info: RequestInfo, input: CreateBudgetInput) -> Budget:
        row = await admin.create_budget(spec=input.to_service(), actor=await info.context.caller())
        return Budget.from_model(row)

    @strawberry.mutation(
        description="Change a budget; a new scope or window layout recounts its spend (admin).",
        permission_classes=[IsAdmin],
    )
    async def update_budget(
        self, info: RequestInfo, id: strawberry.ID, input: UpdateBudgetInput
    ) -> Budget:
        row = await admin.update_budget(
            budget_id=parse_numeric_id(id, field="id"),
            spec=input.to_service(),
            actor=await info.context.caller(),
        )
        return Budget.from_model(row)

    @strawberry.mutation(
        description="Delete a budget; its alert events stay (admin).",
        permission_classes=[IsAdmin],
    )
    async def delete_budget(self, info: RequestInfo, id: strawberry.ID) -> bool:
        await admin.delete_budget(
            budget_id=parse_numeric_id(id, field="id"), actor=await info.context.caller()
        )
        return True

    @strawberry.mutation(
        description=(
            "Ask before an LLM call: price its maximum with the pricing chain and hold it "
            "against every HARD budget that applies, or fail with FORBIDDEN and "
            "extensions.reason BUDGET_EXCEEDED naming the budget, its limit and what remains."
        ),
        permission_classes=[CanIngest],
    )
    async def authorize_usage(self, info: RequestInfo, input: AuthorizeUsageInput) -> Reservation:
        now = info.context.now()
        grant = await reservations.authorize_usage(
            request=input.to_service(),
            caller=await info.context.caller(),
            now=now,
            ttl=timedelta(seconds=info.context.settings.reservation_ttl_seconds),
            environment_prices=info.context.environment_prices,
            cache=info.context.pricing_cache,
        )
        return Reservation.from_model(grant.reservation, now=now, checks=grant.checks)

    @strawberry.mutation(
        description="Give a reservation's hold back (the call was not made).",
        permission_classes=[CanIngest],
    )
    async def release_reservation(self, info: RequestInfo, id: strawberry.ID) -> Reservation:
        now = info.context.now()
        row = await reservations.release_reservation(
            reservation_id=str(id), caller=await info.context.caller(), now=now
        )
        return Reservation.from_model(row, now=now)
