"""GraphiQL that works without internet access.

Strawberry's GraphiQL page loads React, ReactDOM, js-cookie, GraphiQL and its explorer
plugin from unpkg.com, so on an offline machine it never gets past "Loading...". The
``static/`` folder next to this file holds those exact files, copied byte for byte from
the npm tarballs of the versions the template pins (so the template's SRI ``integrity``
hashes still hold), with their licences. ``graphiql_html()`` takes strawberry's own
template and points its URLs at these copies.

The page keeps no API key: GraphiQL's ``shouldPersistHeaders`` is off (which also
clears headers an older page stored) and its settings offer no switch to turn it on;
headers are not put in the URL either. The first tab explains the Authorization header.

Serve it with ``StaticFiles(directory=STATIC_DIR)`` mounted at ``STATIC_URL_PREFIX``.
If a strawberry upgrade changes the template's URLs, ``graphiql_html()`` raises instead
of producing a page that silently fails to load: vendor the new versions, then update
``_VENDORED``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Final

from strawberry.http.ides import get_graphql_ide_html

__all__ = ["STATIC_DIR", "STATIC_URL_PREFIX", "graphiql_html"]

STATIC_DIR: Final[Path] = Path(__file__).resolve().parent / "static"
STATIC_URL_PREFIX: Final = "/graphiql-static"

# Each URL exactly as strawberry's template has it -> the vendored file in STATIC_DIR.
_VENDORED: Final[dict[str, str]] = {
    "https://unpkg.com/react@18.2.0/umd/react.production.min.js": "react.production.min.js",
    "https://unpkg.com/react-dom@18.2.0/umd/react-dom.production.min.js": (
        "react-dom.production.min.js"
    ),
    "https://unpkg.com/js-cookie@3.0.5/dist/js.cookie.min.js": "js.cookie.min.js",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.js": "graphiql.min.js",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.css": "graphiql.min.css",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": (
        "plugin-explorer.umd.js"
    ),
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/style.css": "plugin-explorer.css",
}

# Any absolute URL left after rewriting, except XML namespace names (never fetched).
_REMOTE_URL: Final = re.compile(r"https?://(?!www\.w3\.org/)[^\s\"'<>`)]+")

# The option strawberry's template passes to GraphiQL.createFetcher for websockets.
_SUBSCRIPTION_OPTION: Final = re.compile(r"^[ \t]*subscriptionUrl,[ \t]*\n", re.MULTILINE)

# Strawberry's welcome text, a JavaScript template literal.
_EXAMPLE_QUERY: Final = re.compile(r"const EXAMPLE_QUERY = `[^`]*`;")
_PERSIST_HEADERS: Final = "shouldPersistHeaders: true,"
_NO_PERSISTED_HEADERS: Final = (
    "shouldPersistHeaders: false,\n          showPersistHeadersSettings: false,"
)
_INITIAL_HEADERS: Final = "React.useState(parameters.headers)"
HEADERS_TEMPLATE: Final = '{"Authorization": "Bearer <key>"}'

WELCOME: Final = """\
# billgraph: GraphQL for exact LLM usage billing
#
# Every operation needs an API key. In the Headers tab below, replace <key>:
#
#     {{"Authorization": "Bearer <key>"}}
#
# This page does not keep headers: after a reload, paste the key again.
# Keys: "billgraph keys create --name NAME --scope read|ingest|admin".
{development_key}#
# Run with Ctrl-Enter (or the play button); Ctrl-Space completes.

{{
  pricings {{ provider modelName inputTokenCost outputTokenCost managedBy }}
}}
"""
DEVELOPMENT_KEY_HINT: Final = """\
#
# Development server on SQLite: on its first run, "billgraph serve" (make run)
# printed a development admin key, once, in its terminal.
"""


def graphiql_html(*, subscription_enabled: bool = False, development_key_hint: bool = False) -> str:
    """Return strawberry's GraphiQL page with every asset served from STATIC_URL_PREFIX.

    The page does not persist headers and opens on billgraph's welcome text, which
    says where the development key was printed when ``development_key_hint`` is set.

    Strawberry 0.341's template always gives GraphiQL a websocket ``subscriptionUrl``;
    with ``subscription_enabled=False`` that option is removed, so a subscription run
    from the page reports that subscriptions are not configured instead of trying a
    websocket the server does not serve.

    Raises RuntimeError if the template loads a remote URL there is no vendored file
    for, if a vendored file is missing, or if the template no longer has the expected
    ``subscriptionUrl`` option.
    """
    html = get_graphql_ide_html(graphql_ide="graphiql")
    for url, name in _VENDORED.items():
        if url not in html:
            continue
        if not (STATIC_DIR / name).is_file():
            raise RuntimeError(f"vendored GraphiQL asset for {url} is missing: {STATIC_DIR / name}")
        html = html.replace(url, f"{STATIC_URL_PREFIX}/{name}")

    remote = _REMOTE_URL.search(html)
    if remote is not None:
        raise RuntimeError(
            f"strawberry's GraphiQL template loads {remote.group()}, which billgraph has no "
            f"local copy of: vendor it into {STATIC_DIR} and add it to _VENDORED"
        )

    html = _replace_once(html, _PERSIST_HEADERS, _NO_PERSISTED_HEADERS)
    html = _replace_once(
        html,
        _INITIAL_HEADERS,
        f"React.useState(parameters.headers || {json.dumps(HEADERS_TEMPLATE)})",
    )
    welcome = WELCOME.format(development_key=DEVELOPMENT_KEY_HINT if development_key_hint else "")
    html, count = _EXAMPLE_QUERY.subn(
        lambda _: f"const EXAMPLE_QUERY = {_template_literal(welcome)};", html
    )
    if count != 1:
        raise RuntimeError(f"strawberry's GraphiQL template has {count} EXAMPLE_QUERY texts, not 1")

    if not subscription_enabled:
        html, count = _SUBSCRIPTION_OPTION.subn("", html)
        if count != 1:
            raise RuntimeError(
                "strawberry's GraphiQL template no longer passes `subscriptionUrl,` to "
                f"GraphiQL.createFetcher exactly once (found {count}); update graphiql_html()"
            )
    return html


def _replace_once(html: str, old: str, new: str) -> str:
    if html.count(old) != 1:
        raise RuntimeError(
            f"strawberry's GraphiQL template has {html.count(old)} times {old!r}, not once: "
            "update graphiql_html()"
        )
    return html.replace(old, new)


def _template_literal(text: str) -> str:
    """Return `text` as a JavaScript template literal that is safe inside <script>."""
    escaped = text.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")
    return "`" + escaped.replace("</", "<\\/") + "`"
