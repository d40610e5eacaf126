"""Hear about price changes the moment they commit, in every worker (PostgreSQL).

A connection of its own (a pooled one would lose its LISTEN when returned) waits for
notifications on the pricing channel; each one makes the cache reload before the next
call is priced. When the connection drops, the cache falls back to checking the
revision on every call until the listener is back, and reloads fully after reconnecting
(changes made meanwhile were not heard).
"""

import asyncio
import contextlib
import logging

import asyncpg

from billgraph import metrics
from billgraph.services.pricing_cache import PRICING_CHANNEL, PricingCache

logger = logging.getLogger("billgraph.pricing")
RECONNECT_DELAYS = (0.1, 0.5, 1.0, 2.0, 5.0)


class PricingListener:
    """Keeps a PricingCache told of every committed price change while it runs."""

    def __init__(self, *, dsn: str, cache: PricingCache, connect_timeout: float) -> None:
        self._dsn = dsn
        self._cache = cache
        self._connect_timeout = connect_timeout
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._cache.listening = False

    async def _run(self) -> None:
        failures = 0
        while True:
            lost = asyncio.Event()
            try:
                connection = await asyncpg.connect(self._dsn, timeout=self._connect_timeout)
            except (OSError, TimeoutError, asyncpg.PostgresError) as error:
                delay = RECONNECT_DELAYS[min(failures, len(RECONNECT_DELAYS) - 1)]
                if failures == 0:
                    logger.warning("Pricing listener cannot connect (%s); retrying", error)
                failures += 1
                await asyncio.sleep(delay)
                continue
            try:
                connection.add_termination_listener(lambda _connection, lost=lost: lost.set())
                await connection.add_listener(PRICING_CHANNEL, self._heard)
                # Anything committed before LISTEN took effect was not heard: reload.
                self._cache.invalidate("reconnect" if failures else "startup")
                self._cache.listening = True
                if failures:
                    logger.info("Pricing listener reconnected")
                failures = 0
                await lost.wait()
                logger.warning("Pricing listener lost its connection; reconnecting")
            finally:
                self._cache.listening = False
                connection.terminate()
            failures = 1

    def _heard(self, *_: object) -> None:
        self._cache.invalidate("notify")
        metrics.pricing_notification_heard()
