"""Tortoise models only: tables and columns, no business logic."""

from billgraph.models.api_key import ApiKey
from billgraph.models.audit import PricingAudit, UsageRepricing
from billgraph.models.budget import (
    AlertEvent,
    Budget,
    BudgetAudit,
    BudgetHold,
    BudgetReservation,
    BudgetWindowSpend,
    WebhookDelivery,
    WebhookEndpoint,
)
from billgraph.models.enums import (
    ApiKeyScope,
    BudgetAuditAction,
    BudgetMode,
    BudgetPeriod,
    DeliveryStatus,
    PricingAuditAction,
    PricingManager,
    PricingSource,
    Provider,
    ProviderManager,
    ReservationStatus,
    ServiceTier,
)
from billgraph.models.pricing import PriceTier, Pricing
from billgraph.models.provider import PROVIDER_ID_LENGTH, ProviderRow
from billgraph.models.rollup import (
    PricingRevision,
    UsageRollupDailyUser,
    UsageRollupDailyUserTotal,
    UsageRollupHourly,
    UsageRollupPending,
)
from billgraph.models.usage import UsageLog

__all__ = [
    "PROVIDER_ID_LENGTH",
    "AlertEvent",
    "ApiKey",
    "ApiKeyScope",
    "Budget",
    "BudgetAudit",
    "BudgetAuditAction",
    "BudgetHold",
    "BudgetMode",
    "BudgetPeriod",
    "BudgetReservation",
    "BudgetWindowSpend",
    "DeliveryStatus",
    "PriceTier",
    "Pricing",
    "PricingAudit",
    "PricingAuditAction",
    "PricingManager",
    "PricingRevision",
    "PricingSource",
    "Provider",
    "ProviderManager",
    "ProviderRow",
    "ReservationStatus",
    "ServiceTier",
    "UsageLog",
    "UsageRepricing",
    "UsageRollupDailyUser",
    "UsageRollupDailyUserTotal",
    "UsageRollupHourly",
    "UsageRollupPending",
    "WebhookDelivery",
    "WebhookEndpoint",
]
