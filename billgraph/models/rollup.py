"""Pre-aggregated usage: on SQLite kept in the transaction that inserts the logs, on
PostgreSQL folded in shortly after it (`usage_rollup_pending` lists the logs not yet in).

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


class SumField(fields.BigIntField):
    """A sum of log amounts: BIGINT on SQLite, NUMERIC(38, 0) on PostgreSQL.

    On SQLite the ingest refuses a record that would take a sum past 64 bits. On
    PostgreSQL the logs are folded in after they are acknowledged, so a fold must never
    fail: a sum there has room for 2^64 logs of the largest amount.
    """

    class _db_postgres:  # noqa: N801  (the name Tortoise looks up)
        SQL_TYPE = "NUMERIC(38,0)"

    @property
    def constraints(self) -> dict[str, int]:
        return {}

    def to_python_value(self, value: object) -> int | None:
        return None if value is None else int(value)  # type: ignore[call-overload]


class _UsageSums(Model):
    requests = fields.BigIntField()
    tokens_input = SumField()
    tokens_output = SumField()
    # Parts of tokens_input (cached, cache write) and of tokens_output (reasoning).
    tokens_cached_input = SumField(default=0)
    tokens_cache_write = SumField(default=0)
    tokens_reasoning = SumField(default=0)
    cost_input_pico = SumField()
    cost_output_pico = SumField()
    cost_total_pico = SumField()

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
    estimated_cost_total_pico = SumField(
        description="the part of cost_total_pico priced by BUILTIN_ESTIMATE"
    )

    class Meta:
        table = "usage_rollup_daily_user_total"
        unique_together = (("bucket_day", "user_key"),)


class UsageRollupPending(Model):
    """A log whose share is not in the rollup tables yet (PostgreSQL; see rollup_folding).

    Written in the statement that inserts the log, with a copy of the log's columns the
    rollups sum (so folds and reports read no log); deleted by the fold that adds the
    log to the rollups, in the same transaction. Re-pricing keeps the copy in step.
    """

    log_id = fields.BigIntField(primary_key=True, generated=False)
    occurred_at = fields.DatetimeField()
    user_id = fields.CharField(max_length=255, null=True)
    provider = fields.CharField(max_length=PROVIDER_ID_LENGTH)
    model = fields.CharField(max_length=255)
    pricing_source = fields.CharField(max_length=16)
    service_tier = fields.CharField(max_length=16)
    tokens_input = fields.BigIntField()
    tokens_output = fields.BigIntField()
    tokens_cached_input = fields.BigIntField()
    tokens_cache_write = fields.BigIntField()
    tokens_reasoning = fields.BigIntField()
    cost_input_pico = fields.BigIntField()
    cost_output_pico = fields.BigIntField()
    cost_total_pico = fields.BigIntField()

    class Meta:
        table = "usage_rollup_pending"


class PricingRevision(Model):
    """One row whose counter goes up with every pricing change: caches compare it."""

    id = fields.IntField(primary_key=True)
    revision = fields.BigIntField()

    class Meta:
        table = "pricing_revision"
