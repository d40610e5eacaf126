"""GraphQL types of a price catalog import."""

from datetime import datetime
from decimal import Decimal
from typing import Self

import strawberry

from billgraph.schema.pricing_types import optional_usd
from billgraph.schema.scalars import ProviderId
from billgraph.services.catalog import CatalogEntry
from billgraph.services.catalog import CatalogImportReport as ServiceCatalogReport
from billgraph.services.costs import from_pico


@strawberry.type(description="A catalog entry that is (or would be) imported.")
class CatalogPrice:
    name: str = strawberry.field(description="The entry's key in the catalog.")
    provider: ProviderId
    model_name: str
    input_token_cost: Decimal
    output_token_cost: Decimal
    cached_input_token_cost: Decimal | None
    cache_write_token_cost: Decimal | None
    reasoning_token_cost: Decimal | None

    @classmethod
    def from_service(cls, entry: CatalogEntry) -> Self:
        columns = entry.columns
        return cls(
            name=entry.name,
            provider=ProviderId(entry.provider),
            model_name=entry.model_name,
            input_token_cost=from_pico(columns["input_token_cost_pico"] or 0),
            output_token_cost=from_pico(columns["output_token_cost_pico"] or 0),
            cached_input_token_cost=optional_usd(columns["cached_input_token_cost_pico"]),
            cache_write_token_cost=optional_usd(columns["cache_write_token_cost_pico"]),
            reasoning_token_cost=optional_usd(columns["reasoning_token_cost_pico"]),
        )


@strawberry.type(description="A catalog entry left out, and why.")
class SkippedCatalogEntry:
    name: str
    reason: str
    kind: str = strawberry.field(
        description='What kind of skip, for counting: "unknown provider", "no per-token '
        'price (priced per image)", "a price needs more than 12 decimal places", ...'
    )


@strawberry.type(description="How many catalog entries one kind of skip holds.")
class SkippedKindCount:
    kind: str
    count: int


@strawberry.type(description="What a catalog import did, or would do in a dry run.")
class CatalogImportReport:
    dry_run: bool
    effective_from: datetime
    created: list[CatalogPrice]
    updated: list[CatalogPrice]
    unchanged_count: int
    unchanged: list[CatalogPrice] = strawberry.field(
        description="Entries whose price is already in effect (left as they are)."
    )
    skipped: list[SkippedCatalogEntry]
    skipped_by_kind: list[SkippedKindCount] = strawberry.field(
        description="The skipped entries counted by kind, most frequent first."
    )
    new_providers: list[ProviderId] = strawberry.field(
        description="Providers the catalog names that were not registered (the import "
        "registers them, CATALOG-managed)."
    )

    @classmethod
    def from_service(cls, report: ServiceCatalogReport) -> Self:
        return cls(
            dry_run=report.dry_run,
            effective_from=report.effective_from,
            created=[CatalogPrice.from_service(entry) for entry in report.created],
            updated=[CatalogPrice.from_service(entry) for entry in report.updated],
            unchanged_count=len(report.unchanged),
            unchanged=[CatalogPrice.from_service(entry) for entry in report.unchanged],
            skipped=[
                SkippedCatalogEntry(name=s.name, reason=s.reason, kind=s.kind)
                for s in report.skipped
            ],
            skipped_by_kind=[
                SkippedKindCount(kind=kind, count=count)
                for kind, count in report.skipped_by_kind().items()
            ],
            new_providers=[ProviderId(slug) for slug in report.new_providers],
        )
