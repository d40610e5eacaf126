"""A small client for billgraph: record LLM usage from the responses you already have.

Needs only httpx; none of the LLM SDKs. The integrations work on SDK objects or dicts.
"""

from billgraph.client.async_client import AsyncBillgraphClient
from billgraph.client.buffer import AsyncBufferedRecorder, BufferedRecorder, BufferStats
from billgraph.client.errors import BillgraphError
from billgraph.client.extract import (
    UsageMissingError,
    UsageStream,
    arecord_stream,
    record_stream,
    usage_from_response,
)
from billgraph.client.providers import provider_from_base_url, provider_from_litellm
from billgraph.client.records import PROVIDERS, IngestResult, UsageRecord
from billgraph.client.retry import RetryPolicy
from billgraph.client.sync_client import BillgraphClient

__all__ = [
    "PROVIDERS",
    "AsyncBillgraphClient",
    "AsyncBufferedRecorder",
    "BillgraphClient",
    "BillgraphError",
    "BufferStats",
    "BufferedRecorder",
    "IngestResult",
    "RetryPolicy",
    "UsageMissingError",
    "UsageRecord",
    "UsageStream",
    "arecord_stream",
    "provider_from_base_url",
    "provider_from_litellm",
    "record_stream",
    "usage_from_response",
]
