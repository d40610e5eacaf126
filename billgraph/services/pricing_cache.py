"""Every price version in memory per process, and the revision that says when to reload."""

from tortoise.backends.base.client import BaseDBAsyncClient

from billgraph import metrics
from billgraph.models import PriceTier, Pricing, PricingRevision, ProviderRow
from billgraph.services.pricing_chain import PricingSnapshot
from billgraph.services.sql import POSTGRES, dialect_of_connection


class PricingCache:
    """All price versions in memory, reloaded when prices change.

    Every pricing change bumps `pricing_revision` in its transaction and, on PostgreSQL,
    sends a notification on commit. While a listener (services/pricing_listener.py) is
    connected, the cache trusts the notifications and prices without a query; otherwise
    one small query of the revision tells whether its copy is current (the backstop).
    """

    def __init__(self) -> None:
        self._snapshot = PricingSnapshot(revision=-1, versions={})
        self._generation = 0  # moves on every notification or (re)connect
        self._loaded_generation = -1
        self._reason = "startup"
        self.listening = False

    def invalidate(self, reason: str) -> None:
        """Make the next snapshot reload every version (a notification came, or a reconnect)."""
        self._generation += 1
        self._reason = reason

    async def snapshot(self) -> PricingSnapshot:
        """Return the current versions (no query while listening, else one or two)."""
        if self.listening:
            if self._loaded_generation != self._generation:
                generation = self._generation
                self._snapshot = await _load_snapshot(await _current_revision())
                self._loaded_generation = generation
                metrics.pricing_cache_reloaded(self._reason)
            if self._snapshot.revision >= _written_here.latest_revision:
                return self._snapshot
            # This process changed prices and has not heard its own notification yet: a
            # caller's next request must see its own change, so check the revision.
        revision = await _current_revision()
        if revision != self._snapshot.revision:
            self._snapshot = await _load_snapshot(revision)
            metrics.pricing_cache_reloaded("revision")
        return self._snapshot


class _WrittenHere:
    """The highest pricing revision a change made by this process wrote."""

    latest_revision = 0


_written_here = _WrittenHere()


_REVISION_ROW = 1
PRICING_CHANNEL = "billgraph_pricing"


async def _load_snapshot(revision: int) -> PricingSnapshot:
    # The providers table's re-mappings travel with the prices: one revision for both.
    return PricingSnapshot.of(
        revision, await Pricing.all(), await ProviderRow.all(), await PriceTier.all()
    )


async def _current_revision() -> int:
    current = await PricingRevision.get_or_none(id=_REVISION_ROW)
    return current.revision if current is not None else 0


async def bump_pricing_revision(connection: BaseDBAsyncClient) -> None:
    """Tell every worker's PricingCache that prices changed (inside the change's transaction)."""
    rows = await connection.execute_query_dict(
        "INSERT INTO pricing_revision (id, revision) VALUES (1, 1) "
        "ON CONFLICT (id) DO UPDATE SET revision = pricing_revision.revision + 1 "
        "RETURNING revision"
    )
    written = int(rows[0]["revision"])
    _written_here.latest_revision = max(_written_here.latest_revision, written)
    if dialect_of_connection(connection) is POSTGRES:
        # Delivered to every listener when (and only if) the transaction commits.
        await connection.execute_query(f"NOTIFY {PRICING_CHANNEL}")
