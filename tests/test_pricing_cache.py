"""A worker sees its own price changes at once, even before it hears their notification."""

from datetime import UTC, datetime
from decimal import Decimal

from billgraph.models import Provider
from billgraph.services.api_keys import SYSTEM
from billgraph.services.pricing_admin import PriceChange, delete_pricing, upsert_pricing
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.pricing_chain import EnvironmentPrices
from tests.conftest import Database

MODEL = "read-your-writes"


NO_ENVIRONMENT_PRICES = EnvironmentPrices(input_token_cost=Decimal(0), output_token_cost=Decimal(0))


async def test_a_listening_cache_sees_this_process_s_changes_without_a_notification(
    orm: Database,
) -> None:
    now = datetime.now(UTC)
    cache = PricingCache()
    cache.listening = True  # as while a listener is connected; no notification will come
    change = PriceChange(input_token_cost="0.000001", output_token_cost="0.000002")
    await upsert_pricing(
        provider=Provider.OPENAI,
        model_name=MODEL,
        prices=change,
        effective_from=datetime(2020, 1, 1, tzinfo=UTC),
        now=now,
        actor=SYSTEM,
    )
    first = await cache.snapshot()
    assert first.resolve(
        provider=Provider.OPENAI, model=MODEL, environment_prices=NO_ENVIRONMENT_PRICES, at=now
    ).input_price_pico == int(Decimal("0.000001") * 10**12)

    await delete_pricing(
        provider=Provider.OPENAI, model_name=MODEL, effective_from=None, actor=SYSTEM
    )

    after = await cache.snapshot()
    assert after.revision > first.revision
    assert (
        after.resolve(
            provider=Provider.OPENAI, model=MODEL, environment_prices=NO_ENVIRONMENT_PRICES, at=now
        ).source.value
        == "BUILTIN_ESTIMATE"
    )
