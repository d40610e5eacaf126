"""How the `billgraph` command presents itself: help without type noise, JSON for scripts.

Typer labels every flag `<bool>` in `--help` (`--apply <bool>`, `--help <bool>`), which
reads as if the flag took a value; the command classes here drop the label of flags.
JSON output keeps the API's conventions: camelCase keys, decimals as strings in plain
notation, times in ISO 8601 with offset.
"""

import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from billgraph.models import ApiKey, Pricing, ProviderRow
from billgraph.services.catalog import CatalogEntry, CatalogImportReport
from billgraph.services.costs import format_decimal, from_pico
from billgraph.services.rollups import RollupDifference

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead.")]


def _without_flag_types(params: list[Any]) -> list[Any]:
    for param in params:
        if getattr(param, "is_flag", False):
            param.metavar = ""  # typer shows the metavar, when set, instead of `<bool>`
    return params


# typer ships its own copy of click, so its Context and Parameter types stay Any here.
class CleanHelpCommand(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        return _without_flag_types(super().get_params(ctx))


class CleanHelpGroup(TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        return _without_flag_types(super().get_params(ctx))


class BillgraphTyper(typer.Typer):
    """A Typer whose groups and commands show flags without a `<bool>` label."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cls=CleanHelpGroup, **kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        kwargs.setdefault("cls", CleanHelpCommand)
        return super().command(*args, **kwargs)


def echo_json(value: object) -> None:
    typer.echo(json.dumps(value, indent=2))


def decimal_string(pico: int | None) -> str | None:
    return None if pico is None else format_decimal(from_pico(pico))


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _prices(columns: dict[str, int | None]) -> dict[str, str | None]:
    return {
        "inputTokenCost": decimal_string(columns["input_token_cost_pico"]),
        "outputTokenCost": decimal_string(columns["output_token_cost_pico"]),
        "cachedInputTokenCost": decimal_string(columns["cached_input_token_cost_pico"]),
        "cacheWriteTokenCost": decimal_string(columns["cache_write_token_cost_pico"]),
        "reasoningTokenCost": decimal_string(columns["reasoning_token_cost_pico"]),
    }


def pricing_json(row: Pricing) -> dict[str, Any]:
    columns = {
        name: getattr(row, name)
        for name in (
            "input_token_cost_pico",
            "output_token_cost_pico",
            "cached_input_token_cost_pico",
            "cache_write_token_cost_pico",
            "reasoning_token_cost_pico",
        )
    }
    return {
        "provider": row.provider,
        "modelName": row.model_name,
        **_prices(columns),
        "managedBy": row.managed_by.value,
        "effectiveFrom": _time(row.effective_from),
    }


def provider_json(row: ProviderRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "displayName": row.display_name,
        "pricedFrom": row.priced_from,
        "pricingProvider": row.priced_from or row.id,
        "managedBy": row.managed_by.value,
    }


def key_json(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "scopes": key.scopes.split(","),
        "userId": key.user_id,
        "status": "revoked" if key.revoked_at else "active",
        "createdAt": _time(key.created_at),
        "lastUsedAt": _time(key.last_used_at),
        "revokedAt": _time(key.revoked_at),
    }


def _entry_json(entry: CatalogEntry) -> dict[str, Any]:
    return {
        "name": entry.name,
        "provider": entry.provider,
        "modelName": entry.model_name,
        **_prices(entry.columns),
    }


def catalog_report_json(report: CatalogImportReport) -> dict[str, Any]:
    return {
        "dryRun": report.dry_run,
        "effectiveFrom": _time(report.effective_from),
        "created": [_entry_json(entry) for entry in report.created],
        "updated": [_entry_json(entry) for entry in report.updated],
        "unchanged": [_entry_json(entry) for entry in report.unchanged],
        "skipped": [
            {"name": entry.name, "reason": entry.reason, "kind": entry.kind}
            for entry in report.skipped
        ],
        "skippedByKind": report.skipped_by_kind(),
        "newProviders": report.new_providers,
    }


_PAST = {"create": "created", "update": "updated", "leave": "left", "skip": "skipped"}


def catalog_names(report: CatalogImportReport) -> list[str]:
    """Return the lines naming what an import creates, updates, leaves and skips (or
    would), and the providers it registers."""
    lines: list[str] = []
    for outcome, entries in (
        ("create", report.created),
        ("update", report.updated),
        ("leave", report.unchanged),
    ):
        verb = f"would {outcome}" if report.dry_run else _PAST[outcome]
        lines.append(f"{verb} {len(entries)}{':' if entries else ''}")
        lines.extend(
            f"  {entry.provider:<12} {entry.model_name:<40} "
            f"{decimal_string(entry.columns['input_token_cost_pico']):>16} "
            f"{decimal_string(entry.columns['output_token_cost_pico']):>16}"
            for entry in entries
        )
    verb = "would skip" if report.dry_run else "skipped"
    lines.append(f"{verb} {len(report.skipped)}{':' if report.skipped else ''}")
    lines.extend(f"  {entry.name}: {entry.reason}" for entry in report.skipped)
    if report.new_providers:
        verb = "would register" if report.dry_run else "registered"
        lines.append(
            f"{verb} {len(report.new_providers)} providers: {', '.join(report.new_providers)}"
        )
    return lines


def skipped_summary(report: CatalogImportReport) -> list[str]:
    """Return one line per kind of skip, most frequent first (a real catalog has hundreds)."""
    lines = [f"skipped {count:>5}  {kind}" for kind, count in report.skipped_by_kind().items()]
    if lines:
        lines.append("(--json lists every skipped entry with its reason and kind)")
    return lines


def difference_json(difference: RollupDifference) -> dict[str, Any]:
    return {
        "table": difference.table,
        "key": [str(part) for part in difference.key],
        "inRollup": list(difference.in_rollup) if difference.in_rollup is not None else None,
        "fromLogs": list(difference.from_logs) if difference.from_logs is not None else None,
    }
