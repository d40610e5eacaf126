"""The typed per-request context: settings, the request id, and the caller behind the key."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from billgraph.logs import note_key
from billgraph.services.api_keys import Caller, authenticate, authenticate_for_recording
from billgraph.services.pricing import tiers_of_versions
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.pricing_chain import EnvironmentPrices, TierPrices
from billgraph.services.report_limits import ReportBudget
from billgraph.settings import Settings
from billgraph.usage_record import UsageRecord


@dataclass
class Context(BaseContext):
    settings: Settings
    environment_prices: EnvironmentPrices
    pricing_cache: PricingCache
    bearer_token: str | None
    request_id: str
    # How long after a price change commits its default effectiveFrom lies (PRICE_SETTLE_SECONDS).
    price_settle: timedelta = timedelta(0)
    _caller: Caller | None = field(default=None, init=False)
    # Set by schema.bulk_variables before execution: variable name -> checked records.
    bulk_usage_inputs: dict[str, list[UsageRecord]] = field(default_factory=dict, init=False)
    report_budget: ReportBudget = field(init=False)
    # Pricing.tiers: the tiers of every version the answer lists, in one query.
    price_tiers: DataLoader[int, list[TierPrices]] = field(init=False)

    def __post_init__(self) -> None:
        super().__init__()
        self.price_tiers = DataLoader(load_fn=tiers_of_versions)
        # One budget for every report field of the request, aliases included.
        self.report_budget = ReportBudget(
            max_buckets=self.settings.report_buckets_per_request,
            max_reports=self.settings.reports_per_request,
            timeout_seconds=self.settings.report_timeout_seconds,
        )

    def now(self) -> datetime:
        """Return the current time in UTC (one place to read the clock)."""
        return datetime.now(UTC)

    async def caller(self) -> Caller:
        """Return who is calling, authenticating the bearer token once per request."""
        if self._caller is None or self._caller.unchecked_key_digest is not None:
            self._caller = await authenticate(
                token=self.bearer_token, admin_api_key=self._admin_key(), now=self.now()
            )
            note_key(self._caller.key_id if self._caller.key_id is not None else "admin-key")
        return self._caller

    async def recording_caller(self) -> Caller:
        """Return who is calling, for recordUsage(Batch) only: a key this worker knows
        needs no query, because the write itself checks that it is still active."""
        if self._caller is None:
            self._caller = await authenticate_for_recording(
                token=self.bearer_token, admin_api_key=self._admin_key(), now=self.now()
            )
            note_key(self._caller.key_id if self._caller.key_id is not None else "admin-key")
        return self._caller

    def _admin_key(self) -> str | None:
        admin_key = self.settings.admin_api_key
        return admin_key.get_secret_value() if admin_key else None


def bearer_token_from(authorization: str | None) -> str | None:
    """Return the token of an `Authorization: Bearer <token>` header, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
