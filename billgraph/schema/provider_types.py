"""GraphQL types of registered providers."""

from datetime import datetime
from typing import Self

import strawberry

from billgraph import models
from billgraph.schema.enums import ProviderManager
from billgraph.schema.scalars import ProviderId


@strawberry.type(
    name="RegisteredProvider",
    description="A provider usage can name, and the provider whose prices price its models.",
)
class ProviderInfo:
    id: ProviderId
    display_name: str
    priced_from: ProviderId | None = strawberry.field(
        description="The provider whose price rows price this one's models; null: its own."
    )
    pricing_provider: ProviderId = strawberry.field(
        description="The provider whose rows the chain looks in: pricedFrom, or itself."
    )
    managed_by: ProviderManager
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, row: models.ProviderRow) -> Self:
        return cls(
            id=ProviderId(row.id),
            display_name=row.display_name,
            priced_from=ProviderId(row.priced_from) if row.priced_from else None,
            pricing_provider=ProviderId(row.priced_from or row.id),
            managed_by=row.managed_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.input(description="A provider to register.")
class AddProviderInput:
    id: ProviderId = strawberry.field(description='A new slug, e.g. "fireworks_ai".')
    display_name: str
    priced_from: ProviderId | None = strawberry.field(
        default=None, description="Price its models from this provider's rows; null: its own."
    )
