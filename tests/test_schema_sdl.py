"""The committed schema.graphql is the schema the code serves."""

from pathlib import Path

from billgraph.schema import export_sdl


def test_committed_sdl_matches_the_code(repo_root: Path) -> None:
    committed = (repo_root / "schema.graphql").read_text()
    assert committed == export_sdl(), "schema.graphql is stale: run `make schema`"


def test_public_names_dashboards_depend_on_are_present() -> None:
    sdl = export_sdl()
    for declaration in (
        "resolvePricing(provider: Provider!, model: String!",
        "estimateCost(provider: Provider!, model: String!, tokensInput: Int!, tokensOutput: Int!",
        "usageLogs(filter: UsageFilter = null, first: Int = 50, after: String = null)",
        "costSummary(filter: UsageFilter = null): CostTotals!",
        "recordUsage(input: RecordUsageInput!): UsageLog!",
        "initializePricing: PricingInitReport!",
        "upsertPricing(input: PricingInput!): Pricing!",
        "deletePricing(provider: Provider!, modelName: String!",
        "estimatedCostTotal: Decimal!",
        "requests: Int64!",
    ):
        assert declaration in sdl
