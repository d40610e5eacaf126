"""The GraphiQL page must load entirely from billgraph's vendored copies, with no CDN."""

from __future__ import annotations

import base64
import hashlib
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.testclient import TestClient

import billgraph.graphiql as graphiql_module
from billgraph.graphiql import STATIC_DIR, STATIC_URL_PREFIX, graphiql_html

MIN_ASSET_BYTES = 500  # the smallest vendored asset (plugin-explorer.css) is 755 bytes


@dataclass(frozen=True)
class Asset:
    tag: str
    url: str
    integrity: str | None


class _AssetParser(HTMLParser):
    """Collects every <script src> and <link href> of the page (favicon data: URIs excluded)."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[Asset] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        url = attributes.get("src") if tag == "script" else attributes.get("href")
        if tag in {"script", "link"} and url and not url.startswith("data:"):
            self.assets.append(Asset(tag, url, attributes.get("integrity")))


def _assets(html: str) -> list[Asset]:
    parser = _AssetParser()
    parser.feed(html)
    return parser.assets


def _make_app(static_dir: Path) -> FastAPI:
    app = FastAPI()
    app.mount(STATIC_URL_PREFIX, StaticFiles(directory=static_dir), name="graphiql-static")

    @app.get("/graphql", response_class=HTMLResponse)
    def graphql_ide() -> str:
        return graphiql_html()

    return app


def _sri(algorithm: str, body: bytes) -> str:
    digest = hashlib.new(algorithm, body).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode()}"


def _asset_problems(client: TestClient) -> list[str]:
    """Everything wrong with the page's assets as served; empty when the page can load."""
    page = client.get("/graphql")
    assert page.status_code == 200
    assets = _assets(page.text)
    problems: list[str] = []
    for asset in assets:
        if not asset.url.startswith(f"{STATIC_URL_PREFIX}/"):
            problems.append(f"{asset.tag} {asset.url} is not served by billgraph")
            continue
        response = client.get(asset.url)
        if response.status_code != 200 or len(response.content) < MIN_ASSET_BYTES:
            problems.append(f"{asset.url}: {response.status_code}, {len(response.content)} bytes")
            continue
        expected_type = "text/css" if asset.url.endswith(".css") else "javascript"
        if expected_type not in response.headers["content-type"]:
            problems.append(f"{asset.url} served as {response.headers['content-type']}")
        if asset.integrity is not None:
            algorithm = asset.integrity.split("-", 1)[0]
            if _sri(algorithm, response.content) != asset.integrity:
                problems.append(f"{asset.url} does not match integrity {asset.integrity}")
    return problems


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(_make_app(STATIC_DIR))


def test_page_references_no_remote_script_or_stylesheet(client: TestClient) -> None:
    page = client.get("/graphql")
    assert page.status_code == 200
    assert 'id="graphiql"' in page.text
    assets = _assets(page.text)
    remote = [a.url for a in assets if a.url.startswith(("http://", "https://", "//"))]
    assert remote == []
    assert "unpkg.com" not in page.text
    # React, ReactDOM, js-cookie, GraphiQL JS + CSS, explorer JS + CSS.
    assert len(assets) == 7


def test_every_local_asset_is_served_and_matches_its_integrity_hash(client: TestClient) -> None:
    assert _asset_problems(client) == []


def test_graphiql_bundle_matches_its_sri_hash(client: TestClient) -> None:
    (bundle,) = [
        a for a in _assets(client.get("/graphql").text) if a.url.endswith("graphiql.min.js")
    ]
    assert bundle.integrity is not None
    served = client.get(bundle.url).content
    assert served == (STATIC_DIR / "graphiql.min.js").read_bytes()
    assert _sri("sha384", served) == bundle.integrity


def test_check_detects_a_missing_vendored_file(tmp_path: Path) -> None:
    """The asset check itself must be able to fail: serve a copy lacking graphiql.min.js."""
    broken = tmp_path / "static"
    shutil.copytree(STATIC_DIR, broken)
    (broken / "graphiql.min.js").unlink()
    problems = _asset_problems(TestClient(_make_app(broken)))
    assert len(problems) == 1
    assert problems[0].startswith(f"{STATIC_URL_PREFIX}/graphiql.min.js: 404")


def test_check_detects_a_modified_vendored_file(tmp_path: Path) -> None:
    """An edited bundle (e.g. hit by a tree-wide search-and-replace) breaks its SRI hash."""
    broken = tmp_path / "static"
    shutil.copytree(STATIC_DIR, broken)
    with (broken / "graphiql.min.js").open("ab") as bundle:
        bundle.write(b"\n")
    problems = _asset_problems(TestClient(_make_app(broken)))
    assert len(problems) == 1
    assert "graphiql.min.js does not match integrity sha384-" in problems[0]


def test_unknown_cdn_url_in_template_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://unpkg.com/graphiql@9.9.9/graphiql.min.js"
    monkeypatch.setattr(
        graphiql_module,
        "get_graphql_ide_html",
        lambda graphql_ide="graphiql": f'<script src="{url}"></script>',
    )
    with pytest.raises(RuntimeError, match=r"graphiql@9\.9\.9"):
        graphiql_html()


def test_missing_vendored_file_raises(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(graphiql_module, "STATIC_DIR", tmp_path)
    with pytest.raises(RuntimeError, match=r"react\.production\.min\.js"):
        graphiql_html()


def test_subscription_option_follows_the_flag() -> None:
    assert "subscriptionUrl," not in graphiql_html()
    assert "subscriptionUrl," in graphiql_html(subscription_enabled=True)
