"""The whole of LiteLLM's real price catalog, as the litellm wheel ships it, imported over GraphQL.

Skipped when litellm is not installed (under CI=true it is required: the dev extra
installs it). The file is located without importing litellm, whose import reaches for
the network.
"""

import base64
import gzip
import importlib.util
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from billgraph.services.catalog import catalog_provider
from billgraph.services.costs import format_decimal
from tests.conftest import Api

IMPORT = """
mutation ($catalog: String!, $dryRun: Boolean!) {
  importPricingCatalog(catalogGzipBase64: $catalog, dryRun: $dryRun) {
    dryRun unchangedCount newProviders
    created { name provider modelName }
    skipped { name kind }
    skippedByKind { kind count }
  }
}"""
RESOLVE = """
query ($provider: Provider!, $model: String!) {
  resolvePricing(provider: $provider, model: $model) {
    source inputTokenCost outputTokenCost cachedInputTokenCost matchedModelName
  }
}"""
# The kinds an entry with per-token prices may still be skipped for (never silently).
PER_TOKEN_SKIPS = {"the same model appears twice", "a price needs more than 12 decimal places"}


def litellm_catalog() -> Path:
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        if os.environ.get("CI") == "true":
            pytest.fail("litellm is required under CI=true (the dev extra installs it)")
        pytest.skip("litellm is not installed: pip install -e '.[litellm]'")
    return Path(spec.submodule_search_locations[0]) / "model_prices_and_context_window_backup.json"


@pytest.fixture(scope="module")
def catalog_file() -> tuple[dict[str, Any], str]:
    raw = litellm_catalog().read_bytes()
    return json.loads(raw, parse_float=Decimal), base64.b64encode(gzip.compress(raw)).decode()


def per_token_entries(catalog: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: spec
        for name, spec in catalog.items()
        if isinstance(spec, dict)
        and catalog_provider(spec.get("litellm_provider")) is not None
        and (
            spec.get("input_cost_per_token") is not None
            or spec.get("output_cost_per_token") is not None
        )
    }


async def test_the_real_catalog_imports_whole_and_a_second_import_changes_nothing(
    api: Api, catalog_file: tuple[dict[str, Any], str]
) -> None:
    catalog, compressed = catalog_file
    per_token = per_token_entries(catalog)

    applied = (await api.data(IMPORT, {"catalog": compressed, "dryRun": False}))[
        "importPricingCatalog"
    ]
    again = (await api.data(IMPORT, {"catalog": compressed, "dryRun": False}))[
        "importPricingCatalog"
    ]

    created = {entry["name"] for entry in applied["created"]}
    skipped = {entry["name"]: entry["kind"] for entry in applied["skipped"]}
    print(
        f"LiteLLM catalog: {len(catalog)} entries, {len(per_token)} with per-token prices, "
        f"{len(created)} created; skipped by kind: "
        + ", ".join(f"{row['kind']} {row['count']}" for row in applied["skippedByKind"])
    )
    # The bar: at least 3,850 of the (then) 3,945 per-token entries.
    assert len(created) >= 3850
    assert len(created) >= len(per_token) - 100
    # Every entry is accounted for, and an entry with per-token prices is skipped only
    # for a duplicate name or a price that needs more than 12 decimal places.
    assert created | set(skipped) == set(catalog)
    assert not created & set(skipped)
    assert {skipped[name] for name in per_token if name in skipped} <= PER_TOKEN_SKIPS
    assert sum(row["count"] for row in applied["skippedByKind"]) == len(skipped)
    assert {"fireworks_ai", "azure", "bedrock", "together_ai"} <= set(applied["newProviders"])
    # The second import leaves every price as it is.
    assert again["created"] == []
    assert again["unchangedCount"] == len(created)
    assert again["newProviders"] == []


async def test_entries_across_providers_resolve_to_the_catalogs_exact_prices(
    api: Api, catalog_file: tuple[dict[str, Any], str]
) -> None:
    catalog, compressed = catalog_file
    applied = (await api.data(IMPORT, {"catalog": compressed, "dryRun": False}))[
        "importPricingCatalog"
    ]
    # One created entry of each of 25 providers, the biggest first.
    by_provider: dict[str, dict[str, str]] = {}
    for entry in applied["created"]:
        by_provider.setdefault(entry["provider"], entry)
    sample = list(by_provider.values())[:25]

    for entry in sample:
        spec = catalog[entry["name"]]
        resolved = (
            await api.data(RESOLVE, {"provider": entry["provider"], "model": entry["modelName"]})
        )["resolvePricing"]
        expected_input = format_decimal(Decimal(spec.get("input_cost_per_token") or 0))
        expected_output = format_decimal(Decimal(spec.get("output_cost_per_token") or 0))
        assert resolved["source"] == "EXACT", entry
        assert (resolved["inputTokenCost"], resolved["outputTokenCost"]) == (
            expected_input,
            expected_output,
        ), entry
        cached = spec.get("cache_read_input_token_cost")
        if cached is not None:
            assert resolved["cachedInputTokenCost"] == format_decimal(Decimal(cached)), entry
    assert len(sample) == 25
