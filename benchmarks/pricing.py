"""Pricing one call in-process: billgraph's warm snapshot against LiteLLM's cost_per_token.

Builds a PricingSnapshot of `--rows` pricing rows in memory (no database), then times
`PricingSnapshot.resolve(...)` plus `compute_cost(...)` per call for each step of the
chain that can hit (an exact row, a short name, the built-in estimate), and, when
LiteLLM is installed, `litellm.cost_per_token(model="gpt-4o", ...)` with its bundled
price map. Microseconds per call: best and median of several timeit repeats. JSON out.

    .venv/bin/python benchmarks/pricing.py --rows 1000 --number 100000 --repeat 7
"""

import argparse
import importlib.metadata
import importlib.util
import os
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from harness import print_result, run_facts

from billgraph.models import Pricing, PricingManager, Provider
from billgraph.services.costs import Cost, compute_cost, format_decimal, from_pico, to_pico
from billgraph.services.model_names import model_key
from billgraph.services.pricing_chain import BEGINNING_OF_TIME, EnvironmentPrices, PricingSnapshot
from billgraph.services.token_counts import TokenCounts

TARGET_MICROSECONDS = 10
ENVIRONMENT = EnvironmentPrices(Decimal("0.000001"), Decimal("0.000003"))
AT = datetime(2026, 11, 27, tzinfo=UTC)  # any moment: every version starts in 1970
# (provider, model as a caller sends it): which chain step prices it.
CASES = {
    "exact": (Provider.OPENAI, "gpt-4o"),
    "short_name": (Provider.HUGGINGFACE, "openai/gpt-oss-120b:groq"),
    "builtin_estimate": (Provider.XAI, "grok-experimental"),
}


def snapshot_of(rows: int) -> PricingSnapshot:
    """Return a snapshot of `rows` in-memory pricing rows, the real ones among them."""
    real: list[tuple[Provider, str, str, str]] = [
        (Provider.OPENAI, "gpt-4o", "0.0000025", "0.00001"),
        (Provider.MISTRAL, "gpt-oss-120b", "0.000001", "0.000003"),
        (Provider.MISTRAL, "default", "0.000001", "0.000003"),
    ]
    providers = [provider for provider in Provider if provider not in {Provider.HUGGINGFACE}]
    filler: list[tuple[Provider, str, str, str]] = [
        (providers[index % len(providers)], f"model-{index}", "0.000002", "0.000008")
        for index in range(rows - len(real))
    ]
    pricings = [
        Pricing(
            id=index,
            provider=provider,
            model_name=name,
            model_key=model_key(name),
            input_token_cost_pico=to_pico(Decimal(input_cost)),
            output_token_cost_pico=to_pico(Decimal(output_cost)),
            effective_from=BEGINNING_OF_TIME,
            managed_by=PricingManager.ADMIN,
        )
        for index, (provider, name, input_cost, output_cost) in enumerate(real + filler, 1)
    ]
    return PricingSnapshot.of(1, pricings)


def microseconds_per_call(call: Callable[[], object], number: int, repeat: int) -> dict[str, Any]:
    """Return best and median microseconds per call over `repeat` runs of `number` calls."""
    totals = timeit.repeat(call, number=number, repeat=repeat)
    per_call = [total / number * 1e6 for total in totals]
    return {
        "best_us": round(min(per_call), 3),
        "median_us": round(statistics.median(per_call), 3),
        "number": number,
        "repeat": repeat,
    }


def billgraph_calls(args: argparse.Namespace) -> dict[str, Any]:
    snapshot = snapshot_of(args.rows)
    results = {}
    for case, (provider, model) in CASES.items():

        def price_one_call(provider: Provider = provider, model: str = model) -> Cost:
            price = snapshot.resolve(
                provider=provider, model=model, environment_prices=ENVIRONMENT, at=AT
            )
            return compute_cost(TokenCounts(input=1000, output=500), price.prices)

        price = snapshot.resolve(
            provider=provider, model=model, environment_prices=ENVIRONMENT, at=AT
        )
        results[case] = {
            "provider": provider.value,
            "model": model,
            "source": price.source.value,
            "cost_total_usd": format_decimal(from_pico(price_one_call().total_pico)),
            **microseconds_per_call(price_one_call, args.number, args.repeat),
        }
    return results


def litellm_call(args: argparse.Namespace) -> dict[str, Any]:
    """Time litellm.cost_per_token for gpt-4o, 1000 + 500 tokens, if LiteLLM is installed."""
    if args.skip_litellm:
        return {"status": "skipped"}
    if importlib.util.find_spec("litellm") is None:
        return {"status": "not installed"}
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # bundled prices, no network
    started = time.perf_counter()
    import litellm  # noqa: PLC0415  (optional, and the environment must be set first)

    import_seconds = time.perf_counter() - started

    def price_one_call() -> object:
        return litellm.cost_per_token(model="gpt-4o", prompt_tokens=1000, completion_tokens=500)

    prompt_cost, completion_cost = litellm.cost_per_token(
        model="gpt-4o", prompt_tokens=1000, completion_tokens=500
    )
    number = max(1, args.number // 20)  # about 20 times slower: keep the run short
    return {
        "status": "measured",
        "version": importlib.metadata.version("litellm"),
        "import_seconds": round(import_seconds, 2),
        "cost_total_usd": repr(prompt_cost + completion_cost),
        **microseconds_per_call(price_one_call, number, args.repeat),
    }


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000, help="pricing rows in the snapshot")
    parser.add_argument("--number", type=int, default=100_000, help="calls per timeit run")
    parser.add_argument("--repeat", type=int, default=7, help="timeit runs")
    parser.add_argument("--skip-litellm", action="store_true")
    parser.add_argument("--output", type=Path, help="also write the JSON to this file")
    return parser.parse_args()


def main() -> int:
    args = parse_arguments()
    billgraph = billgraph_calls(args)
    litellm = litellm_call(args)
    headline = billgraph["exact"]["median_us"]
    result = {
        "benchmark": "pricing",
        **run_facts(),
        "snapshot_rows": args.rows,
        "billgraph_resolve_plus_compute_cost": billgraph,
        "litellm_cost_per_token": litellm,
        "litellm_over_billgraph_exact": (
            round(litellm["median_us"] / headline, 1) if "median_us" in litellm else None
        ),
        "targets": {
            "microseconds_at_most": TARGET_MICROSECONDS,
            "met": all(case["median_us"] <= TARGET_MICROSECONDS for case in billgraph.values()),
        },
    }
    print_result(result, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
