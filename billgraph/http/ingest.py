"""POST /v1/usage: bulk ingest of a JSON array or NDJSON body, beside GraphQL.

The same INGEST keys, user binding, validation and exactly-once rules as
recordUsageBatch, through the same service path, up to 10,000 records per request.
Answers `{"created": n, "replayed": m}`, or the first bad record's index, field and
message with nothing written.
"""

import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from billgraph.http.usage_decoding import (
    JSON,
    NDJSON,
    DecodingError,
    decode_records,
    record_json_schema,
    split_records,
)
from billgraph.http_errors import domain_error_response, error_response
from billgraph.models import ApiKeyScope
from billgraph.schema.context import bearer_token_from
from billgraph.services.api_keys import authenticate_for_recording
from billgraph.services.db_failures import is_unavailable
from billgraph.services.errors import BillingError
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.pricing_chain import EnvironmentPrices
from billgraph.services.usage import MAX_HTTP_BATCH_SIZE, BatchItemError, record_usage_batch

logger = logging.getLogger("billgraph.ingest")
PATH = "/v1/usage"

_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "message": {"type": "string"},
                    "extensions": {
                        "type": "object",
                        "properties": {
                            "code": {"type": "string"},
                            "index": {"type": "integer"},
                            "field": {"type": "string"},
                            "retryable": {"type": "boolean"},
                        },
                        "required": ["code"],
                    },
                },
                "required": ["message", "extensions"],
            },
        }
    },
    "required": ["errors"],
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": _ERROR_SCHEMA}}}


def _openapi() -> tuple[dict[str, Any], dict[int | str, dict[str, Any]]]:
    record = record_json_schema()
    request_body = {
        "required": True,
        "description": (
            f"1 to {MAX_HTTP_BATCH_SIZE} usage records: a JSON array, or NDJSON "
            "(one record per line). Each record has the fields of GraphQL RecordUsageInput."
        ),
        "content": {
            JSON: {
                "schema": {
                    "type": "array",
                    "items": record,
                    "minItems": 1,
                    "maxItems": MAX_HTTP_BATCH_SIZE,
                }
            },
            NDJSON: {"schema": {"type": "string", "description": "one JSON record per line"}},
        },
    }
    responses: dict[int | str, dict[str, Any]] = {
        200: {
            "description": "Every record is stored: created now, or replayed (already stored).",
            "content": {
                JSON: {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "created": {"type": "integer"},
                            "replayed": {"type": "integer"},
                        },
                        "required": ["created", "replayed"],
                    }
                }
            },
        },
        400: _error("BAD_USER_INPUT: the first bad record's index, field and message"),
        401: _error("UNAUTHENTICATED: no valid API key"),
        403: _error("FORBIDDEN: the key lacks INGEST, or names another user"),
        409: _error("CONFLICT: a requestId was stored with a different payload"),
        413: _error("The body is larger than MAX_INGEST_REQUEST_BYTES"),
        415: _error("UNSUPPORTED_MEDIA_TYPE: send application/json or application/x-ndjson"),
        503: _error("UNAVAILABLE: retry with the same request ids after Retry-After"),
    }
    return {"requestBody": request_body}, responses


def ingest_router(
    *, admin_api_key: str | None, environment_prices: EnvironmentPrices, cache: PricingCache
) -> APIRouter:
    """Return the router of POST /v1/usage."""
    router = APIRouter()
    openapi_extra, responses = _openapi()

    @router.post(
        PATH,
        summary="Record usage in bulk",
        description=(
            "Price and record up to 10,000 LLM calls in one transaction, each exactly once "
            "per requestId; a bad record rejects the request and nothing is written. "
            "Needs an API key with the INGEST (or ADMIN) scope."
        ),
        openapi_extra=openapi_extra,
        responses=responses,
        response_model=None,
    )
    async def record_usage_in_bulk(request: Request) -> Response:
        return await _answer(
            lambda: _ingest(request, admin_api_key, environment_prices, cache), request
        )

    return router


async def _answer(
    handler: Callable[[], Coroutine[Any, Any, Response]], request: Request
) -> Response:
    try:
        return await handler()
    except BatchItemError as error:
        return domain_error_response(error.error, index=error.index)
    except DecodingError as error:
        extensions: dict[str, Any] = {}
        if error.index is not None:
            extensions["index"] = error.index
        if error.field is not None:
            extensions["field"] = error.field
        return error_response("BAD_USER_INPUT", error.message, **extensions)
    except BillingError as error:
        return domain_error_response(error)
    except Exception as error:
        if is_unavailable(error):
            logger.warning("Ingest: the database is unavailable: %s", error)
            return error_response(
                "UNAVAILABLE", "The database is unavailable; retry with the same request ids"
            )
        request_id = getattr(request.state, "request_id", "")
        logger.exception("Unexpected error in ingest request %s", request_id)
        return error_response("INTERNAL", "Internal server error", requestId=request_id)


async def _ingest(
    request: Request,
    admin_api_key: str | None,
    environment_prices: EnvironmentPrices,
    cache: PricingCache,
) -> Response:
    now = datetime.now(UTC)
    caller = await authenticate_for_recording(
        token=bearer_token_from(request.headers.get("authorization")),
        admin_api_key=admin_api_key,
        now=now,
    )
    caller.require(ApiKeyScope.INGEST)
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type not in {JSON, NDJSON}:
        return error_response(
            "UNSUPPORTED_MEDIA_TYPE",
            f"Send the records as {JSON} (an array) or {NDJSON} (one per line)",
        )
    records = split_records(await request.body(), media_type)
    if not 1 <= len(records) <= MAX_HTTP_BATCH_SIZE:
        return error_response(
            "BAD_USER_INPUT",
            f"Send 1 to {MAX_HTTP_BATCH_SIZE} records (got {len(records)})",
        )
    result = await record_usage_batch(
        usages=await decode_records(records),
        now=now,
        environment_prices=environment_prices,
        cache=cache,
        caller=caller,
        max_size=MAX_HTTP_BATCH_SIZE,
    )
    return JSONResponse({"created": result.created, "replayed": result.replayed})
