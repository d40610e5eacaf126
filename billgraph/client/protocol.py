"""The wire format, shared by the sync and async clients: what to send, what came back."""

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Literal

import httpx

from billgraph.client.errors import BillgraphError, error_from_errors, error_from_response
from billgraph.client.records import IngestResult, UsageRecord

Ingest = Literal["auto", "bulk", "graphql"]

GRAPHQL_PATH = "/graphql"
BULK_PATH = "/v1/usage"
GRAPHQL_BATCH_LIMIT = 1000
BULK_BATCH_LIMIT = 10_000

RECORD_BATCH = """
mutation RecordUsageBatch($inputs: [RecordUsageInput!]!) {
  recordUsageBatch(inputs: $inputs) { created replayed }
}"""


_MUTATION = re.compile(r"\bmutation\b")


def has_mutation(query: str) -> bool:
    """Return whether a document may hold a mutation (erring on the side of yes)."""
    return _MUTATION.search(query) is not None


def headers(api_key: str | None) -> dict[str, str]:
    """Return the headers every request carries."""
    result = {"Accept": "application/json", "User-Agent": "billgraph-client"}
    if api_key:
        result["Authorization"] = f"Bearer {api_key}"
    return result


def graphql_body(query: str, variables: dict[str, Any] | None) -> dict[str, Any]:
    """Return the JSON body of a GraphQL request."""
    return {"query": query, "variables": variables or {}}


def graphql_data(response: httpx.Response) -> dict[str, Any]:
    """Return `data` of a GraphQL answer, or raise the error it carries."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise error_from_response(response)
    errors = body.get("errors")
    if errors:
        error = error_from_errors(errors, response)
        if response.status_code in {429, 502, 503, 504}:
            error.retryable = True
        raise error
    if response.status_code != 200 or not isinstance(body.get("data"), dict):
        raise error_from_response(response)
    data: dict[str, Any] = body["data"]
    return data


def batch_variables(records: Sequence[UsageRecord]) -> dict[str, Any]:
    """Return the variables of `recordUsageBatch` for `records`."""
    return {"inputs": [record.to_json() for record in records]}


def batch_result(data: dict[str, Any]) -> IngestResult:
    """Return what `recordUsageBatch` stored."""
    result = data["recordUsageBatch"]
    return IngestResult(int(result["created"]), int(result["replayed"]))


def bulk_result(response: httpx.Response) -> IngestResult:
    """Return what `POST /v1/usage` stored, or raise the error it answered."""
    if response.status_code != 200:
        raise error_from_response(response)
    body = response.json()
    return IngestResult(int(body["created"]), int(body["replayed"]))


def bulk_route_missing(error: BillgraphError) -> bool:
    """Return whether a bulk send failed only because the server has no `/v1/usage`."""
    return error.status in {404, 405} and error.code in {"NOT_FOUND", "BAD_REQUEST"}


def chunks(records: Iterable[UsageRecord], size: int) -> Iterator[list[UsageRecord]]:
    """Yield `records` in lists of at most `size`."""
    chunk: list[UsageRecord] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
