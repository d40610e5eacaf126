"""The dashboard's page and files (CSP, nothing from other hosts) and the CSV export."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from billgraph.dashboard import CONTENT_SECURITY_POLICY, STATIC_DIR
from billgraph.services import usage_export
from tests.conftest import Api, Database, create_key, make_settings, running_app

BATCH = (
    """mutation ($inputs: [RecordUsageInput!]!) { recordUsageBatch(inputs: $inputs) { created } }"""
)
LOGS = """query ($filter: UsageFilter) { usageLogs(filter: $filter, first: 500) { edges { node {
  id requestId userId provider model tokensInput tokensOutput inputTokenCost outputTokenCost
  costInput costOutput costTotal pricingSource matchedModelName occurredAt } } } }"""
OWN_JS = sorted((STATIC_DIR / "js").glob("*.js"))


async def test_the_page_is_served_with_a_strict_csp_in_production(database: Database) -> None:
    settings = make_settings(database, environment="production")
    async with running_app(settings) as client:
        page = await client.get("/", headers={"Accept-Encoding": "gzip"})
        assert page.status_code == 200
        assert page.headers["content-encoding"] == "gzip"
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "default-src 'self'" in CONTENT_SECURITY_POLICY
        assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["x-frame-options"] == "DENY"
        html = page.text
        # Nothing the CSP would block: no inline script, style or event handler.
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html)
        assets = re.findall(r'(?:src|href)="([^"#]+)"', html)
        assert len(assets) >= 4, html
        for asset in assets:
            assert asset.startswith("/dashboard/"), asset
            response = await client.get(asset)
            assert response.status_code == 200, asset
            assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        script = await client.get("/dashboard/js/app.js", headers={"Accept-Encoding": "gzip"})
        assert script.headers["content-encoding"] == "gzip"
        assert script.headers["content-type"].startswith("text/javascript")


def test_the_scripts_reach_no_other_host_and_keep_the_key_out_of_storage_and_urls() -> None:
    assert OWN_JS
    for path in OWN_JS:
        source = path.read_text(encoding="utf-8")
        assert "://" not in source, path.name
        assert "localStorage." not in source, path.name
        assert "innerHTML" not in source, path.name  # API data never becomes markup
    vendored = (STATIC_DIR / "vendor" / "VENDORED.md").read_text(encoding="utf-8")
    assert "uplot 1.6.32" in vendored
    assert (STATIC_DIR / "vendor" / "LICENSE-uplot.txt").exists()


def test_the_pages_enums_match_the_schema() -> None:
    schema = (STATIC_DIR.parents[2] / "schema.graphql").read_text(encoding="utf-8")
    enums = (STATIC_DIR / "js" / "enums.js").read_text(encoding="utf-8")
    for name, constant in (
        ("Provider", "PROVIDERS"),
        ("PricingSource", "PRICING_SOURCES"),
        ("BudgetPeriod", "BUDGET_PERIODS"),
        ("BudgetMode", "BUDGET_MODES"),
        ("DeliveryStatus", "DELIVERY_STATUSES"),
    ):
        body = re.search(rf"enum {name} {{(.*?)}}", schema, re.DOTALL)
        listed = re.search(rf"{constant} = \[(.*?)\]", enums, re.DOTALL)
        assert body
        assert listed
        assert re.findall(r'"(\w+)"', listed.group(1)) == body.group(1).split()


def _calls(count: int, user: str, model: str = "gpt-4o") -> list[dict[str, object]]:
    start = datetime.now(UTC) - timedelta(hours=1)
    return [
        {
            "provider": "OPENAI",
            "model": model,
            "userId": user,
            "tokensInput": 1000 + index,
            "tokensOutput": 7,
            "requestId": f"{user}-{model}-{index}",
            "occurredAt": (start - timedelta(minutes=index)).isoformat(),
        }
        for index in range(count)
    ]


async def _export(api: Api, key: str, **params: str) -> list[dict[str, str]]:
    response = await api.http.get(
        "/v1/usage/export.csv", params=params, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


async def test_csv_export_streams_every_matching_log_with_exact_decimals(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    await api.data(
        """mutation { upsertPricing(input: { provider: OPENAI, modelName: "gpt-4o",
          inputTokenCost: "0.0000025", outputTokenCost: "0.00001",
          effectiveFrom: "2020-01-01T00:00:00Z" }) { id } }"""
    )
    await api.data(BATCH, {"inputs": _calls(5, "ann") + _calls(2, "ben", model="unpriced-x")})
    monkeypatch.setattr(usage_export, "EXPORT_PAGE_SIZE", 2)  # several keyset pages
    rows = await _export(api, "test-admin-key-0123456789")
    logs = [edge["node"] for edge in (await api.data(LOGS))["usageLogs"]["edges"]]
    assert len(rows) == len(logs) == 7
    assert list(rows[0]) == usage_export.CSV_COLUMNS
    for row, log in zip(rows, logs, strict=True):
        for name, value in log.items():
            if name == "occurredAt":
                assert datetime.fromisoformat(row[name]) == datetime.fromisoformat(value)
            else:
                assert row[name] == ("" if value is None else str(value)), name
    assert {row["costTotal"] for row in rows if row["userId"] == "ben"} == {"0.001007", "0.001008"}
    filtered = await _export(
        api, "test-admin-key-0123456789", pricingSource="BUILTIN_ESTIMATE", provider="openai"
    )
    assert [row["userId"] for row in filtered] == ["ben", "ben"]


async def test_a_user_bound_key_exports_only_its_users_logs(api: Api) -> None:
    await api.data(BATCH, {"inputs": _calls(3, "ann") + _calls(2, "ben")})
    ann = await create_key(api, ["READ"], user_id="ann")
    assert {row["userId"] for row in await _export(api, ann)} == {"ann"}
    assert len(await _export(api, ann)) == 3
    other = await api.http.get(
        "/v1/usage/export.csv", params={"userId": "ben"}, headers={"Authorization": f"Bearer {ann}"}
    )
    assert other.status_code == 403
    assert other.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("params", "headers", "status", "code", "field"),
    [
        ({}, {}, 401, "UNAUTHENTICATED", None),
        ({}, {"Authorization": "Bearer bg_000000000000_nope"}, 401, "UNAUTHENTICATED", None),
        ({"provider": "NOPE"}, None, 400, "BAD_USER_INPUT", "provider"),
        ({"pricingSource": "CHEAP"}, None, 400, "BAD_USER_INPUT", "pricingSource"),
        ({"from": "yesterday"}, None, 400, "BAD_USER_INPUT", "from"),
        ({"to": "2026-01-01T00:00:00"}, None, 400, "BAD_USER_INPUT", "to"),
    ],
)
async def test_csv_export_refuses_bad_requests_in_the_json_error_shape(
    api: Api,
    params: dict[str, str],
    headers: dict[str, str] | None,
    status: int,
    code: str,
    field: str | None,
) -> None:
    if headers is None:
        headers = {"Authorization": "Bearer test-admin-key-0123456789"}
    response = await api.http.get("/v1/usage/export.csv", params=params, headers=headers)
    assert response.status_code == status
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == code
    assert error["extensions"].get("field") == field


async def test_an_ingest_only_key_may_not_export(api: Api) -> None:
    ingest = await create_key(api, ["INGEST"])
    response = await api.http.get(
        "/v1/usage/export.csv", headers={"Authorization": f"Bearer {ingest}"}
    )
    assert response.status_code == 403
