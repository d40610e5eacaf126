"""The typed per-request context: settings, the caller's credentials, environment prices."""

from dataclasses import dataclass
from datetime import UTC, datetime

from strawberry.fastapi import BaseContext

from billgraph.services.pricing import EnvironmentPrices
from billgraph.settings import Settings


@dataclass
class Context(BaseContext):
    settings: Settings
    environment_prices: EnvironmentPrices
    bearer_token: str | None

    def __post_init__(self) -> None:
        super().__init__()

    def now(self) -> datetime:
        """Return the current time in UTC (one place to read the clock)."""
        return datetime.now(UTC)


def bearer_token_from(authorization: str | None) -> str | None:
    """Return the token of an `Authorization: Bearer <token>` header, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
