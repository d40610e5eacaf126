"""The domain enums GraphQL shows, registered with strawberry once, here.

Type modules import these names from here (not from models or services) so the
registration has always run before a type uses one.
"""

import strawberry

from billgraph.models import (
    ApiKeyScope,
    BudgetAuditAction,
    BudgetMode,
    BudgetPeriod,
    DeliveryStatus,
    PricingAuditAction,
    PricingManager,
    PricingSource,
    ProviderManager,
    ReservationStatus,
    ServiceTier,
)
from billgraph.services.reports import CostReportOrder, UsageDimension
from billgraph.services.time_buckets import Granularity

__all__ = [
    "ApiKeyScope",
    "BudgetAuditAction",
    "BudgetMode",
    "BudgetPeriod",
    "CostReportOrder",
    "DeliveryStatus",
    "Granularity",
    "PricingAuditAction",
    "PricingManager",
    "PricingSource",
    "ProviderManager",
    "ReservationStatus",
    "ServiceTier",
    "UsageDimension",
]

strawberry.enum(PricingSource, description="Which step of the pricing chain priced a call.")
strawberry.enum(
    PricingManager,
    description="Who owns a pricing row: startup initialization (ENVIRONMENT), an admin "
    "(ADMIN) or a catalog import (CATALOG).",
)
strawberry.enum(ApiKeyScope, description="What an API key may do; ADMIN may do everything.")
strawberry.enum(PricingAuditAction, description="The kind of pricing change.")
strawberry.enum(
    ProviderManager,
    description="Who registered a provider: the installation, an admin or a catalog import.",
)
strawberry.enum(
    ServiceTier,
    description="The service tier a call used, as providers sell them (batch, flex, priority); "
    "STANDARD unless the caller says otherwise.",
)
strawberry.enum(UsageDimension, description="What a cost report groups by.")
strawberry.enum(CostReportOrder, description="How cost report rows are ordered.")
strawberry.enum(Granularity, name="TimeGranularity", description="Calendar bucket size.")
strawberry.enum(BudgetPeriod, description="How long a budget window lasts; LIFETIME never ends.")
strawberry.enum(BudgetMode, description="HARD refuses authorizeUsage over the limit; SOFT alerts.")
strawberry.enum(ReservationStatus, description="Where an authorizeUsage reservation stands.")
strawberry.enum(DeliveryStatus, description="Where a webhook delivery stands.")
strawberry.enum(BudgetAuditAction, description="The kind of budget change.")
