"""GraphQL types of re-pricing runs and their audit trail."""

from datetime import datetime
from decimal import Decimal
from typing import Self, cast

import strawberry
from strawberry.scalars import JSON

from billgraph import models
from billgraph.schema.connection import Connection, Edge
from billgraph.schema.scalars import Int64
from billgraph.services.costs import from_pico
from billgraph.services.repricing import RepricingReport as ServiceRepricingReport


@strawberry.type(description="What re-pricing changed, or would change in a dry run.")
class RepricingReport:
    dry_run: bool
    logs: Int64 = strawberry.field(description="Logs walked (matching the filter, after afterId).")
    changed: Int64 = strawberry.field(description="Logs whose prices or costs change.")
    cost_total_before: Decimal
    cost_total_after: Decimal
    difference: Decimal = strawberry.field(description="costTotalAfter - costTotalBefore.")
    last_id: strawberry.ID | None = strawberry.field(
        description="The last log id walked: pass it as afterId to resume an interrupted run."
    )

    @classmethod
    def from_service(cls, report: ServiceRepricingReport) -> Self:
        return cls(
            dry_run=report.dry_run,
            last_id=strawberry.ID(str(report.last_id)) if report.last_id is not None else None,
            logs=Int64(report.logs),
            changed=Int64(report.changed),
            cost_total_before=from_pico(report.cost_total_before_pico),
            cost_total_after=from_pico(report.cost_total_after_pico),
            difference=from_pico(report.difference_pico),
        )


@strawberry.type(description="One log's re-pricing: its pricing before and after (admin).")
class UsageRepricingEntry:
    id: strawberry.ID
    repriced_at: datetime
    usage_log_id: strawberry.ID
    api_key_id: strawberry.ID | None = strawberry.field(
        description="Null for the ADMIN_API_KEY break-glass key and for the CLI."
    )
    api_key_name: str
    cost_total_before: Decimal
    cost_total_after: Decimal
    old_values: JSON = strawberry.field(
        description="pricingSource, matchedModelName, pricingId and the unit prices and costs "
        "in pico-dollars (integers) before."
    )
    new_values: JSON = strawberry.field(description="The same after.")

    @classmethod
    def from_model(cls, row: models.UsageRepricing) -> Self:
        return cls(
            id=strawberry.ID(str(row.id)),
            repriced_at=row.repriced_at,
            usage_log_id=strawberry.ID(str(row.usage_log_id)),
            api_key_id=strawberry.ID(str(row.api_key_id)) if row.api_key_id is not None else None,
            api_key_name=row.api_key_name,
            cost_total_before=from_pico(int(row.old_values["cost_total_pico"])),
            cost_total_after=from_pico(int(row.new_values["cost_total_pico"])),
            old_values=cast(JSON, row.old_values),
            new_values=cast(JSON, row.new_values),
        )


@strawberry.type
class UsageRepricingEdge(Edge[UsageRepricingEntry]):
    pass


@strawberry.type(description="A page of re-pricing audit rows, newest first.")
class UsageRepricingConnection(Connection[UsageRepricingEdge]):
    pass
