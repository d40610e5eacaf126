"""What one request may spend on reports, all its fields (aliases included) together."""

import time
from dataclasses import dataclass, field

from billgraph.services.errors import InvalidInputError, UnavailableError

MAX_BUCKETS = 3000  # per report field
DEFAULT_BUCKETS_PER_REQUEST = 6000
DEFAULT_REPORTS_PER_REQUEST = 20
DEFAULT_TIMEOUT_SECONDS = 10.0


@dataclass
class ReportBudget:
    """Buckets, report fields and database time left to one request.

    Built once per request (the GraphQL context holds it) so aliased fields draw on the
    same budget; the deadline starts when the budget is made.
    """

    max_buckets: int = DEFAULT_BUCKETS_PER_REQUEST
    max_reports: int = DEFAULT_REPORTS_PER_REQUEST
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    buckets_used: int = 0
    reports_used: int = 0
    _deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds

    def charge(self, *, buckets: int) -> None:
        """Count one report of `buckets` buckets, or raise InvalidInputError past the budget."""
        if self.reports_used + 1 > self.max_reports:
            raise InvalidInputError(
                f"this request asks for more than {self.max_reports} reports; "
                "split it into several requests",
                field="group_by",
            )
        if self.buckets_used + buckets > self.max_buckets:
            raise InvalidInputError(
                f"the reports of this request ask for {self.buckets_used + buckets} time "
                f"buckets together; at most {self.max_buckets} per request: narrow the "
                "ranges, use a coarser granularity or split the request",
                field="occurred_to",
            )
        self.reports_used += 1
        self.buckets_used += buckets

    def seconds_left(self) -> float:
        """Return the database time left, or raise UnavailableError when none is."""
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise report_timeout(self.timeout_seconds)
        return left


def report_timeout(seconds: float) -> UnavailableError:
    """The error of a report that ran out of time (retryable: load decides, not the input)."""
    return UnavailableError(
        f"the reports of this request did not finish within {seconds:g} s; try again, or "
        "narrow the range"
    )
