"""The billing dashboard: a static page at `/` on the public GraphQL API.

Everything it loads comes from `static/` (no CDN). The page runs under a
Content-Security-Policy of `'self'` with no inline script or style, in every
environment: it needs neither introspection nor GraphiQL.
"""

import gzip
from pathlib import Path
from typing import Final

from fastapi import FastAPI, Request
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

__all__ = ["SECURITY_HEADERS", "STATIC_DIR", "STATIC_URL_PREFIX", "mount_dashboard"]

STATIC_DIR: Final[Path] = Path(__file__).resolve().parent / "static"
STATIC_URL_PREFIX: Final = "/dashboard"

CONTENT_SECURITY_POLICY: Final = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS: Final[dict[str, str]] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    # Revalidate (ETag) on each load, so an upgrade never mixes old and new modules.
    "Cache-Control": "no-cache",
}


class _DashboardFiles(StaticFiles):
    """Static files with the dashboard's security headers."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(SECURITY_HEADERS)
        return response


def mount_dashboard(app: FastAPI) -> None:
    """Serve the dashboard page at `/` and its files under STATIC_URL_PREFIX, gzipped."""

    page = (STATIC_DIR / "index.html").read_bytes()
    page_gzipped = gzip.compress(page, mtime=0)

    @app.get("/", include_in_schema=False)
    async def dashboard(request: Request) -> Response:
        headers = {**SECURITY_HEADERS, "Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return Response(page_gzipped, media_type="text/html", headers=headers)
        return Response(page, media_type="text/html", headers=headers)

    app.mount(
        STATIC_URL_PREFIX,
        GZipMiddleware(_DashboardFiles(directory=STATIC_DIR), minimum_size=500),
        name="dashboard",
    )
