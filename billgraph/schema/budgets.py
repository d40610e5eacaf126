"""GraphQL operations of budgets, reservations and webhooks. Resolvers stay thin."""

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
from billgraph.schema.connection import Edge
from billgraph.schema.context import Context
from billgraph.schema.enums import DeliveryStatus
from billgraph.schema.pagination import decode_row_cursor, encode_row_cursor
from billgraph.schema.permissions import CanIngest, CanRead, IsAdmin
from billgraph.schema.webhook_types import (
    AlertEvent,
    AlertEventConnection,
    CreatedWebhookEndpoint,
    WebhookDelivery,
    WebhookDeliveryConnection,
    WebhookEndpoint,
)
from billgraph.services import webhooks
from billgraph.services.budgets import admin, reservations

RequestInfo = Info[Context, Any]
DEFAULT_PAGE = 50


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

    @strawberry.field(
        description="Budget alert events, newest first (admin).", permission_classes=[IsAdmin]
    )
    async def alert_events(
        self,
        info: RequestInfo,
        budget_id: strawberry.ID | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> AlertEventConnection:
        rows, has_next = await webhooks.list_events(
            first=first,
            after_id=decode_row_cursor("event", after) if after is not None else None,
            budget_id=parse_numeric_id(budget_id, field="budgetId") if budget_id else None,
        )
        return AlertEventConnection.of(
            [
                Edge(node=AlertEvent.from_model(row), cursor=encode_row_cursor("event", row.id))
                for row in rows
            ],
            has_next_page=has_next,
        )

    @strawberry.field(
        description="Webhook deliveries and their status, newest first (admin).",
        permission_classes=[IsAdmin],
    )
    async def webhook_deliveries(
        self,
        info: RequestInfo,
        status: DeliveryStatus | None = None,
        event_id: strawberry.ID | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> WebhookDeliveryConnection:
        rows, has_next = await webhooks.list_deliveries(
            first=first,
            after_id=decode_row_cursor("delivery", after) if after is not None else None,
            status=status,
            event_id=parse_numeric_id(event_id, field="eventId") if event_id else None,
        )
        return WebhookDeliveryConnection.of(
            [
                Edge(
                    node=WebhookDelivery.from_model(row),
                    cursor=encode_row_cursor("delivery", row.id),
                )
                for row in rows
            ],
            has_next_page=has_next,
        )

    @strawberry.field(
        description="Registered webhook endpoints (admin).", permission_classes=[IsAdmin]
    )
    async def webhook_endpoints(self, info: RequestInfo) -> list[WebhookEndpoint]:
        return [WebhookEndpoint.from_model(row) for row in await webhooks.list_endpoints()]


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

    @strawberry.mutation(
        description="Register a webhook URL for alert events; the secret is shown once (admin).",
        permission_classes=[IsAdmin],
    )
    async def create_webhook_endpoint(
        self, info: RequestInfo, url: str, description: str = ""
    ) -> CreatedWebhookEndpoint:
        endpoint, secret = await webhooks.create_endpoint(url=url, description=description)
        return CreatedWebhookEndpoint(endpoint=WebhookEndpoint.from_model(endpoint), secret=secret)

    @strawberry.mutation(
        description="Delete a webhook endpoint and its pending deliveries (admin).",
        permission_classes=[IsAdmin],
    )
    async def delete_webhook_endpoint(self, info: RequestInfo, id: strawberry.ID) -> bool:
        await webhooks.delete_endpoint(endpoint_id=parse_numeric_id(id, field="id"))
        return True

    @strawberry.mutation(
        description="Send a delivery again now, with a fresh count of attempts (admin).",
        permission_classes=[IsAdmin],
    )
    async def resend_webhook_delivery(
        self, info: RequestInfo, id: strawberry.ID
    ) -> WebhookDelivery:
        row = await webhooks.resend_delivery(
            delivery_id=parse_numeric_id(id, field="id"), now=info.context.now()
        )
        return WebhookDelivery.from_model(row)
