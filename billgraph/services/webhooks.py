"""Webhook endpoints and the delivery of budget alert events to them.

Each event goes to each endpoint at least once: deliveries are rows, taken by any
number of workers (`FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite run one worker),
retried with exponential backoff and marked FAILED after the last attempt. The body is
the event's JSON, frozen when the event was created, so every attempt sends the same
bytes; receivers drop duplicates by its `id`.

Signature header: `Billgraph-Signature: t=<unix seconds>,v1=<hex>` where hex is
HMAC-SHA256 with the endpoint's secret over `<t>.<body>`.
"""

import asyncio
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from billgraph.models import AlertEvent, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from billgraph.services.db_failures import is_unavailable
from billgraph.services.errors import InvalidInputError, NotFoundError
from billgraph.services.sql import SQLITE, Params, dialect_of_connection
from billgraph.services.time_buckets import epoch_seconds

logger = logging.getLogger("billgraph.webhooks")

SIGNATURE_HEADER = "Billgraph-Signature"
EVENT_ID_HEADER = "Billgraph-Event-Id"
MAX_URL_LENGTH = 2000
MAX_BACKOFF = timedelta(hours=1)
MAX_PAGE = 500
_ERROR_LENGTH = 500


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How deliveries are attempted (from the WEBHOOK_* settings)."""

    max_attempts: int = 8
    retry_base: timedelta = timedelta(seconds=10)
    timeout: timedelta = timedelta(seconds=5)
    batch_size: int = 20

    def delay_after(self, attempts: int) -> timedelta:
        """Return the wait before attempt `attempts + 1`: base * 2^(attempts - 1), capped."""
        delay: timedelta = self.retry_base * 2 ** max(0, attempts - 1)
        return min(delay, MAX_BACKOFF)


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """Return the Billgraph-Signature header value for a body sent at `timestamp`."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(*, secret: str, header: str, body: bytes) -> bool:
    """Return True when `header` is a valid signature of `body` (receivers' reference)."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if not parts.get("t", "").isdigit() or "v1" not in parts:
        return False
    expected = sign(secret=secret, timestamp=int(parts["t"]), body=body)
    return hmac.compare_digest(expected, header)


async def create_endpoint(*, url: str, description: str = "") -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; return it and its signing secret, which is shown only once."""
    url = url.strip()
    if not url.startswith(("http://", "https://")) or len(url) > MAX_URL_LENGTH:
        raise InvalidInputError(
            f"{{field}} must be an http:// or https:// URL of at most {MAX_URL_LENGTH} characters",
            field="url",
        )
    if len(description) > 255:
        raise InvalidInputError("{field} must be at most 255 characters", field="description")
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = await WebhookEndpoint.create(url=url, description=description.strip(), secret=secret)
    return endpoint, secret


async def delete_endpoint(*, endpoint_id: int) -> WebhookEndpoint:
    """Delete an endpoint; its pending deliveries are dropped, the rest kept."""
    async with in_transaction() as connection:
        endpoint = (
            await WebhookEndpoint.filter(id=endpoint_id).using_db(connection).first()
            if endpoint_id <= 2**31 - 1
            else None
        )
        if endpoint is None:
            raise NotFoundError(f"no webhook endpoint with id {endpoint_id}", field="id")
        await (
            WebhookDelivery.filter(endpoint_id=endpoint_id, status=DeliveryStatus.PENDING)
            .using_db(connection)
            .delete()
        )
        await endpoint.delete(using_db=connection)
    return endpoint


async def list_endpoints() -> list[WebhookEndpoint]:
    return await WebhookEndpoint.all().order_by("id")


async def list_events(
    *, first: int, after_id: int | None, budget_id: int | None
) -> tuple[list[AlertEvent], bool]:
    """Return up to `first` alert events, newest first, and whether more exist."""
    _check_first(first)
    query = AlertEvent.all() if budget_id is None else AlertEvent.filter(budget_id=budget_id)
    if after_id is not None:
        query = query.filter(id__lt=after_id)
    rows = await query.order_by("-id").limit(first + 1)
    return rows[:first], len(rows) > first


async def list_deliveries(
    *, first: int, after_id: int | None, status: DeliveryStatus | None, event_id: int | None
) -> tuple[list[WebhookDelivery], bool]:
    """Return up to `first` deliveries, newest first, and whether more exist."""
    _check_first(first)
    query = WebhookDelivery.all()
    if status is not None:
        query = query.filter(status=status)
    if event_id is not None:
        query = query.filter(event_id=event_id)
    if after_id is not None:
        query = query.filter(id__lt=after_id)
    rows = await query.order_by("-id").limit(first + 1)
    return rows[:first], len(rows) > first


def _check_first(first: int) -> None:
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInputError(f"{{field}} must be between 1 and {MAX_PAGE}", field="first")


async def resend_delivery(*, delivery_id: int, now: datetime) -> WebhookDelivery:
    """Queue a delivery again, now, with a fresh count of attempts."""
    updated = await WebhookDelivery.filter(id=delivery_id).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=epoch_seconds(now)
    )
    delivery = await WebhookDelivery.get_or_none(id=delivery_id) if updated else None
    if delivery is None:
        raise NotFoundError(f"no webhook delivery with id {delivery_id}", field="id")
    return delivery


@dataclass(frozen=True, slots=True)
class _Due:
    delivery_id: int
    attempts: int
    event_id: str
    payload: str
    url: str
    secret: str


async def deliver_due(*, now: datetime, client: httpx.AsyncClient, policy: DeliveryPolicy) -> int:
    """Attempt every delivery that is due (one batch); return how many were attempted."""
    connection = WebhookDelivery._meta.db
    if dialect_of_connection(connection) is SQLITE:
        due = await _take_due(connection, now=now, policy=policy, lock=False)
        await _attempt_all(connection, due, now=now, client=client, policy=policy)
        return len(due)
    async with in_transaction() as transaction:
        # The rows stay locked while they are sent: other workers skip them, and a
        # worker that dies mid-send leaves them pending.
        due = await _take_due(transaction, now=now, policy=policy, lock=True)
        await _attempt_all(transaction, due, now=now, client=client, policy=policy)
    return len(due)


async def _take_due(
    connection: BaseDBAsyncClient, *, now: datetime, policy: DeliveryPolicy, lock: bool
) -> list[_Due]:
    params = Params(dialect_of_connection(connection))
    rows = await connection.execute_query_dict(
        "SELECT d.id, d.attempts, e.event_id, e.payload, w.url, w.secret "  # noqa: S608
        "FROM webhook_deliveries d "
        "JOIN budget_alert_events e ON e.id = d.event_id "
        "JOIN webhook_endpoints w ON w.id = d.endpoint_id "
        f"WHERE d.status = 'PENDING' AND d.next_attempt_at <= {params.add(epoch_seconds(now))} "
        f"ORDER BY d.next_attempt_at, d.id LIMIT {params.add(policy.batch_size)}"
        + (" FOR UPDATE OF d SKIP LOCKED" if lock else ""),
        params.values,
    )
    return [
        _Due(
            delivery_id=int(row["id"]),
            attempts=int(row["attempts"]),
            event_id=str(row["event_id"]),
            payload=str(row["payload"]),
            url=str(row["url"]),
            secret=str(row["secret"]),
        )
        for row in rows
    ]


async def _attempt_all(
    connection: BaseDBAsyncClient,
    due: list[_Due],
    *,
    now: datetime,
    client: httpx.AsyncClient,
    policy: DeliveryPolicy,
) -> None:
    outcomes = await asyncio.gather(*(_send(item, now, client, policy) for item in due))
    for item, (status_code, error) in zip(due, outcomes, strict=True):
        attempts = item.attempts + 1
        fields: dict[str, object] = {
            "attempts": attempts,
            "last_status_code": status_code,
            "last_error": error[:_ERROR_LENGTH] if error else None,
        }
        if error is None:
            fields.update(status=DeliveryStatus.DELIVERED, delivered_at=now)
        elif attempts >= policy.max_attempts:
            fields.update(status=DeliveryStatus.FAILED)
        else:
            fields["next_attempt_at"] = epoch_seconds(now + policy.delay_after(attempts))
        await (
            WebhookDelivery.filter(
                id=item.delivery_id, status=DeliveryStatus.PENDING, attempts=item.attempts
            )
            .using_db(connection)
            .update(**fields)
        )


async def _send(
    item: _Due, now: datetime, client: httpx.AsyncClient, policy: DeliveryPolicy
) -> tuple[int | None, str | None]:
    """POST one event; return (HTTP status or None, error or None when delivered)."""
    body = item.payload.encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "billgraph-webhooks",
        EVENT_ID_HEADER: item.event_id,
        SIGNATURE_HEADER: sign(secret=item.secret, timestamp=epoch_seconds(now), body=body),
    }
    try:
        response = await client.post(
            item.url, content=body, headers=headers, timeout=policy.timeout.total_seconds()
        )
    except httpx.HTTPError as error:
        return None, f"{type(error).__name__}: {error}"
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"HTTP {response.status_code}"


async def run_worker(*, policy: DeliveryPolicy, poll_interval: timedelta) -> None:
    """Deliver due events until cancelled, polling when there is nothing to do."""
    async with httpx.AsyncClient(follow_redirects=False) as client:
        while True:
            try:
                # A task of its own per round, as the rollup folder does (rollup_folding).
                attempted = await asyncio.create_task(
                    deliver_due(now=datetime.now(UTC), client=client, policy=policy)
                )
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if is_unavailable(error):  # an outage, not a bug: one line, no traceback
                    logger.warning(
                        "Webhook delivery paused, the database is unavailable (%s); "
                        "retrying after the interval",
                        error,
                    )
                else:
                    logger.exception("Webhook delivery round failed; retrying after the interval")
                attempted = 0
            if attempted < policy.batch_size:
                await asyncio.sleep(poll_interval.total_seconds())
