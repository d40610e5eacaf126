"""The `api_provider_pricing` table: per-token prices of one provider's model, by version.

A model can have several versions, each in effect from `effective_from` until the next
one; usage is priced by the version in effect when it occurred.
"""

from tortoise import fields
from tortoise.models import Model

from billgraph.models.enums import PricingManager, ServiceTier
from billgraph.models.provider import PROVIDER_ID_LENGTH


class Pricing(Model):
    id = fields.IntField(primary_key=True)
    provider = fields.CharField(max_length=PROVIDER_ID_LENGTH)
    model_name = fields.CharField(max_length=255, description="as the admin wrote it, trimmed")
    model_key = fields.CharField(
        max_length=255, description="model_name trimmed and lower-cased: what lookups match"
    )
    input_token_cost_pico = fields.BigIntField(description="USD per input token, in 1e-12 USD")
    output_token_cost_pico = fields.BigIntField(description="USD per output token, in 1e-12 USD")
    # Optional prices of token kinds; when null those tokens cost the input (or output) price.
    cached_input_token_cost_pico = fields.BigIntField(null=True)
    cache_write_token_cost_pico = fields.BigIntField(null=True)
    reasoning_token_cost_pico = fields.BigIntField(null=True)
    effective_from = fields.DatetimeField(description="this version prices usage from then on")
    managed_by = fields.CharEnumField(PricingManager, max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "api_provider_pricing"
        unique_together = (("provider", "model_key", "effective_from"),)


class PriceTier(Model):
    """Other prices of one version: for a service tier, and above a prompt size.

    The version's own prices are its (standard, 0) tier, never stored here. A call of
    service tier S with P prompt tokens is priced, whole, by the tier of S with the
    largest `above_prompt_tokens` below P (services/pricing_chain.py).
    """

    id = fields.IntField(primary_key=True)
    pricing: fields.ForeignKeyRelation[Pricing] = fields.ForeignKeyField(
        "models.Pricing", related_name="tiers", on_delete=fields.CASCADE
    )
    pricing_id: int
    service_tier = fields.CharEnumField(ServiceTier, max_length=16)
    above_prompt_tokens = fields.BigIntField(
        description="applies to calls with more prompt tokens than this (0: every call)"
    )
    input_token_cost_pico = fields.BigIntField(description="USD per input token, in 1e-12 USD")
    output_token_cost_pico = fields.BigIntField(description="USD per output token, in 1e-12 USD")
    # When null, those tokens cost this tier's input (or output) price.
    cached_input_token_cost_pico = fields.BigIntField(null=True)
    cache_write_token_cost_pico = fields.BigIntField(null=True)
    reasoning_token_cost_pico = fields.BigIntField(null=True)

    class Meta:
        table = "api_provider_price_tiers"
        unique_together = (("pricing", "service_tier", "above_prompt_tokens"),)
