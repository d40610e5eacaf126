"""Domain errors: what went wrong, in domain terms.

A message is a template that names fields by their domain (snake_case) names in
braces: `{field}` is the error's own field, `{tokens_input}` any field listed in
`mentions`. Each presentation layer renders it with its own names (GraphQL
`tokensInput`, CLI `--input`, see billgraph.api_names and billgraph.cli_names) and
maps the error class to its own code (billgraph.http_errors.CODE_OF_ERROR).

A value the caller sent goes in as a keyword (`{zone!r}` with `zone=name`), not into
the template with an f-string: the template is filled in one pass, so braces in the
value stay text. Braces that name nothing the error knows are left as they are.
"""

import re
from collections.abc import Callable, Iterable

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)(!r)?\}")


class BillingError(Exception):
    """An expected failure whose message is safe to show to the caller."""

    # Extra machine-readable facts for the caller, by domain name (GraphQL extensions, in
    # the API's names), e.g. a budget's figures.
    details: dict[str, str] | None = None

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        mentions: Iterable[str] = (),
        **values: object,
    ) -> None:
        self.template = message
        self.field = field
        self.mentions = tuple(mentions)
        self.values = values
        super().__init__(self.message)

    def render(self, name: Callable[[str], str]) -> str:
        """Return the message with every field placeholder replaced by `name(field)`
        and every value placeholder by the value (`!r`: its repr)."""
        own = self.field

        def replace(match: re.Match[str]) -> str:
            key, as_repr = match[1], match[2] is not None
            if key == "field" and own is not None and not as_repr:
                return name(own)
            if key in self.mentions and not as_repr:
                return name(key)
            if key in self.values:
                value = self.values[key]
                return repr(value) if as_repr else str(value)
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
