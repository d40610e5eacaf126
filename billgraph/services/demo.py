"""Plausible demonstration usage: many models, daily and weekly rhythm, a few heavy users.

Everything goes through `record_usage_batch`, the same path as the GraphQL batch ingest.
"""

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from billgraph.models import ApiKeyScope, Pricing, Provider, UsageLog
from billgraph.services.api_keys import Caller
from billgraph.services.model_names import model_key
from billgraph.services.pricing_admin import PriceChange, upsert_pricing
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.pricing_chain import BEGINNING_OF_TIME, EnvironmentPrices
from billgraph.services.rollup_folding import fold_everything
from billgraph.services.usage import MAX_BATCH_SIZE, UsageInput, record_usage_batch

DEMO_ACTOR = Caller(key_id=None, name="billgraph demo", scopes=frozenset({ApiKeyScope.ADMIN}))

# (provider, model, USD per input token, per output token, share of calls); None: no
# price row, so those calls show the chain's fallbacks.
_MODELS: list[tuple[Provider, str, str | None, str | None, float]] = [
    (Provider.OPENAI, "gpt-4o", "0.0000025", "0.00001", 18),
    (Provider.OPENAI, "gpt-4o-mini", "0.00000015", "0.0000006", 25),
    (Provider.OPENAI, "o3-mini", "0.0000011", "0.0000044", 5),
    (Provider.ANTHROPIC, "claude-sonnet-4", "0.000003", "0.000015", 12),
    (Provider.ANTHROPIC, "claude-haiku-3.5", "0.0000008", "0.000004", 8),
    (Provider.GOOGLE, "gemini-2.0-flash", "0.0000001", "0.0000004", 7),
    (Provider.MISTRAL, "mistral-large", "0.000002", "0.000006", 4),
    (Provider.HUGGINGFACE, "openai/gpt-oss-120b:groq", None, None, 9),
    (Provider.HUGGINGFACE, "meta-llama/Llama-3.1-8B-Instruct:novita", None, None, 4),
    (Provider.DEEPSEEK, "deepseek-chat", "0.00000027", "0.0000011", 5),
    (Provider.GROQ, "llama-3.3-70b-versatile", "0.00000059", "0.00000079", 2),
    (Provider.XAI, "grok-experimental", None, None, 1),
]
# Models that report reasoning tokens (a part of their output tokens).
_REASONING_MODELS = {"o3-mini", "openai/gpt-oss-120b:groq"}
# Calls per hour of the day (UTC), relative; weekends are quieter.
_HOURLY = [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 11, 11, 10, 10, 11, 11, 10, 8, 6, 4, 3, 2, 2, 1]
_WEEKEND_FACTOR = 0.35


async def seed_usage(
    *,
    logs: int,
    users: int,
    days: int,
    seed: int,
    environment_prices: EnvironmentPrices,
    on_batch: Callable[[int], object] = lambda done: None,
) -> int:
    """Add `logs` usage records over the `days` before today (UTC); return how many were new.

    Request ids derive from the seed and today's date, so running it twice on one day
    replays the same records and writes nothing new.
    """
    generator = random.Random(seed)  # noqa: S311  (repeatable demo data, not secrets)
    await _ensure_demo_prices()
    end = datetime.combine(datetime.now(UTC).date(), time.min, tzinfo=UTC)
    user_ids = [f"user-{index:05d}" for index in range(users)]
    # A few heavy users: weights fall off like 1/rank.
    user_weights = [1 / (rank + 1) for rank in range(users)]
    day_weights = [
        _WEEKEND_FACTOR if (end - timedelta(days=days - offset)).weekday() >= 5 else 1.0
        for offset in range(days)
    ]
    # Token kinds come from a generator of their own, so the calls themselves (and what
    # they cost: no demo price sets those kinds apart) are the same as without them.
    kinds = random.Random(f"{seed}-token-kinds")  # noqa: S311
    cache = PricingCache()
    created = 0
    for batch_start in range(0, logs, MAX_BATCH_SIZE):
        batch = [
            _with_token_kinds(
                kinds,
                _demo_call(generator, index, seed, end, days, user_ids, user_weights, day_weights),
            )
            for index in range(batch_start, min(batch_start + MAX_BATCH_SIZE, logs))
        ]
        result = await record_usage_batch(
            usages=batch,
            now=datetime.now(UTC),
            environment_prices=environment_prices,
            cache=cache,
            caller=DEMO_ACTOR,
        )
        created += result.created
        on_batch(batch_start + len(batch))
    # No server's folder may be running: leave the rollups complete, reports fast.
    await fold_everything(UsageLog._meta.db)
    return created


def _demo_call(  # noqa: PLR0917  (one call site, positional for brevity in the loop)
    generator: random.Random,
    index: int,
    seed: int,
    end: datetime,
    days: int,
    user_ids: list[str],
    user_weights: list[float],
    day_weights: list[float],
) -> UsageInput:
    provider, model, _, _, _ = generator.choices(_MODELS, weights=[m[4] for m in _MODELS])[0]
    day = generator.choices(range(days), weights=day_weights)[0]
    hour = generator.choices(range(24), weights=_HOURLY)[0]
    occurred_at = (
        end - timedelta(days=days - day) + timedelta(hours=hour, seconds=generator.randrange(3600))
    )
    prompt = int(generator.lognormvariate(7, 1.1))  # median ~1,100 tokens
    completion = int(generator.lognormvariate(5.5, 1.0))  # median ~250 tokens
    return UsageInput(
        provider=provider,
        model=model,
        tokens_input=min(prompt, 2_000_000),
        tokens_output=min(completion, 200_000),
        request_id=f"demo-{seed}-{end:%Y%m%d}-{index}",
        user_id=generator.choices(user_ids, weights=user_weights)[0],
        occurred_at=occurred_at,
    )


def _with_token_kinds(generator: random.Random, call: UsageInput) -> UsageInput:
    """Return the call with plausible cached, cache-write and reasoning token counts."""
    cached = cache_write = reasoning = 0
    if generator.random() < 0.4:  # a repeated prefix: read from the provider's cache
        cached = int(call.tokens_input * generator.uniform(0.3, 0.9))
    elif call.provider is Provider.ANTHROPIC and generator.random() < 0.3:
        cache_write = int(call.tokens_input * generator.uniform(0.2, 0.6))
    if call.model in _REASONING_MODELS:
        reasoning = int(call.tokens_output * generator.uniform(0.3, 0.8))
    return replace(
        call,
        tokens_cached_input=cached,
        tokens_cache_write=cache_write,
        tokens_reasoning=reasoning,
    )


async def _ensure_demo_prices() -> None:
    for provider, model, input_cost, output_cost, _ in _MODELS:
        if input_cost is None or output_cost is None:
            continue
        if await Pricing.exists(provider=provider, model_key=model_key(model)):
            continue
        # In effect for any date, so the seeded past is priced by them.
        await upsert_pricing(
            provider=provider,
            model_name=model,
            prices=PriceChange(Decimal(input_cost), Decimal(output_cost)),
            effective_from=BEGINNING_OF_TIME,
            now=datetime.now(UTC),
            actor=DEMO_ACTOR,
        )
