"""The domain enums GraphQL shows, registered with strawberry once, here.

Type modules import these names from here (not from models or services) so the
registration has always run before a type uses one.
"""

import strawberry

from billgraph.models import (
    ApiKeyScope,
    PricingAuditAction,
    PricingManager,
    PricingSource,
    ProviderManager,
)
from billgraph.services.reports import CostReportOrder, UsageDimension
from billgraph.services.time_buckets import Granularity

__all__ = [
    "ApiKeyScope",
    "CostReportOrder",
    "Granularity",
    "PricingAuditAction",
    "PricingManager",
    "PricingSource",
    "ProviderManager",
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
strawberry.enum(UsageDimension, description="What a cost report groups by.")
strawberry.enum(CostReportOrder, description="How cost report rows are ordered.")
strawberry.enum(Granularity, name="TimeGranularity", description="Calendar bucket size.")
