"""Importing a price catalog in the format of LiteLLM's model_prices_and_context_window.json.

Entries name a model, its provider (`litellm_provider`) and per-token prices as JSON
numbers; a `provider/` prefix on the name is dropped. Numbers are read as exact decimals
from their text, so a price with more than 12 decimal places is reported, never rounded.
Entries for providers billgraph does not know, or without input and output prices, are
skipped and counted.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from billgraph.models import Pricing, PricingAuditAction, PricingManager, Provider
from billgraph.services.api_keys import Caller
from billgraph.services.errors import BillingError, InvalidInputError
from billgraph.services.model_names import clean_name, model_key
from billgraph.services.pricing_admin import PriceChange, lock_versions, write_version
from billgraph.services.pricing_chain import version_at
from billgraph.services.times import require_aware

# LiteLLM's provider names -> billgraph's. HuggingFace's router models are priced from
# MISTRAL rows, so its entries land there.
LITELLM_PROVIDERS = {
    "openai": Provider.OPENAI,
    "text-completion-openai": Provider.OPENAI,
    "anthropic": Provider.ANTHROPIC,
    "gemini": Provider.GOOGLE,
    "vertex_ai-language-models": Provider.GOOGLE,
    "mistral": Provider.MISTRAL,
    "huggingface": Provider.MISTRAL,
    "groq": Provider.GROQ,
    "cohere": Provider.COHERE,
    "cohere_chat": Provider.COHERE,
    "deepseek": Provider.DEEPSEEK,
    "xai": Provider.XAI,
}
_PRICE_FIELDS = {
    "input_cost_per_token": "input_token_cost",
    "output_cost_per_token": "output_token_cost",
    "cache_read_input_token_cost": "cached_input_token_cost",
    "cache_creation_input_token_cost": "cache_write_token_cost",
    "output_cost_per_reasoning_token": "reasoning_token_cost",
}
_PRICE_COLUMNS = (
    "input_token_cost_pico",
    "output_token_cost_pico",
    "cached_input_token_cost_pico",
    "cache_write_token_cost_pico",
    "reasoning_token_cost_pico",
)


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One importable entry: a model's prices as pico-dollar columns."""

    name: str
    provider: Provider
    model_name: str
    columns: dict[str, int | None]


@dataclass(frozen=True, slots=True)
class SkippedEntry:
    name: str
    reason: str


@dataclass(slots=True)
class CatalogImportReport:
    dry_run: bool
    effective_from: datetime
    created: list[CatalogEntry] = field(default_factory=list)
    updated: list[CatalogEntry] = field(default_factory=list)
    unchanged: list[CatalogEntry] = field(default_factory=list)
    skipped: list[SkippedEntry] = field(default_factory=list)


def parse_catalog(text: str | bytes) -> dict[str, Any]:
    """Return the catalog's entries with every number as an exact Decimal."""
    try:
        catalog = json.loads(text, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidInputError(f"catalog is not JSON: {error}", field="catalog") from None
    if not isinstance(catalog, dict):
        raise InvalidInputError("catalog must be a JSON object of entries", field="catalog")
    return catalog


def read_entry(name: str, spec: object) -> CatalogEntry | SkippedEntry:
    """Return an importable entry, or why it is skipped."""
    if not isinstance(spec, dict):
        return SkippedEntry(name, "not an object")
    provider = LITELLM_PROVIDERS.get(str(spec.get("litellm_provider", "")))
    if provider is None:
        return SkippedEntry(name, f"unknown provider {spec.get('litellm_provider')!r}")
    if spec.get("input_cost_per_token") is None or spec.get("output_cost_per_token") is None:
        return SkippedEntry(name, "no per-token input and output prices")
    prices = {
        change_field: spec.get(catalog_field)
        for catalog_field, change_field in _PRICE_FIELDS.items()
    }
    try:
        # LiteLLM prefixes some names with their provider ("groq/llama-3.1-8b-instant");
        # callers name the model without it, and the chain matches on that short form.
        model_name = clean_name(name.rsplit("/", 1)[-1], field="model")
        columns = PriceChange(**_as_decimals(prices)).columns()
    except BillingError as error:
        return SkippedEntry(name, error.message)
    return CatalogEntry(name=name, provider=provider, model_name=model_name, columns=columns)


def _as_decimals(prices: dict[str, object]) -> dict[str, object]:
    # Integers arrive as int (exact); floats arrived as Decimal thanks to parse_float.
    return {
        name: Decimal(value) if isinstance(value, int) and not isinstance(value, bool) else value
        for name, value in prices.items()
    }


async def import_catalog(
    *,
    catalog: dict[str, Any],
    dry_run: bool,
    effective_from: datetime,
    actor: Caller,
    on_entry: Callable[[int], object] = lambda done: None,
) -> CatalogImportReport:
    """Plan (dry run) or apply a catalog import in one transaction; never touch ADMIN or
    ENVIRONMENT-managed prices. Applied changes are CATALOG-managed versions, audited."""
    effective_from = require_aware(effective_from, field="effective_from")
    for attempt in range(2):
        try:
            async with in_transaction() as connection:
                # A dry run reads the same way and writes nothing.
                return await _import(catalog, dry_run, effective_from, actor, connection, on_entry)
        except IntegrityError:
            if attempt:  # a concurrent change added the same version: plan again once
                raise
    raise AssertionError("unreachable")  # pragma: no cover


async def _import(  # noqa: PLR0917  (private helper of import_catalog)
    catalog: dict[str, Any],
    dry_run: bool,
    effective_from: datetime,
    actor: Caller,
    connection: Any,
    on_entry: Callable[[int], object],
) -> CatalogImportReport:
    report = CatalogImportReport(dry_run=dry_run, effective_from=effective_from)
    seen: set[tuple[Provider, str]] = set()
    for index, (name, spec) in enumerate(catalog.items(), start=1):
        on_entry(index)
        entry = read_entry(name, spec)
        if isinstance(entry, SkippedEntry):
            report.skipped.append(entry)
            continue
        key = model_key(entry.model_name)
        if (entry.provider, key) in seen:
            report.skipped.append(SkippedEntry(name, "the same model appears twice"))
            continue
        seen.add((entry.provider, key))
        versions: list[Pricing] = await lock_versions(connection, entry.provider, key)
        current = version_at(versions, effective_from)
        if current is not None and current.managed_by is not PricingManager.CATALOG:
            report.skipped.append(SkippedEntry(name, f"managed by {current.managed_by.value}"))
            continue
        if current is not None and all(
            getattr(current, column) == entry.columns[column] for column in _PRICE_COLUMNS
        ):
            report.unchanged.append(entry)
            continue
        (report.created if current is None else report.updated).append(entry)
        if not dry_run:
            await write_version(
                connection,
                versions,
                entry.provider,
                key,
                effective_from,
                {
                    **entry.columns,
                    "model_name": entry.model_name,
                    "managed_by": PricingManager.CATALOG,
                },
                PricingAuditAction.IMPORT,
                actor,
            )
    return report
