"""The `providers` table: a provider's slug, display name and whose prices it uses."""

from tortoise import fields
from tortoise.models import Model

from billgraph.models.enums import ProviderManager

PROVIDER_ID_LENGTH = 64


class ProviderRow(Model):
    id = fields.CharField(
        primary_key=True, max_length=PROVIDER_ID_LENGTH, description="lowercase slug: openai"
    )
    display_name = fields.CharField(max_length=100)
    priced_from = fields.CharField(
        max_length=PROVIDER_ID_LENGTH,
        null=True,
        description="the provider whose price rows price this one's models; null: its own",
    )
    managed_by = fields.CharEnumField(ProviderManager, max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "providers"
