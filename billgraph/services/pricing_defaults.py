"""The environment-managed default prices (HUGGINGFACE_*_TOKEN_COST), kept equal to the
environment at every startup, from the CLI and from an admin mutation."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from billgraph.models import Pricing, PricingAuditAction, PricingManager, Provider
from billgraph.services.api_keys import SYSTEM, Caller
from billgraph.services.costs import to_pico
from billgraph.services.model_names import DEFAULT_MODEL_KEY, model_key
from billgraph.services.pricing_admin import lock_versions, write_version
from billgraph.services.pricing_chain import BEGINNING_OF_TIME, EnvironmentPrices, version_at

ENVIRONMENT_MANAGED_MODELS = ("gpt-oss-120b", DEFAULT_MODEL_KEY)


@dataclass(slots=True)
class PricingInitReport:
    """What initialize_default_pricing did to each environment-managed row."""

    created: list[Pricing] = field(default_factory=list)
    updated: list[Pricing] = field(default_factory=list)
    unchanged: list[Pricing] = field(default_factory=list)
    skipped: list[Pricing] = field(default_factory=list)


async def initialize_default_pricing(
    *, environment_prices: EnvironmentPrices, now: datetime, actor: Caller = SYSTEM
) -> PricingInitReport:
    """Keep the ENVIRONMENT-managed prices equal to the environment; report each one's fate.

    A model with no price gets a first version from 1970 on (it prices usage of any
    date); changed environment prices add a version from `now` on. A price an admin or a
    catalog set is left alone. Idempotent, and safe when several workers run it at once.
    """
    report = PricingInitReport()
    wanted: dict[str, Any] = {
        "input_token_cost_pico": to_pico(environment_prices.input_token_cost),
        "output_token_cost_pico": to_pico(environment_prices.output_token_cost),
        "cached_input_token_cost_pico": None,
        "cache_write_token_cost_pico": None,
        "reasoning_token_cost_pico": None,
    }
    for name in ENVIRONMENT_MANAGED_MODELS:
        key = model_key(name)
        for attempt in range(2):
            try:
                outcome, row = await _initialize_one(name, key, wanted, now, actor)
                break
            except IntegrityError:
                if attempt:  # a concurrent worker created it: look again once
                    raise
        getattr(report, outcome).append(row)
    return report


async def _initialize_one(
    name: str, key: str, wanted: dict[str, Any], now: datetime, actor: Caller
) -> tuple[str, Pricing]:
    async with in_transaction() as connection:
        versions = await lock_versions(connection, Provider.MISTRAL, key)
        current = version_at(versions, now)
        if current is not None and current.managed_by is not PricingManager.ENVIRONMENT:
            return "skipped", current
        if current is not None and all(
            getattr(current, column) == value for column, value in wanted.items()
        ):
            return "unchanged", current
        starts = BEGINNING_OF_TIME if current is None else now
        row = await write_version(
            connection,
            versions,
            Provider.MISTRAL,
            key,
            starts,
            {**wanted, "model_name": name, "managed_by": PricingManager.ENVIRONMENT},
            PricingAuditAction.INITIALIZE,
            actor,
        )
        return ("created" if current is None else "updated"), row
