"""One access log line and the HTTP metrics of every request, with its log context."""

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from billgraph import metrics

access_logger = logging.getLogger("billgraph.access")


KNOWN_ENDPOINTS = frozenset({"/graphql", "/v1/usage", "/healthz", "/readyz", "/metrics", "/"})


def endpoint_of(scope: Scope) -> str:
    """Return a bounded label for the endpoint: the matched route's template, or "other"."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str) and path:
        return path
    requested: str = scope["path"]
    return requested if requested in KNOWN_ENDPOINTS else "other"


class ObserveMiddleware:
    """Bind the request's log context, then log and count the request when it ends.

    Sits inside RequestIdMiddleware, which has bound the request's log context.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            seconds = time.perf_counter() - started
            endpoint = endpoint_of(scope)
            metrics.http_request(endpoint=endpoint, status=status, seconds=seconds)
            access_logger.info(
                "%s %s %d %.1fms",
                scope["method"],
                scope["path"],
                status,
                seconds * 1000,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
