"""The `api_usage_logs` table: one priced LLM call, never rewritten."""

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from billgraph.models.enums import PricingSource, ServiceTier
from billgraph.models.provider import PROVIDER_ID_LENGTH


class UsageLog(Model):
    id = fields.BigIntField(primary_key=True)
    request_id = fields.CharField(max_length=255, unique=True)
    user_id = fields.CharField(max_length=255, null=True)
    provider = fields.CharField(max_length=PROVIDER_ID_LENGTH)
    model = fields.CharField(max_length=255, description="the model name as the caller gave it")
    service_tier = fields.CharEnumField(
        ServiceTier,
        max_length=16,
        default=ServiceTier.STANDARD,
        description="as the caller sent it",
    )
    tokens_input = fields.BigIntField(description="all prompt tokens, cached ones included")
    tokens_output = fields.BigIntField(description="all completion tokens, reasoning included")
    tokens_cached_input = fields.BigIntField(default=0)
    tokens_cache_write = fields.BigIntField(default=0)
    tokens_reasoning = fields.BigIntField(default=0)
    # Unit prices and costs in 1e-12 USD, as applied when the call was recorded.
    input_token_cost_pico = fields.BigIntField()
    output_token_cost_pico = fields.BigIntField()
    cached_input_token_cost_pico = fields.BigIntField(default=0)
    cache_write_token_cost_pico = fields.BigIntField(default=0)
    reasoning_token_cost_pico = fields.BigIntField(default=0)
    cost_input_pico = fields.BigIntField(description="the whole prompt side, cached parts included")
    cost_output_pico = fields.BigIntField(description="the whole completion side")
    cost_cached_input_pico = fields.BigIntField(default=0)
    cost_cache_write_pico = fields.BigIntField(default=0)
    cost_reasoning_pico = fields.BigIntField(default=0)
    cost_total_pico = fields.BigIntField()
    pricing_source = fields.CharEnumField(PricingSource, max_length=16)
    matched_model_name = fields.CharField(max_length=255, null=True)
    # A plain id, not a foreign key: deleting a pricing row must leave its logs untouched.
    pricing_id = fields.IntField(null=True)
    # The tier of that version whose prices applied: (standard, 0) is the version itself.
    priced_service_tier = fields.CharEnumField(
        ServiceTier, max_length=16, default=ServiceTier.STANDARD
    )
    priced_above_prompt_tokens = fields.BigIntField(default=0)
    occurred_at = fields.DatetimeField()
    # The key that recorded the call (null for the break-glass key): per-key budgets.
    api_key_id = fields.IntField(null=True)
    recorded_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "api_usage_logs"
        indexes = (
            Index(fields=("occurred_at", "id")),
            Index(fields=("user_id", "occurred_at")),
            Index(fields=("provider", "occurred_at")),
            Index(fields=("model", "occurred_at")),
        )
