"""The `pricing_audit` table: one append-only row per pricing change."""

from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from billgraph.models.enums import PricingAuditAction
from billgraph.models.provider import PROVIDER_ID_LENGTH


class PricingAudit(Model):
    id = fields.BigIntField(primary_key=True)
    changed_at = fields.DatetimeField(auto_now_add=True)
    action = fields.CharEnumField(PricingAuditAction, max_length=16)
    provider = fields.CharField(max_length=PROVIDER_ID_LENGTH)
    model_name = fields.CharField(max_length=255)
    model_key = fields.CharField(max_length=255)
    # Who made the change: an API key's id and name (never its secret). The id is
    # null for the ADMIN_API_KEY break-glass key and for startup initialization.
    api_key_id = fields.IntField(null=True)
    api_key_name = fields.CharField(max_length=100)
    old_values: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    new_values: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)

    class Meta:
        table = "pricing_audit"
        indexes = (Index(fields=("provider", "model_key", "id")),)


class UsageRepricing(Model):
    """One usage log's costs before and after an audited re-pricing. Append-only."""

    id = fields.BigIntField(primary_key=True)
    repriced_at = fields.DatetimeField(auto_now_add=True)
    usage_log_id = fields.BigIntField()
    api_key_id = fields.IntField(null=True)
    api_key_name = fields.CharField(max_length=100)
    old_values: fields.JSONField[dict[str, Any]] = fields.JSONField()
    new_values: fields.JSONField[dict[str, Any]] = fields.JSONField()

    class Meta:
        table = "usage_repricing_audit"
        indexes = (Index(fields=("usage_log_id", "id")),)
