"""The blocking client: record usage and call the GraphQL API."""

import logging
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, TypeVar

import httpx

from billgraph.client import protocol
from billgraph.client.errors import BillgraphError, connection_error
from billgraph.client.extract import usage_from_response
from billgraph.client.protocol import Ingest
from billgraph.client.records import IngestResult, UsageRecord
from billgraph.client.retry import RetryPolicy

logger = logging.getLogger("billgraph.client")
T = TypeVar("T")


class BillgraphClient:
    """A connection to one billgraph server.

    `ingest` picks how records travel: "bulk" (`POST /v1/usage`), "graphql"
    (`recordUsageBatch`), or "auto": bulk, and GraphQL from then on if the server has no
    bulk endpoint. Every record keeps its request id across retries, so a record that
    reached the server before its answer was lost is stored once.
    """

    def __init__(
        self,
        url: str,
        *,
        api_key: str | None = None,
        timeout: float | httpx.Timeout = 10.0,
        retry: RetryPolicy | None = None,
        ingest: Ingest = "auto",
        batch_size: int = 1000,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if ingest not in {"auto", "bulk", "graphql"}:
            raise ValueError("ingest must be 'auto', 'bulk' or 'graphql'")
        self.retry = retry or RetryPolicy()
        self.ingest: Ingest = ingest
        self.batch_size = max(1, batch_size)
        self.attempts = 0  # HTTP requests sent, retries included
        self._http = httpx.Client(
            base_url=url.rstrip("/"),
            headers=protocol.headers(api_key),
            timeout=timeout,
            transport=transport,
        )

    def graphql(
        self, query: str, variables: dict[str, Any] | None = None, *, idempotent: bool = False
    ) -> dict[str, Any]:
        """Send one GraphQL operation and return its `data`; raise BillgraphError on errors.

        Retryable failures are retried; a lost answer only when `idempotent` or the
        document has no mutation, since a mutation may have been applied.
        """
        body = protocol.graphql_body(query, variables)
        idempotent = idempotent or not protocol.has_mutation(query)

        def send() -> dict[str, Any]:
            return protocol.graphql_data(self._post(protocol.GRAPHQL_PATH, body))

        return self._with_retries(send, idempotent=idempotent)

    def record(self, record: UsageRecord) -> IngestResult:
        """Store one record (exactly once, by its request id)."""
        return self.record_many([record])

    def record_many(self, records: Iterable[UsageRecord]) -> IngestResult:
        """Store records in batches; return how many were new and how many resends."""
        total = IngestResult()
        for chunk in protocol.chunks(records, self._chunk_size()):
            total += self._record_chunk(chunk)
        return total

    def record_response(
        self,
        response: Any,
        *,
        provider: str | None = None,
        model: str | None = None,
        user_id: str | None = None,
        request_id: str | None = None,
    ) -> IngestResult:
        """Store the usage of an LLM response (OpenAI, Anthropic, LiteLLM object or dict)."""
        return self.record(
            usage_from_response(
                response, provider=provider, model=model, user_id=user_id, request_id=request_id
            )
        )

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __enter__(self) -> "BillgraphClient":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _chunk_size(self) -> int:
        limit = protocol.GRAPHQL_BATCH_LIMIT if self.ingest != "bulk" else protocol.BULK_BATCH_LIMIT
        return min(self.batch_size, limit)

    def _record_chunk(self, chunk: list[UsageRecord]) -> IngestResult:
        if self.ingest != "graphql":
            payload = [record.to_json() for record in chunk]
            try:
                return self._with_retries(
                    lambda: protocol.bulk_result(self._post(protocol.BULK_PATH, payload)),
                    idempotent=True,
                )
            except BillgraphError as error:
                if self.ingest == "bulk" or not protocol.bulk_route_missing(error):
                    raise
                logger.info("billgraph has no POST %s: recording over GraphQL", protocol.BULK_PATH)
                self.ingest = "graphql"
        body = protocol.graphql_body(protocol.RECORD_BATCH, protocol.batch_variables(chunk))
        return self._with_retries(
            lambda: protocol.batch_result(
                protocol.graphql_data(self._post(protocol.GRAPHQL_PATH, body))
            ),
            idempotent=True,
        )

    def _post(self, path: str, body: Any) -> httpx.Response:
        self.attempts += 1
        try:
            return self._http.post(path, json=body)
        except httpx.TransportError as error:
            raise connection_error(error) from error

    def _with_retries(self, send: Callable[[], T], *, idempotent: bool) -> T:
        retry = 0
        while True:
            try:
                return send()
            except BillgraphError as error:
                retry += 1
                if retry >= self.retry.attempts or not self.retry.should_retry(
                    error, idempotent=idempotent
                ):
                    raise
                delay = self.retry.delay(retry, error)
                logger.warning("billgraph: %s; retry %d in %.2f s", error, retry, delay)
                time.sleep(delay)
