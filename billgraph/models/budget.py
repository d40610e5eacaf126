"""Budgets, their per-window spend, reservations, alert events and webhook deliveries."""

from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from billgraph.models.enums import (
    BudgetAuditAction,
    BudgetMode,
    BudgetPeriod,
    DeliveryStatus,
    ReservationStatus,
)
from billgraph.models.provider import PROVIDER_ID_LENGTH


class Budget(Model):
    """A spend limit on a scope (all usage, a user or an API key), per calendar window."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    # Scope: both null means all usage. Provider and model narrow any scope.
    user_id = fields.CharField(max_length=255, null=True)
    api_key_id = fields.IntField(null=True)
    provider = fields.CharField(max_length=PROVIDER_ID_LENGTH, null=True)
    model = fields.CharField(max_length=255, null=True, description="as recorded, exact match")
    limit_pico = fields.BigIntField(description="USD limit per window, in 1e-12 USD")
    period = fields.CharEnumField(BudgetPeriod, max_length=16)
    time_zone = fields.CharField(max_length=64)
    anchor_day = fields.SmallIntField(description="MONTH: day 1-31; WEEK: ISO weekday 1-7")
    anchor_hour = fields.SmallIntField(description="local hour 0-23 at which windows start")
    mode = fields.CharEnumField(BudgetMode, max_length=8)
    thresholds = fields.CharField(max_length=255, description="comma-separated percentages")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "budgets"


class BudgetWindowSpend(Model):
    """What one budget's window has spent: the row that HARD-limit checks lock."""

    id = fields.BigIntField(primary_key=True)
    budget_id = fields.IntField()
    window_start = fields.BigIntField(description="seconds since the Unix epoch (UTC)")
    window_end = fields.BigIntField(null=True, description="exclusive; null for LIFETIME")
    spent_pico = fields.BigIntField()
    estimated_pico = fields.BigIntField(description="the part of spent_pico from estimates")

    class Meta:
        table = "budget_window_spend"
        unique_together = (("budget_id", "window_start"),)


class BudgetReservation(Model):
    """An authorized call's hold on the HARD budgets that apply, until recorded or released."""

    id = fields.CharField(primary_key=True, max_length=40)
    status = fields.CharEnumField(ReservationStatus, max_length=16)
    amount_pico = fields.BigIntField()
    user_id = fields.CharField(max_length=255, null=True)
    api_key_id = fields.IntField(null=True)
    provider = fields.CharField(max_length=PROVIDER_ID_LENGTH)
    model = fields.CharField(max_length=255)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "budget_reservations"


class BudgetHold(Model):
    """A reservation's amount held in one budget window; counts only until it expires."""

    id = fields.BigIntField(primary_key=True)
    reservation_id = fields.CharField(max_length=40)
    budget_id = fields.IntField()
    window_start = fields.BigIntField()
    amount_pico = fields.BigIntField()
    expires_at = fields.BigIntField(description="seconds since the Unix epoch (UTC)")

    class Meta:
        table = "budget_holds"
        indexes = (
            Index(fields=("budget_id", "window_start", "expires_at")),
            Index(fields=("reservation_id",)),
        )


class BudgetAudit(Model):
    """One append-only row per budget change."""

    id = fields.BigIntField(primary_key=True)
    changed_at = fields.DatetimeField(auto_now_add=True)
    action = fields.CharEnumField(BudgetAuditAction, max_length=16)
    budget_id = fields.IntField()
    api_key_id = fields.IntField(null=True)
    api_key_name = fields.CharField(max_length=100)
    old_values: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    new_values: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)

    class Meta:
        table = "budget_audit"
        indexes = (Index(fields=("budget_id", "id")),)


class AlertEvent(Model):
    """A threshold crossed in a budget window: at most one per budget, window, threshold."""

    id = fields.BigIntField(primary_key=True)
    event_id = fields.CharField(max_length=40, unique=True, description="public id, evt_...")
    budget_id = fields.IntField()
    window_start = fields.BigIntField()
    threshold = fields.SmallIntField()
    created_at = fields.DatetimeField()
    payload = fields.TextField(description="the webhook body, frozen at creation")

    class Meta:
        table = "budget_alert_events"
        unique_together = (("budget_id", "window_start", "threshold"),)


class WebhookEndpoint(Model):
    id = fields.IntField(primary_key=True)
    url = fields.CharField(max_length=2000)
    description = fields.CharField(max_length=255)
    secret = fields.CharField(max_length=100, description="signs deliveries; shown once")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "webhook_endpoints"


class WebhookDelivery(Model):
    """One event to one endpoint, retried with backoff until delivered or failed."""

    id = fields.BigIntField(primary_key=True)
    event_id = fields.BigIntField()
    endpoint_id = fields.IntField()
    status = fields.CharEnumField(DeliveryStatus, max_length=16)
    attempts = fields.IntField()
    next_attempt_at = fields.BigIntField(description="seconds since the Unix epoch (UTC)")
    last_status_code = fields.IntField(null=True)
    last_error = fields.CharField(max_length=500, null=True)
    created_at = fields.DatetimeField()
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_deliveries"
        indexes = (
            Index(fields=("status", "next_attempt_at")),
            Index(fields=("event_id",)),
        )
