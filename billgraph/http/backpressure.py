"""Bounded work per process: a slot per database connection, time limits, cancellation.

A request that needs the database takes one of DATABASE_POOL_MAX_SIZE slots; when none
frees up within DATABASE_POOL_TIMEOUT_SECONDS it is answered 503 UNAVAILABLE (retryable)
at once, instead of queueing without bound in front of the pool. A request that runs
longer than REQUEST_TIMEOUT_SECONDS is stopped and answered the same way, and one whose
client went away is cancelled (its database statement is cancelled with it). Health,
readiness and metrics never take a slot, so they never queue behind work.
"""

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from billgraph import metrics
from billgraph.http_errors import error_response

UNQUEUED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class BackpressureMiddleware:
    def __init__(
        self, app: ASGIApp, *, slots: int, slot_timeout: float, request_timeout: float
    ) -> None:
        self.app = app
        self.slots = asyncio.Semaphore(slots)
        self.slot_timeout = slot_timeout
        self.request_timeout = request_timeout
        metrics.POOL_SIZE.set(slots)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNQUEUED_PATHS:
            await self.app(scope, receive, send)
            return
        try:
            await asyncio.wait_for(self.slots.acquire(), self.slot_timeout)
        except TimeoutError:
            metrics.request_rejected("pool_exhausted")
            await _unavailable(
                scope, receive, send, "The service is at capacity; retry shortly", "pool_exhausted"
            )
            return
        metrics.POOL_IN_USE.inc()
        try:
            await self._run(scope, receive, send)
        finally:
            metrics.POOL_IN_USE.dec()
            self.slots.release()

    async def _run(self, scope: Scope, receive: Receive, send: Send) -> None:
        body_read = asyncio.Event()
        response_started = False
        response_done = False

        async def receive_noting_body() -> Message:
            message = await receive()
            if message["type"] == "http.disconnect" or not message.get("more_body", False):
                body_read.set()
            return message

        async def send_noting_start(message: Message) -> None:
            nonlocal response_started, response_done
            if message["type"] == "http.response.start":
                response_started = True
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                response_done = True
            await send(message)

        work = asyncio.ensure_future(self.app(scope, receive_noting_body, send_noting_start))

        async def cancel_when_client_leaves() -> None:
            await body_read.wait()
            message = await receive()
            if message["type"] == "http.disconnect" and not response_done:
                metrics.request_rejected("client_disconnected")
                work.cancel()

        watcher = asyncio.ensure_future(cancel_when_client_leaves())
        try:
            await asyncio.wait_for(work, self.request_timeout)
        except TimeoutError:
            metrics.request_rejected("request_timeout")
            if not response_started:
                await _unavailable(
                    scope,
                    receive,
                    send,
                    "The request took longer than REQUEST_TIMEOUT_SECONDS and was stopped",
                    "request_timeout",
                )
        except asyncio.CancelledError:
            if not work.cancelled() or response_done:
                raise
            # The client went away: nobody is left to answer.
        finally:
            watcher.cancel()


async def _unavailable(
    scope: Scope, receive: Receive, send: Send, message: str, reason: str
) -> None:
    await error_response("UNAVAILABLE", message, reason=reason)(scope, receive, send)
