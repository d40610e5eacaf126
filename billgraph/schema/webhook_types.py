"""GraphQL types of budget alert events and their webhook endpoints and deliveries."""

import json
from datetime import datetime
from typing import Self, cast

import strawberry
from strawberry.scalars import JSON

from billgraph import models
from billgraph.schema.connection import Connection, Edge
from billgraph.schema.enums import DeliveryStatus
from billgraph.services.time_buckets import from_epoch_seconds


@strawberry.type(
    description="A budget threshold crossed in a window (one per budget, window, threshold)."
)
class AlertEvent:
    id: strawberry.ID
    event_id: str = strawberry.field(description="The webhook body's id: drop duplicates by it.")
    budget_id: strawberry.ID
    threshold: int
    window_start: datetime
    created_at: datetime
    payload: JSON = strawberry.field(description="The webhook body.")

    @classmethod
    def from_model(cls, row: models.AlertEvent) -> Self:
        return cls(
            id=strawberry.ID(str(row.id)),
            event_id=row.event_id,
            budget_id=strawberry.ID(str(row.budget_id)),
            threshold=row.threshold,
            window_start=from_epoch_seconds(row.window_start),
            created_at=row.created_at,
            payload=cast(JSON, json.loads(row.payload)),
        )


@strawberry.type(description="A page of alert events, newest first.")
class AlertEventConnection(Connection[Edge[AlertEvent]]):
    pass


@strawberry.type(description="A URL that receives signed alert events.")
class WebhookEndpoint:
    id: strawberry.ID
    url: str
    description: str
    created_at: datetime

    @classmethod
    def from_model(cls, row: models.WebhookEndpoint) -> Self:
        return cls(
            id=strawberry.ID(str(row.id)),
            url=row.url,
            description=row.description,
            created_at=row.created_at,
        )


@strawberry.type(description="A new endpoint and its signing secret: store the secret now.")
class CreatedWebhookEndpoint:
    endpoint: WebhookEndpoint
    secret: str = strawberry.field(
        description="HMAC-SHA256 key of the Billgraph-Signature header; shown only once."
    )


@strawberry.type(description="One alert event sent (or to be sent) to one endpoint.")
class WebhookDelivery:
    id: strawberry.ID
    event_id: strawberry.ID = strawberry.field(description="The AlertEvent's id.")
    endpoint_id: strawberry.ID
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None

    @classmethod
    def from_model(cls, row: models.WebhookDelivery) -> Self:
        return cls(
            id=strawberry.ID(str(row.id)),
            event_id=strawberry.ID(str(row.event_id)),
            endpoint_id=strawberry.ID(str(row.endpoint_id)),
            status=row.status,
            attempts=row.attempts,
            next_attempt_at=from_epoch_seconds(row.next_attempt_at),
            last_status_code=row.last_status_code,
            last_error=row.last_error,
            created_at=row.created_at,
            delivered_at=row.delivered_at,
        )


@strawberry.type(description="A page of webhook deliveries, newest first.")
class WebhookDeliveryConnection(Connection[Edge[WebhookDelivery]]):
    pass
