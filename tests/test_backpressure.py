"""Bounded work per process: quick UNAVAILABLE when every slot is busy, time limits,
cancellation when the client leaves, and health checks that never queue."""

import asyncio
from typing import Any

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from billgraph.http.backpressure import BackpressureMiddleware
from billgraph.models import UsageLog
from tests.conftest import Database, make_settings, running_app


class Blocking:
    """An ASGI app whose requests wait until released; it notes cancellations."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.entered = asyncio.Event()
        self.cancelled = asyncio.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        while (await receive()).get("more_body"):
            pass
        if scope["path"] != "/healthz":
            self.entered.set()
            try:
                await self.release.wait()
            except asyncio.CancelledError:
                self.cancelled.set()
                raise
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})


def client_of(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_a_request_finding_every_slot_busy_gets_a_quick_retryable_503() -> None:
    blocking = Blocking()
    app = BackpressureMiddleware(blocking, slots=1, slot_timeout=0.05, request_timeout=60)
    async with client_of(app) as client:
        first = asyncio.ensure_future(client.post("/graphql", json={}))
        await blocking.entered.wait()

        refused = await client.post("/graphql", json={})
        health = await client.get("/healthz")
        blocking.release.set()
        served = await first

    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    error = refused.json()["errors"][0]
    assert error["extensions"] == {
        "code": "UNAVAILABLE",
        "retryable": True,
        "reason": "pool_exhausted",
    }
    assert health.status_code == 200  # never queued behind the busy slot
    assert served.status_code == 200


async def test_a_request_over_its_time_limit_is_stopped_and_answered_503() -> None:
    blocking = Blocking()
    app = BackpressureMiddleware(blocking, slots=1, slot_timeout=1, request_timeout=0.05)
    async with client_of(app) as client:
        response = await client.post("/graphql", json={})

    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["reason"] == "request_timeout"
    assert blocking.cancelled.is_set()


async def test_the_work_of_a_client_that_went_away_is_cancelled_and_its_slot_freed() -> None:
    blocking = Blocking()
    app = BackpressureMiddleware(blocking, slots=1, slot_timeout=0.05, request_timeout=60)
    gone = asyncio.Event()
    sent: list[Message] = []

    async def receive() -> Message:
        if not blocking.entered.is_set():
            return {"type": "http.request", "body": b"{}", "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "http", "path": "/graphql", "method": "POST", "headers": []}
    request = asyncio.ensure_future(app(scope, receive, send))
    await blocking.entered.wait()
    gone.set()
    await request
    blocking.release.set()
    async with client_of(app) as client:
        after = await client.post("/graphql", json={})

    assert blocking.cancelled.is_set()
    assert sent == []  # nobody to answer
    assert after.status_code == 200  # the slot came back


async def test_postgres_statements_carry_the_time_limit(database: Database) -> None:
    if database.dialect != "postgres":
        pytest.skip("statement_timeout is a PostgreSQL setting")
    settings = make_settings(database, statement_timeout_seconds=1.5, database_pool_max_size=3)
    async with running_app(settings):
        rows = await UsageLog._meta.db.execute_query_dict("SHOW statement_timeout")

    assert rows == [{"statement_timeout": "1500ms"}]
