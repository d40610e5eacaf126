"""Domain errors: what went wrong, in domain terms.

A message is a template that names fields by their domain (snake_case) names in
braces: `{field}` is the error's own field, `{tokens_input}` any field listed in
`mentions`. Each presentation layer renders it with its own names (GraphQL
`tokensInput`, CLI `--input`, see billgraph.api_names and billgraph.cli_names) and
maps the error class to its own code (billgraph.error_codes). Other braces, such as
a value the caller sent, are left as they are.
"""

import re
from collections.abc import Callable, Iterable

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


class BillingError(Exception):
    """An expected failure whose message is safe to show to the caller."""

    # Extra machine-readable facts for the caller (GraphQL extensions), e.g. a budget's figures.
    details: dict[str, str] | None = None

    def __init__(
        self, message: str, *, field: str | None = None, mentions: Iterable[str] = ()
    ) -> None:
        self.template = message
        self.field = field
        self.mentions = tuple(mentions)
        super().__init__(self.message)

    def render(self, name: Callable[[str], str]) -> str:
        """Return the message with every field placeholder replaced by `name(field)`."""
        own = self.field

        def replace(match: re.Match[str]) -> str:
            key = match[1]
            if key == "field" and own is not None:
                return name(own)
            if key in self.mentions:
                return name(key)
            return match[0]

        return _PLACEHOLDER.sub(replace, self.template)

    @property
    def message(self) -> str:
        """The message with domain field names, e.g. for logs and unit tests."""
        return self.render(str)


class InvalidInputError(BillingError):
    pass


class UnauthenticatedError(BillingError):
    pass


class ForbiddenError(BillingError):
    pass


class NotFoundError(BillingError):
    pass


class ConflictError(BillingError):
    pass


class UnavailableError(BillingError):
    """A failure the caller should retry with the same request id: the database is
    unreachable or overloaded, or a lock conflict outlived the service's own retries."""
