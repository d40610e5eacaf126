"""The names the GraphQL API and the HTTP ingest endpoint give domain fields.

Services name fields by their domain (snake_case) names; callers of the API see the
camelCase names of the schema and of the ingest JSON. This is the one place that
maps the first to the second; a domain field whose API name is not its camelCase
spelling goes into EXCEPTIONS.
"""

from billgraph.services.errors import BillingError

# Domain field -> API name, where the API name is not the camelCase spelling.
EXCEPTIONS = {
    # UsageFilter.occurred_from / occurred_to are the filter's `from` and `to`.
    "occurred_from": "from",
    "occurred_to": "to",
}


def api_name(field: str) -> str:
    """Return the API name of a domain field: `tokens_cached_input` -> `tokensCachedInput`.

    A name that is already camelCase is returned as it is.
    """
    if field in EXCEPTIONS:
        return EXCEPTIONS[field]
    head, *rest = field.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def api_message(error: BillingError) -> str:
    """Return the error's message with API field names."""
    return error.render(api_name)


def api_field(error: BillingError) -> str | None:
    """Return the API name of the error's field, if it has one."""
    return None if error.field is None else api_name(error.field)
