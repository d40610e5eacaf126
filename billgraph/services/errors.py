"""Domain errors. Each carries the GraphQL error code it maps to and, for bad input, the field."""

from typing import ClassVar


class BillingError(Exception):
    """An expected failure whose message is safe to show to the caller."""

    code: ClassVar[str] = "INTERNAL"
    # Extra machine-readable facts for the caller (GraphQL extensions), e.g. a budget's figures.
    details: dict[str, str] | None = None

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInputError(BillingError):
    code = "BAD_USER_INPUT"


class UnauthenticatedError(BillingError):
    code = "UNAUTHENTICATED"


class ForbiddenError(BillingError):
    code = "FORBIDDEN"


class NotFoundError(BillingError):
    code = "NOT_FOUND"


class ConflictError(BillingError):
    code = "CONFLICT"


class UnavailableError(BillingError):
    """A failure the caller should retry with the same request id: the database is
    unreachable or overloaded, or a lock conflict outlived the service's own retries."""

    code = "UNAVAILABLE"
