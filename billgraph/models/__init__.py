"""Tortoise models only: tables and columns, no business logic."""

from billgraph.models.api_key import ApiKey
from billgraph.models.audit import PricingAudit, UsageRepricing
from billgraph.models.enums import (
    ApiKeyScope,
    PricingAuditAction,
    PricingManager,
    PricingSource,
    Provider,
)
from billgraph.models.pricing import Pricing
from billgraph.models.rollup import (
    PricingRevision,
    UsageRollupDailyUser,
    UsageRollupDailyUserTotal,
    UsageRollupHourly,
)
from billgraph.models.usage import UsageLog

__all__ = [
    "ApiKey",
    "ApiKeyScope",
    "Pricing",
    "PricingAudit",
    "PricingAuditAction",
    "PricingManager",
    "PricingRevision",
    "PricingSource",
    "Provider",
    "UsageLog",
    "UsageRepricing",
    "UsageRollupDailyUser",
    "UsageRollupDailyUserTotal",
    "UsageRollupHourly",
]
