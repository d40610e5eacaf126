"""Alert webhooks: signed, retried after a failure, delivered at least once, listed, re-sent."""

import asyncio
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

from billgraph.db import tortoise_config
from billgraph.services import webhooks
from tests.conftest import Api
from tests.test_budgets import create_budget, price_gpt, record

CREATE_ENDPOINT = """
mutation ($url: String!) {
  createWebhookEndpoint(url: $url, description: "test receiver") { secret endpoint { id url } }
}"""
DELIVERIES = """
query ($status: DeliveryStatus) {
  webhookDeliveries(status: $status) {
    edges { node { id status attempts lastStatusCode lastError } }
  }
}"""
RESEND = "mutation ($id: ID!) { resendWebhookDelivery(id: $id) { status attempts } }"
POLICY = webhooks.DeliveryPolicy(max_attempts=2, retry_base=timedelta(seconds=10))


@dataclass
class Receiver:
    """A local HTTP endpoint that answers 500 to the first delivery of each event, then 200."""

    secret: str = ""
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    valid_signatures: list[bool] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()
    seen: set[str] = set()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append((dict(self.headers), body))
            timestamp, _, signature = self.headers["Billgraph-Signature"].partition(",v1=")
            expected = hmac.new(
                state.secret.encode(),
                timestamp.removeprefix("t=").encode() + b"." + body,
                hashlib.sha256,
            ).hexdigest()
            state.valid_signatures.append(hmac.compare_digest(signature, expected))
            event_id = json.loads(body)["id"]
            first_time = event_id not in seen
            seen.add(event_id)
            self.send_response(500 if first_time else 200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            del format, args

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def _deliver(api: Api, now: datetime) -> int:
    async with TortoiseContext() as context, httpx.AsyncClient() as client:
        await context.init(config=tortoise_config(api.database.url))
        return await webhooks.deliver_due(now=now, client=client, policy=POLICY)


async def _deliveries(api: Api, status: str | None = None) -> list[dict[str, Any]]:
    data = await api.data(DELIVERIES, {"status": status})
    return [edge["node"] for edge in data["webhookDeliveries"]["edges"]]


async def test_an_alert_is_signed_retried_and_delivered_once_after_dedup(
    api: Api, receiver: Receiver
) -> None:
    created = (await api.data(CREATE_ENDPOINT, {"url": receiver.url}))["createWebhookEndpoint"]
    receiver.secret = created["secret"]
    await price_gpt(api)
    budget = await create_budget(api, limit="0.01", mode="SOFT", thresholds=[80])
    await record(api, 9000)  # 90%: crosses 80
    await record(api, 500)  # still over 80: no new event

    now = datetime.now(UTC)
    assert await _deliver(api, now) == 1
    [failed_once] = await _deliveries(api)
    assert failed_once["status"] == "PENDING"
    assert failed_once["lastStatusCode"] == 500
    assert await _deliver(api, now) == 0  # backing off
    assert await _deliver(api, now + timedelta(seconds=11)) == 1
    [delivered] = await _deliveries(api)
    assert delivered["status"] == "DELIVERED"
    assert delivered["attempts"] == 2

    assert len(receiver.requests) == 2
    assert all(receiver.valid_signatures)
    events = {json.loads(body)["id"]: json.loads(body) for _, body in receiver.requests}
    assert len(events) == 1
    [event] = events.values()
    assert event["type"] == "budget.threshold_crossed"
    assert event["threshold"] == 80
    assert event["budget"]["id"] == budget["id"]
    assert event["figures"]["spent"] == "0.009"
    assert event["figures"]["limit"] == "0.01"
    assert {"createdAt", "window"} <= event.keys()
    assert receiver.requests[0][0]["Billgraph-Event-Id"] == event["id"]

    # An admin can send it again; the receiver still sees one event after dedup.
    resent = (await api.data(RESEND, {"id": delivered["id"]}))["resendWebhookDelivery"]
    assert resent == {"status": "PENDING", "attempts": 0}
    assert await _deliver(api, now + timedelta(seconds=12)) == 1
    assert len({json.loads(body)["id"] for _, body in receiver.requests}) == 1
    assert len(receiver.requests) == 3


async def test_a_delivery_that_keeps_failing_is_marked_failed(api: Api) -> None:
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as closed:
        unreachable = f"http://127.0.0.1:{closed.server_address[1]}/gone"
    await api.data(CREATE_ENDPOINT, {"url": unreachable})
    await price_gpt(api)
    await create_budget(api, limit="0.001", thresholds=[100])
    await record(api, 1000)
    now = datetime.now(UTC)
    assert await _deliver(api, now) == 1
    assert await _deliver(api, now + timedelta(seconds=11)) == 1
    [failed] = await _deliveries(api, "FAILED")
    assert failed["attempts"] == 2
    assert failed["lastError"]
    assert await _deliver(api, now + timedelta(hours=2)) == 0


def test_signatures_verify_only_with_the_secret_and_the_same_body() -> None:
    header = webhooks.sign(secret="whsec_a", timestamp=1_700_000_000, body=b'{"id":"evt_1"}')
    assert header.startswith("t=1700000000,v1=")
    assert webhooks.verify_signature(secret="whsec_a", header=header, body=b'{"id":"evt_1"}')
    assert not webhooks.verify_signature(secret="whsec_b", header=header, body=b'{"id":"evt_1"}')
    assert not webhooks.verify_signature(secret="whsec_a", header=header, body=b'{"id":"evt_2"}')


async def test_bad_endpoint_urls_are_refused(api: Api) -> None:
    error = await api.error(CREATE_ENDPOINT, {"url": "ftp://example.com"})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "url"}


async def test_parallel_workers_send_each_delivery_once(api: Api, receiver: Receiver) -> None:
    if api.database.dialect != "postgres":
        pytest.skip("several workers are a PostgreSQL feature (FOR UPDATE SKIP LOCKED)")
    created = (await api.data(CREATE_ENDPOINT, {"url": receiver.url}))["createWebhookEndpoint"]
    receiver.secret = created["secret"]
    await price_gpt(api)
    await create_budget(api, limit="0", mode="SOFT", thresholds=[10, 20, 30, 40, 50, 60])
    await record(api, 1000)  # six thresholds at once: six events, six deliveries
    policy = webhooks.DeliveryPolicy(max_attempts=3, batch_size=3)
    now = datetime.now(UTC)
    async with TortoiseContext() as context, httpx.AsyncClient() as client:
        await context.init(config=tortoise_config(api.database.url))
        rounds = await asyncio.gather(
            *(webhooks.deliver_due(now=now, client=client, policy=policy) for _ in range(4))
        )
    assert sum(rounds) == 6
    sent = [json.loads(body)["id"] for _, body in receiver.requests]
    assert len(sent) == len(set(sent)) == 6


async def test_a_database_outage_pauses_delivery_with_one_line_and_no_traceback(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    rounds = 0
    third_round = asyncio.Event()

    async def unreachable(**_: Any) -> int:
        nonlocal rounds
        rounds += 1
        if rounds == 2:
            raise RuntimeError("a bug")
        if rounds > 2:
            third_round.set()
            await asyncio.Event().wait()  # stay here until cancelled
        raise ConnectionRefusedError(111, "Connect call failed")

    monkeypatch.setattr(webhooks, "deliver_due", unreachable)
    worker = asyncio.ensure_future(
        webhooks.run_worker(policy=POLICY, poll_interval=timedelta(milliseconds=1))
    )
    await third_round.wait()
    worker.cancel()
    with pytest.raises(asyncio.CancelledError):
        await worker
    outage, bug = [record for record in caplog.records if record.name == "billgraph.webhooks"]
    assert (outage.levelname, outage.exc_info) == ("WARNING", None)
    assert "database is unavailable" in outage.getMessage()
    assert bug.levelname == "ERROR"
    assert bug.exc_info is not None  # a bug keeps its traceback
