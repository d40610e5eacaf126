"""When to try again: exponential backoff with full jitter."""

import random
from dataclasses import dataclass

from billgraph.client.errors import BillgraphError


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Up to `attempts` sends of one request, waiting longer between them.

    The wait before retry n (1-based) is a random time up to
    min(max_delay, base_delay * 2**(n-1)), or the server's Retry-After when it gave one.
    """

    attempts: int = 5
    base_delay: float = 0.2
    max_delay: float = 10.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")

    def delay(self, retry: int, error: BillgraphError | None = None) -> float:
        """Return the seconds to wait before retry number `retry` (1-based)."""
        if error is not None and error.retry_after is not None:
            return min(error.retry_after, self.max_delay)
        ceiling = min(self.max_delay, self.base_delay * 2 ** max(0, retry - 1))
        return random.uniform(0, ceiling)  # noqa: S311  (jitter, not cryptography)

    def should_retry(self, error: BillgraphError, *, idempotent: bool) -> bool:
        """Return whether `error` may pass on a resend of the same request."""
        if not error.retryable:
            return False
        # A lost answer to a request that is not idempotent may mean it was applied.
        return idempotent or not (error.code == "CONNECTION" and error.sent)
