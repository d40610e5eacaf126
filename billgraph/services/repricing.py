"""Audited re-pricing: recompute logs with the prices in effect at their time.

For when a price was entered wrong. A dry run reports how many logs and how much money
would change; applying rewrites those logs, keeps each one's previous values in
`usage_repricing_audit`, and moves the rollups, all in one transaction. Running it again
changes nothing.
"""

from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from billgraph.models import UsageLog, UsageRepricing
from billgraph.services.api_keys import Caller
from billgraph.services.pricing import EnvironmentPrices, PricingCache
from billgraph.services.rollups import add_to_rollups
from billgraph.services.usage import UsageFilter, checked_filter, filter_query, priced_columns

_CHUNK = 1000
_TOKEN_COLUMNS = (
    "tokens_input",
    "tokens_output",
    "tokens_cached_input",
    "tokens_cache_write",
    "tokens_reasoning",
)


@dataclass(frozen=True, slots=True)
class RepricingReport:
    dry_run: bool
    logs: int
    changed: int
    cost_total_before_pico: int
    cost_total_after_pico: int

    @property
    def difference_pico(self) -> int:
        return self.cost_total_after_pico - self.cost_total_before_pico


async def reprice_usage(
    *,
    usage_filter: UsageFilter,
    dry_run: bool,
    environment_prices: EnvironmentPrices,
    cache: PricingCache,
    actor: Caller,
) -> RepricingReport:
    """Recompute the matching logs at the prices in effect when each occurred."""
    query = UsageLog.filter(filter_query(checked_filter(usage_filter))).order_by("id")
    snapshot = await cache.snapshot()
    matched = changed = before = after = 0
    async with in_transaction() as connection:
        last_id = 0
        while True:
            logs = await query.filter(id__gt=last_id).limit(_CHUNK).using_db(connection)
            if not logs:
                break
            last_id = logs[-1].id
            moved: list[tuple[UsageLog, dict[str, Any]]] = []
            for log in logs:
                price = snapshot.resolve(
                    provider=log.provider,
                    model=log.model,
                    environment_prices=environment_prices,
                    at=log.occurred_at,
                )
                columns = priced_columns(
                    {name: getattr(log, name) for name in _TOKEN_COLUMNS}, price
                )
                matched += 1
                before += log.cost_total_pico
                after += columns["cost_total_pico"]
                if any(getattr(log, name) != value for name, value in columns.items()):
                    moved.append((log, columns))
            changed += len(moved)
            if not dry_run and moved:
                await _apply(moved, actor, connection)
    return RepricingReport(
        dry_run=dry_run,
        logs=matched,
        changed=changed,
        cost_total_before_pico=before,
        cost_total_after_pico=after,
    )


async def _apply(
    moved: list[tuple[UsageLog, dict[str, Any]]], actor: Caller, connection: Any
) -> None:
    old_logs = [log for log, _ in moved]
    await add_to_rollups(old_logs, connection, sign=-1)
    audit_rows = []
    new_logs = []
    for log, columns in moved:
        old_values = _values(log)
        await UsageLog.filter(id=log.id).using_db(connection).update(**columns)
        new_log = log.clone(pk=log.id)
        new_log.update_from_dict(columns)
        new_logs.append(new_log)
        audit_rows.append(
            UsageRepricing(
                usage_log_id=log.id,
                api_key_id=actor.key_id,
                api_key_name=actor.name,
                old_values=old_values,
                new_values=_values(new_log),
            )
        )
    await add_to_rollups(new_logs, connection)
    await UsageRepricing.bulk_create(audit_rows, using_db=connection)


def _values(log: UsageLog) -> dict[str, Any]:
    """A log's pricing as the audit keeps it: pico-dollar integers and the chain's answer."""
    return {
        "pricingSource": log.pricing_source.value,
        "matchedModelName": log.matched_model_name,
        "pricingId": log.pricing_id,
        **{
            name: getattr(log, name)
            for name in (
                "input_token_cost_pico",
                "output_token_cost_pico",
                "cached_input_token_cost_pico",
                "cache_write_token_cost_pico",
                "reasoning_token_cost_pico",
                "cost_input_pico",
                "cost_output_pico",
                "cost_cached_input_pico",
                "cost_cache_write_pico",
                "cost_reasoning_pico",
                "cost_total_pico",
            )
        },
    }
