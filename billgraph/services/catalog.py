"""Importing a price catalog in the format of LiteLLM's model_prices_and_context_window.json.

Entries name a model, its provider (`litellm_provider`) and per-token prices as JSON
numbers, with other prices above a prompt size (`input_cost_per_token_above_200k_tokens`)
and per service tier (`..._batches`, `..._flex`, `..._priority`, combined as
`..._above_272k_tokens_priority`), or as a `tiered_pricing` list of prompt-size ranges.
These become the version's tiers, each holding the whole prices LiteLLM would bill a
call of that service tier and prompt size with (see `_service_tiers`).

The provider becomes a billgraph provider id (a few LiteLLM names are another name of a
built-in provider; the others are taken as they are and registered by the import), and
a leading `provider/` on the name is dropped. Numbers are read as exact decimals from
their text, so a price with more than 12 decimal places is reported, never rounded.
Every entry that is not imported is skipped with a reason and a kind.
"""

import asyncio
import base64
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from billgraph.models import (
    PriceTier,
    Pricing,
    PricingAudit,
    PricingAuditAction,
    PricingManager,
    ProviderManager,
    ProviderRow,
    ServiceTier,
)
from billgraph.services.api_keys import Caller
from billgraph.services.audit import pricing_values
from billgraph.services.errors import BillingError, InvalidInputError
from billgraph.services.model_names import clean_name, model_key
from billgraph.services.pricing_admin import PriceChange, tier_row
from billgraph.services.pricing_cache import bump_pricing_revision
from billgraph.services.pricing_chain import TierPrices, version_at
from billgraph.services.provider_ids import provider_id
from billgraph.services.providers import register_providers
from billgraph.services.times import require_aware
from billgraph.services.unit_prices import UnitPrices

# LiteLLM names of billgraph's built-in providers. HuggingFace's router models are
# priced from the mistral rows (the providers table), so its entries land there.
LITELLM_ALIASES = {
    "gemini": "google",
    "palm": "google",
    "codestral": "mistral",
    "cohere_chat": "cohere",
    "anthropic_text": "anthropic",
    "azure_text": "azure",
}
# LiteLLM files some models of a provider in sub-catalogs ("vertex_ai-anthropic_models",
# "fireworks_ai-embedding-models") and completion endpoints apart
# ("text-completion-openai"); callers name the provider itself.
_SUB_CATALOG = re.compile(r"(?P<base>[a-z0-9_]+?)-[a-z0-9_-]*models")
_TEXT_COMPLETION = "text-completion-"
_PRICE_FIELDS = {
    "input_cost_per_token": "input_token_cost",
    "output_cost_per_token": "output_token_cost",
    "cache_read_input_token_cost": "cached_input_token_cost",
    "cache_creation_input_token_cost": "cache_write_token_cost",
    "output_cost_per_reasoning_token": "reasoning_token_cost",
}
_CATALOG_KEYS = {price: key for key, price in _PRICE_FIELDS.items()}
_PRICE_COLUMNS = (
    "input_token_cost_pico",
    "output_token_cost_pico",
    "cached_input_token_cost_pico",
    "cache_write_token_cost_pico",
    "reasoning_token_cost_pico",
)
_OTHER_UNIT = re.compile(r"_cost_per_([a-z]+)")
_SLICE = 250

# The kinds of skip, as reports count them.
NOT_AN_ENTRY = "not an object"
UNKNOWN_PROVIDER = "unknown provider"
NOT_PER_TOKEN = "no per-token price"  # noqa: S105  (a kind of skip, not a secret)
TOO_PRECISE = "a price needs more than 12 decimal places"
INVALID_PRICE = "a price is not valid"
RANGES_AND_SERVICE_TIERS = "prompt-size ranges and service-tier prices together"
DUPLICATE = "the same model appears twice"
MANAGED_ELSEWHERE = "managed by an admin or the environment"


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One importable entry: a model's prices as pico-dollar columns, and its tiers
    (by service tier, then threshold)."""

    name: str
    provider: str
    model_name: str
    columns: dict[str, int | None]
    tiers: tuple[TierPrices, ...] = ()


@dataclass(frozen=True, slots=True)
class SkippedEntry:
    name: str
    reason: str
    kind: str


@dataclass(slots=True)
class CatalogImportReport:
    dry_run: bool
    effective_from: datetime
    created: list[CatalogEntry] = field(default_factory=list)
    updated: list[CatalogEntry] = field(default_factory=list)
    unchanged: list[CatalogEntry] = field(default_factory=list)
    skipped: list[SkippedEntry] = field(default_factory=list)
    # Providers the catalog names that were not registered (registered when applied).
    new_providers: list[str] = field(default_factory=list)

    def skipped_by_kind(self) -> dict[str, int]:
        """Return how many entries each kind of skip holds, most frequent first."""
        counts: dict[str, int] = {}
        for entry in self.skipped:
            counts[entry.kind] = counts.get(entry.kind, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def parse_catalog(text: str | bytes) -> dict[str, Any]:
    """Return the catalog's entries with every number as an exact Decimal."""
    try:
        catalog = json.loads(text, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidInputError(f"catalog is not JSON: {error}", field="catalog") from None
    if not isinstance(catalog, dict):
        raise InvalidInputError("catalog must be a JSON object of entries", field="catalog")
    return catalog


# A compressed catalog may not expand past this (LiteLLM's whole file is about 3.4 MB).
MAX_CATALOG_BYTES = 64 * 1024 * 1024


def read_catalog_upload(*, text: str | None, gzip_base64: str | None) -> dict[str, Any]:
    """Return the catalog sent as text or as gzip + base64 (exactly one of them)."""
    if (text is None) == (gzip_base64 is None):
        raise InvalidInputError(
            "send the catalog as {field} or as {catalog_gzip_base64}, not both or neither",
            field="catalog",
            mentions=("catalog_gzip_base64",),
        )
    if text is not None:
        return parse_catalog(text)
    field = "catalog_gzip_base64"
    try:
        # binascii.Error for bad base64, ValueError for characters beyond ASCII.
        compressed = base64.b64decode(str(gzip_base64), validate=True)
    except ValueError:
        raise InvalidInputError("{field} is not base64", field=field) from None
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing
    try:
        raw = inflater.decompress(compressed, MAX_CATALOG_BYTES)
    except zlib.error as error:
        raise InvalidInputError(
            "{field} is not gzip data: {reason}", field=field, reason=str(error)
        ) from None
    if inflater.unconsumed_tail:
        raise InvalidInputError(
            "{field} expands to more than {limit} bytes", field=field, limit=MAX_CATALOG_BYTES
        )
    if not inflater.eof:
        raise InvalidInputError("{field} is cut short", field=field)
    return parse_catalog(raw)


def catalog_provider(litellm_provider: object) -> str | None:
    """Return the provider id of a LiteLLM provider name, or None when it is not one."""
    if not isinstance(litellm_provider, str):
        return None
    name = litellm_provider.strip().lower()
    name = name.removeprefix(_TEXT_COMPLETION)
    if (sub_catalog := _SUB_CATALOG.fullmatch(name)) is not None:
        name = sub_catalog.group("base")
    name = LITELLM_ALIASES.get(name, name)
    try:
        return provider_id(name)
    except InvalidInputError:
        return None


def _model_name(name: str, litellm_provider: str, provider: str) -> str:
    # LiteLLM prefixes many names with their provider ("groq/llama-3.1-8b-instant",
    # "azure/eu/gpt-4o"); callers name the model without it. Other slashes stay: they
    # tell models apart ("openrouter/anthropic/claude-3.5-sonnet").
    prefix, slash, rest = name.partition("/")
    if slash and rest and prefix.strip().lower() in {litellm_provider.strip().lower(), provider}:
        return rest
    return name


def _priced_per(spec: dict[str, Any]) -> str:
    units = sorted(
        {match.group(1) for key in spec for match in [_OTHER_UNIT.search(key)] if match} - {"token"}
    )
    return f"priced per {', '.join(units)}" if units else "no price at all"


def read_entry(
    name: str, spec: object, priced_from: dict[str, str] | None = None
) -> CatalogEntry | SkippedEntry:
    """Return an importable entry, or why (and what kind of) it is skipped.

    `priced_from` maps providers to the provider whose rows price them (their entries
    land in those rows, as huggingface's land in mistral's).
    """
    if not isinstance(spec, dict):
        return SkippedEntry(name, NOT_AN_ENTRY, NOT_AN_ENTRY)
    litellm_provider = spec.get("litellm_provider")
    provider = catalog_provider(litellm_provider)
    if provider is None:
        return SkippedEntry(name, f"unknown provider {litellm_provider!r}", UNKNOWN_PROVIDER)
    provider = (priced_from or {}).get(provider, provider)
    ranges = _price_ranges(spec)
    if (
        spec.get("input_cost_per_token") is None
        and spec.get("output_cost_per_token") is None
        and not ranges
    ):
        per = _priced_per(spec)
        return SkippedEntry(name, f"no per-token price: {per}", f"{NOT_PER_TOKEN} ({per})")
    if ranges and (service_keys := _service_tier_keys(spec)):
        # Which range a `_batches` price belongs to is not said; billgraph does not guess.
        reason = f"priced by `tiered_pricing` ranges and by {', '.join(service_keys)}"
        return SkippedEntry(name, reason, RANGES_AND_SERVICE_TIERS)
    try:
        model_name = clean_name(_model_name(name, str(litellm_provider), provider), field="model")
        if ranges:  # the range from 0 holds the version's own prices
            columns = _prices(ranges[0][1], spec).columns()
            tiers = [
                TierPrices(ServiceTier.STANDARD, above, _prices(tier, spec))
                for above, tier in ranges[1:]
            ]
        else:
            columns = _prices(spec, spec).columns()
            tiers = _service_tiers(spec)
    except BillingError as error:
        kind = TOO_PRECISE if "decimal places" in error.message else INVALID_PRICE
        return SkippedEntry(name, error.render(_catalog_key), kind)
    return CatalogEntry(
        name=name,
        provider=provider,
        model_name=model_name,
        columns=columns,
        tiers=tuple(sorted(tiers, key=lambda tier: (tier.service_tier, tier.above_prompt_tokens))),
    )


class _TierError(BillingError):
    """A tier's price cannot be imported; the message says which tier."""


def _prices(values: dict[str, Any], spec: dict[str, Any]) -> UnitPrices:
    """Return the checked prices of `values` (a catalog entry or one of its ranges).

    An embedding model has an input price only: its output tokens cost nothing. A range
    without an output price takes the entry's (LiteLLM does the same).
    """
    prices = {
        change_field: values.get(catalog_field)
        for catalog_field, change_field in _PRICE_FIELDS.items()
    }
    if prices["output_token_cost"] is None and values is not spec:
        prices["output_token_cost"] = spec.get("output_cost_per_token")
    for side in ("input_token_cost", "output_token_cost"):
        if prices[side] is None:
            prices[side] = Decimal(0)
    columns = PriceChange(**_as_decimals(prices)).columns()
    return UnitPrices.of_columns(columns)


# The suffix of each service tier's keys; standard has none.
_TIER_SUFFIXES = {
    ServiceTier.BATCH: "_batches",
    ServiceTier.FLEX: "_flex",
    ServiceTier.PRIORITY: "_priority",
}
# The prices a tier key can set, by the catalog's key prefix (reasoning has no tier keys).
_TIER_PREFIXES = {
    "input_cost_per_token": "input_token_cost",
    "output_cost_per_token": "output_token_cost",
    "cache_read_input_token_cost": "cached_input_token_cost",
    "cache_creation_input_token_cost": "cache_write_token_cost",
}
_ABOVE_KEY = re.compile(
    rf"(?P<prefix>{'|'.join(_TIER_PREFIXES)})_above_(?P<label>(?P<number>[0-9]+)(?P<k>k?))"
    rf"_tokens(?P<suffix>{'|'.join(_TIER_SUFFIXES.values())})?"
)


def _service_tiers(spec: dict[str, Any]) -> list[TierPrices]:
    """Return the tiers of an entry's `_above_<N>k_tokens` and service-tier keys.

    Each tier holds the whole prices LiteLLM bills a call of its service tier S above N
    prompt tokens with: a price starts as the S key (else the standard one), and every
    threshold up to N (standard or of S) that sets it replaces it, the S key first. A
    price no key sets stays unset (null: the tier's input price, as LiteLLM bills it).
    Standard tiers come from the standard thresholds; a service tier with keys of its
    own gets a tier from 0 (when it has flat prices) and one at every threshold from its
    first, so that billgraph's rule (the service tier's tier, else the standard ones)
    picks the same prices for every prompt size. Keys of other tiers LiteLLM knows
    (`_ultrafast`, `_above_1hr` cache writes) are not read.
    """
    labels: dict[int, str] = {}
    thresholds: dict[ServiceTier, set[int]] = {ServiceTier.STANDARD: set()}
    for key, value in spec.items():
        match = _ABOVE_KEY.fullmatch(key)
        if match is None or value is None:
            continue
        number = int(match["number"]) * (1000 if match["k"] else 1)
        labels[number] = match["label"]
        tier = next(
            (tier for tier, suffix in _TIER_SUFFIXES.items() if suffix == match["suffix"]),
            ServiceTier.STANDARD,
        )
        thresholds.setdefault(tier, set()).add(number)
    standard = thresholds[ServiceTier.STANDARD]
    wanted = [(ServiceTier.STANDARD, above) for above in sorted(standard)]
    for tier, suffix in _TIER_SUFFIXES.items():
        own = thresholds.get(tier, set())
        flat = any(spec.get(prefix + suffix) is not None for prefix in _TIER_PREFIXES)
        if not flat and not own:
            continue  # its calls are priced as standard ones
        first = 0 if flat else min(own)
        wanted += [
            (tier, above)
            for above in sorted({0} | standard | own)
            if above >= first and (above or flat)
        ]
    return [_tier(spec, tier, above, labels, thresholds) for tier, above in wanted]


def _tier(
    spec: dict[str, Any],
    tier: ServiceTier,
    above: int,
    labels: dict[int, str],
    thresholds: dict[ServiceTier, set[int]],
) -> TierPrices:
    suffix = _TIER_SUFFIXES.get(tier, "")
    applied = sorted(
        number
        for number in thresholds[ServiceTier.STANDARD] | thresholds.get(tier, set())
        if number <= above and above
    )
    prices: dict[str, object] = {}
    for prefix, change_field in _TIER_PREFIXES.items():
        value = spec.get(prefix + suffix) if suffix else None
        if value is None:
            value = spec.get(prefix)
        for number in applied:
            stem = f"{prefix}_above_{labels[number]}_tokens"
            above_value = spec.get(stem + suffix) if suffix else None
            if above_value is None:
                above_value = spec.get(stem)
            if above_value is not None:
                value = above_value
        prices[change_field] = value
    for side in ("input_token_cost", "output_token_cost"):
        if prices[side] is None:
            prices[side] = Decimal(0)
    try:
        columns = PriceChange(**_as_decimals(prices)).columns()
    except BillingError as error:
        raise _TierError(
            f"the {tier.value} tier above {above} prompt tokens: {error.render(_catalog_key)}"
        ) from None
    return TierPrices(
        tier,
        above,
        UnitPrices.of_columns(columns),
    )


def _service_tier_keys(spec: dict[str, Any]) -> list[str]:
    """Return the entry's keys with a price for a service tier (`..._batches`), sorted."""
    suffixes = tuple(_TIER_SUFFIXES.values())
    return sorted(
        key
        for key, value in spec.items()
        if value is not None and key.endswith(suffixes) and key.startswith(tuple(_TIER_PREFIXES))
    )


def _price_ranges(spec: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """Return a `tiered_pricing` list's per-token ranges as (start, prices), the range
    from 0 first; [] when there is none. LiteLLM bills a whole call at the range whose
    start < prompt tokens <= end, so a range's start is a tier's threshold."""
    ranges = spec.get("tiered_pricing")
    if not isinstance(ranges, list):
        return []
    found: dict[int, dict[str, Any]] = {}
    for item in ranges:
        if not isinstance(item, dict) or item.get("input_cost_per_token") is None:
            continue  # priced per query, or not a range
        bounds = item.get("range")
        if not isinstance(bounds, list) or not bounds:
            return []
        start = Decimal(bounds[0]) if isinstance(bounds[0], int | Decimal) else None
        if start is None or start < 0 or start != start.to_integral_value():
            return []
        found[int(start)] = item
    if 0 not in found:
        return []
    return sorted(found.items(), key=lambda item: item[0])


def _catalog_key(field: str) -> str:
    """A skip reason names a price as the catalog file does: `input_token_cost` ->
    `input_cost_per_token`, the key to look at in the file."""
    return _CATALOG_KEYS.get(field, field)


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
    ENVIRONMENT-managed prices. Applied changes are CATALOG-managed versions, audited, and
    the providers the catalog names are registered."""
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
    connection: BaseDBAsyncClient,
    on_entry: Callable[[int], object],
) -> CatalogImportReport:
    report = CatalogImportReport(dry_run=dry_run, effective_from=effective_from)
    registered = await ProviderRow.all().using_db(connection)
    priced_from = {row.id: row.priced_from for row in registered if row.priced_from}
    entries: list[CatalogEntry] = []
    seen: set[tuple[str, str]] = set()
    for index, (name, spec) in enumerate(catalog.items(), start=1):
        on_entry(index)
        if index % _SLICE == 0:
            await asyncio.sleep(0)  # reading 4,000 entries would hold the loop too long
        entry = read_entry(name, spec, priced_from)
        if isinstance(entry, SkippedEntry):
            report.skipped.append(entry)
            continue
        key = (entry.provider, model_key(entry.model_name))
        if key in seen:
            report.skipped.append(SkippedEntry(name, DUPLICATE, DUPLICATE))
            continue
        seen.add(key)
        entries.append(entry)
    providers = {entry.provider for entry in entries}
    report.new_providers = sorted(providers - {row.id for row in registered})
    versions = await _locked_versions(connection, providers)
    tiers = await _tiers_of(connection, providers)
    writes: list[tuple[CatalogEntry, list[Pricing]]] = []
    for entry in entries:
        model_versions = versions.get((entry.provider, model_key(entry.model_name)), [])
        current = version_at(model_versions, effective_from)
        if current is not None and current.managed_by is not PricingManager.CATALOG:
            manager = current.managed_by.value
            report.skipped.append(
                SkippedEntry(entry.name, f"managed by {manager}", MANAGED_ELSEWHERE)
            )
            continue
        if (
            current is not None
            and all(getattr(current, column) == entry.columns[column] for column in _PRICE_COLUMNS)
            and tiers.get(current.id, ()) == entry.tiers
        ):
            report.unchanged.append(entry)
            continue
        (report.created if current is None else report.updated).append(entry)
        writes.append((entry, model_versions))
    if not dry_run and (writes or report.new_providers):
        await register_providers(connection, providers, managed_by=ProviderManager.CATALOG)
        await _write(connection, writes, effective_from, actor, tiers)
        await bump_pricing_revision(connection)
    return report


async def _locked_versions(
    connection: BaseDBAsyncClient, providers: set[str]
) -> dict[tuple[str, str], list[Pricing]]:
    """Return the price versions of `providers` by (provider, model key), locked, oldest
    first: one query for the whole catalog."""
    rows = await (
        Pricing.filter(provider__in=sorted(providers))
        .select_for_update()
        .order_by("provider", "model_key", "effective_from")
        .using_db(connection)
    )
    versions: dict[tuple[str, str], list[Pricing]] = {}
    for row in rows:
        versions.setdefault((row.provider, row.model_key), []).append(row)
    return versions


async def _tiers_of(
    connection: BaseDBAsyncClient, providers: set[str]
) -> dict[int, tuple[TierPrices, ...]]:
    """Return the tiers of the versions of `providers` by version id (sorted as
    CatalogEntry.tiers): one query. Their versions are locked by _locked_versions."""
    rows = await (
        PriceTier.filter(Q(pricing__provider__in=sorted(providers)))
        .order_by("pricing_id", "service_tier", "above_prompt_tokens")
        .using_db(connection)
    )
    tiers: dict[int, list[TierPrices]] = {}
    for row in rows:
        tiers.setdefault(row.pricing_id, []).append(TierPrices.of_row(row))
    return {
        pricing_id: tuple(
            sorted(found, key=lambda tier: (tier.service_tier, tier.above_prompt_tokens))
        )
        for pricing_id, found in tiers.items()
    }


async def _write(
    connection: BaseDBAsyncClient,
    writes: list[tuple[CatalogEntry, list[Pricing]]],
    effective_from: datetime,
    actor: Caller,
    tiers: dict[int, tuple[TierPrices, ...]],
) -> None:
    """Insert (or replace, at the same start) one CATALOG version per entry with its
    tiers, audited."""
    created: list[tuple[Pricing, CatalogEntry, dict[str, Any] | None]] = []
    for entry, model_versions in writes:
        columns = {
            **entry.columns,
            "model_name": entry.model_name,
            "managed_by": PricingManager.CATALOG,
        }
        replaced = next(
            (row for row in model_versions if row.effective_from == effective_from), None
        )
        before = replaced or version_at(model_versions, effective_from)
        old_values = (
            pricing_values(before, tiers.get(before.id, ())) if before is not None else None
        )
        if replaced is not None:
            row = await replaced.update_from_dict(columns)
            await row.save(using_db=connection)
        else:
            row = Pricing(
                provider=entry.provider,
                model_key=model_key(entry.model_name),
                effective_from=effective_from,
                **columns,
            )
        created.append((row, entry, old_values))
    replaced_ids = [row.id for row, _, _ in created if row.id is not None]
    new_rows = [row for row, _, _ in created if row.id is None]
    if new_rows:
        await Pricing.bulk_create(new_rows, batch_size=500, using_db=connection)
        await _read_new_ids(connection, new_rows, effective_from)
    if replaced_ids:
        await PriceTier.filter(pricing_id__in=replaced_ids).using_db(connection).delete()
    tier_rows = [tier_row(row.id, tier) for row, entry, _ in created for tier in entry.tiers]
    if tier_rows:
        await PriceTier.bulk_create(tier_rows, batch_size=500, using_db=connection)
    await PricingAudit.bulk_create(
        [
            PricingAudit(
                action=PricingAuditAction.IMPORT,
                provider=row.provider,
                model_name=row.model_name,
                model_key=row.model_key,
                api_key_id=actor.key_id,
                api_key_name=actor.name,
                old_values=old_values,
                new_values=pricing_values(row, entry.tiers),
            )
            for row, entry, old_values in created
        ],
        batch_size=500,
        using_db=connection,
    )


async def _read_new_ids(
    connection: BaseDBAsyncClient, rows: list[Pricing], effective_from: datetime
) -> None:
    """Set the ids of versions just inserted in bulk (their tiers refer to them)."""
    keys = {(row.provider, row.model_key): row for row in rows}
    stored = await (
        Pricing.filter(
            provider__in=sorted({row.provider for row in rows}), effective_from=effective_from
        )
        .using_db(connection)
        .values_list("id", "provider", "model_key")
    )
    for pricing_id, provider, key in stored:
        row = keys.get((provider, key))
        if row is not None:
            row.id = pricing_id
