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
import re
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


RESOLVE_TIER = """
query ($provider: Provider!, $model: String!, $tier: ServiceTier!, $tokens: Int!) {
  resolvePricing(provider: $provider, model: $model, serviceTier: $tier, tokensInput: $tokens) {
    source serviceTier aboveInputTokens inputTokenCost outputTokenCost
  }
}"""
_THRESHOLD = re.compile(r"_above_([0-9]+k?)_tokens")


def thresholds(spec: dict[str, Any]) -> set[str]:
    return {match[1] for key in spec for match in [_THRESHOLD.search(key)] if match}


def tier_cases(catalog: dict[str, Any], created: set[str]) -> list[tuple[str, str, int, str, str]]:
    """(entry, service tier, prompt tokens, input key, output key): up to 4 entries of each
    shape of tier the catalog has, each priced by keys the entry sets itself."""
    shapes: list[tuple[str, Any, list[tuple[str, int, str, str]]]] = [
        (
            "above 200k",
            lambda spec: thresholds(spec) == {"200k"},
            [
                ("STANDARD", 200_001, "input_cost_per_token_above_200k_tokens",
                 "output_cost_per_token_above_200k_tokens"),
                ("STANDARD", 200_000, "input_cost_per_token", "output_cost_per_token"),
            ],
        ),
        (
            "batches",
            lambda spec: not thresholds(spec),
            [("BATCH", 1000, "input_cost_per_token_batches", "output_cost_per_token_batches")],
        ),
        (
            "flex",
            lambda spec: not thresholds(spec),
            [("FLEX", 1000, "input_cost_per_token_flex", "output_cost_per_token_flex")],
        ),
        (
            "priority above 272k",
            lambda spec: thresholds(spec) == {"272k"},
            [
                ("PRIORITY", 272_001, "input_cost_per_token_above_272k_tokens_priority",
                 "output_cost_per_token_above_272k_tokens_priority"),
                ("PRIORITY", 272_000, "input_cost_per_token_priority",
                 "output_cost_per_token_priority"),
                ("STANDARD", 272_001, "input_cost_per_token_above_272k_tokens",
                 "output_cost_per_token_above_272k_tokens"),
            ],
        ),
    ]  # fmt: skip
    cases = []
    for _, fits, checks in shapes:
        names = [
            name
            for name in sorted(created)
            if fits(catalog[name])
            and all(catalog[name].get(key) is not None for check in checks for key in check[2:])
        ]
        assert names, checks
        cases += [(name, *check) for name in names[:4] for check in checks]
    return cases


async def test_tiered_entries_resolve_to_the_catalogs_tier_prices(
    api: Api, catalog_file: tuple[dict[str, Any], str]
) -> None:
    catalog, compressed = catalog_file
    applied = (await api.data(IMPORT, {"catalog": compressed, "dryRun": False}))[
        "importPricingCatalog"
    ]
    created = {entry["name"]: entry for entry in applied["created"]}
    cases = tier_cases(catalog, set(created))

    for name, tier, tokens, input_key, output_key in cases:
        entry = created[name]
        resolved = (
            await api.data(
                RESOLVE_TIER,
                {
                    "provider": entry["provider"],
                    "model": entry["modelName"],
                    "tier": tier,
                    "tokens": tokens,
                },
            )
        )["resolvePricing"]
        assert resolved["source"] == "EXACT", name
        assert (resolved["inputTokenCost"], resolved["outputTokenCost"]) == (
            format_decimal(Decimal(catalog[name][input_key])),
            format_decimal(Decimal(catalog[name][output_key])),
        ), (name, tier, tokens)
    assert len(cases) >= 20

    # A `tiered_pricing` table: the range a prompt falls in prices the whole call.
    ranged = next(
        name
        for name in sorted(created)
        if "tiered_pricing" in catalog[name] and catalog[name].get("input_cost_per_token") is None
    )
    ranges = sorted(
        (item for item in catalog[ranged]["tiered_pricing"] if "input_cost_per_token" in item),
        key=lambda item: item["range"][0],
    )
    for tokens, item in ((1000, ranges[0]), (int(ranges[1]["range"][0]) + 1, ranges[1])):
        resolved = (
            await api.data(
                RESOLVE_TIER,
                {
                    "provider": created[ranged]["provider"],
                    "model": created[ranged]["modelName"],
                    "tier": "STANDARD",
                    "tokens": tokens,
                },
            )
        )["resolvePricing"]
        assert resolved["inputTokenCost"] == format_decimal(
            Decimal(item["input_cost_per_token"])
        ), (ranged, tokens)
