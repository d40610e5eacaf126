"""Pre-aggregated usage, kept in the same transaction as the logs.

Three tables serve the dashboard questions: hourly totals per model (no user dimension,
so they stay small), daily totals per user and model, and daily totals per user alone
(what "top users" reads; it carries the estimated part so it needs no pricing source).
Buckets are whole hours or days since the Unix epoch in UTC. Amounts are pico-dollars,
as in the logs.
"""

from tortoise import fields
from tortoise.models import Model

from billgraph.models.enums import PricingSource, ServiceTier
from billgraph.models.provider import PROVIDER_ID_LENGTH


class _UsageSums(Model):
    requests = fields.BigIntField()
    tokens_input = fields.BigIntField()
    tokens_output = fields.BigIntField()
    # Parts of tokens_input (cached, cache write) and of tokens_output (reasoning).
    tokens_cached_input = fields.BigIntField(default=0)
    tokens_cache_write = fields.BigIntField(default=0)
    tokens_reasoning = fields.BigIntField(default=0)
    cost_input_pico = fields.BigIntField()
    cost_output_pico = fields.BigIntField()
    cost_total_pico = fields.BigIntField()

    class Meta:
        abstract = True


class UsageRollupHourly(_UsageSums):
    id = fields.BigIntField(primary_key=True)
    bucket_hour = fields.BigIntField(description="hours since 1970-01-01T00:00Z")
    provider = fields.CharField(max_length=PROVIDER_ID_LENGTH)
    model = fields.CharField(max_length=255)
    pricing_source = fields.CharEnumField(PricingSource, max_length=16)
    service_tier = fields.CharEnumField(ServiceTier, max_length=16, default=ServiceTier.STANDARD)

    class Meta:
        table = "usage_rollup_hourly"
        unique_together = (("bucket_hour", "provider", "model", "pricing_source", "service_tier"),)


class UsageRollupDailyUser(_UsageSums):
    id = fields.BigIntField(primary_key=True)
    bucket_day = fields.BigIntField(description="days since 1970-01-01 (UTC)")
    user_key = fields.CharField(max_length=255, description="the user id, or '' for none")
    provider = fields.CharField(max_length=PROVIDER_ID_LENGTH)
    model = fields.CharField(max_length=255)
    pricing_source = fields.CharEnumField(PricingSource, max_length=16)
    service_tier = fields.CharEnumField(ServiceTier, max_length=16, default=ServiceTier.STANDARD)

    class Meta:
        table = "usage_rollup_daily_user"
        unique_together = (
            ("bucket_day", "user_key", "provider", "model", "pricing_source", "service_tier"),
        )


class UsageRollupDailyUserTotal(_UsageSums):
    id = fields.BigIntField(primary_key=True)
    bucket_day = fields.BigIntField(description="days since 1970-01-01 (UTC)")
    user_key = fields.CharField(max_length=255, description="the user id, or '' for none")
    estimated_cost_total_pico = fields.BigIntField(
        description="the part of cost_total_pico priced by BUILTIN_ESTIMATE"
    )

    class Meta:
        table = "usage_rollup_daily_user_total"
        unique_together = (("bucket_day", "user_key"),)


class PricingRevision(Model):
    """One row whose counter goes up with every pricing change: caches compare it."""

    id = fields.IntField(primary_key=True)
    revision = fields.BigIntField()

    class Meta:
        table = "pricing_revision"
