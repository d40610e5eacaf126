"""GraphQL operations of budget alert events and their webhooks. Resolvers stay thin."""

from typing import Any

import strawberry
from strawberry.types import Info

from billgraph.schema.budget_types import parse_numeric_id
from billgraph.schema.connection import Edge
from billgraph.schema.context import Context
from billgraph.schema.enums import DeliveryStatus
from billgraph.schema.pagination import decode_row_cursor, encode_row_cursor
from billgraph.schema.permissions import IsAdmin
from billgraph.schema.webhook_types import (
    AlertEvent,
    AlertEventConnection,
    CreatedWebhookEndpoint,
    WebhookDelivery,
    WebhookDeliveryConnection,
    WebhookEndpoint,
)
from billgraph.services import webhooks

RequestInfo = Info[Context, Any]
DEFAULT_PAGE = 50


@strawberry.type
class WebhookQueries:
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
class WebhookMutations:
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
