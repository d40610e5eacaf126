"""The dashboard in headless Chromium, against a real server seeded with known usage.

One browser for the module; one server per database (SQLite, PostgreSQL). Every test
also checks that the page asked no other host for anything and logged no console error.
"""

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tortoise.context import TortoiseContext

from billgraph.db import tortoise_config
from tests.browser import chromium, live_server, requested_urls, require_chromium
from tests.conftest import ADMIN_KEY, Database, empty_tables

pytestmark = pytest.mark.usefixtures("page_stays_local")

WAIT_SECONDS = 20
RECORD = (
    """mutation ($inputs: [RecordUsageInput!]!) { recordUsageBatch(inputs: $inputs) { created } }"""
)
UPSERT = """mutation ($input: PricingInput!) { upsertPricing(input: $input) { id } }"""
CREATE_KEY = """mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }"""
LOG_FIELDS = """id requestId userId provider model tokensInput tokensOutput tokensCachedInput
  tokensCacheWrite tokensReasoning inputTokenCost outputTokenCost cachedInputTokenCost
  cacheWriteTokenCost reasoningTokenCost costInput costOutput costCachedInput costCacheWrite
  costReasoning costTotal pricingSource matchedModelName pricingId occurredAt recordedAt"""
TIMES = "\N{MULTIPLICATION SIGN}"
WORKED_EXAMPLE = (
    "short name gpt-oss-120b matched mistral gpt-oss-120b: "
    f"1000 {TIMES} 0.000001 + 500 {TIMES} 0.000003 = 0.0025"
)
# (count, provider, model, user, tokens in, tokens out, of them cached input, cache write,
# reasoning): 25 logs over the last two days. No price sets the token kinds apart, so
# they cost the input (output) price.
SEED = [
    (12, "HUGGINGFACE", "openai/gpt-oss-120b:groq", "alice", 1000, 500, 0, 0, 0),
    (6, "OPENAI", "gpt-4o", "bob", 1234, 567, 400, 123, 89),
    (4, "XAI", "grok-unpriced", "bob", 2000, 100, 0, 0, 0),
    (3, "MISTRAL", "mistral-unknown", "carol", 10, 20, 5, 0, 7),
]


def _seed(server: Any) -> None:
    key = server.admin_key
    server.graphql(
        UPSERT,
        {
            "input": {
                "provider": "OPENAI",
                "modelName": "gpt-4o",
                "inputTokenCost": "0.0000025",
                "outputTokenCost": "0.00001",
                "effectiveFrom": "2020-01-01T00:00:00Z",
            }
        },
        key=key,
    )
    now = datetime.now(UTC)
    inputs: list[dict[str, Any]] = []
    for count, provider, model, user, tokens_in, tokens_out, cached, written, reasoning in SEED:
        for index in range(count):
            inputs.append(
                {
                    "provider": provider,
                    "model": model,
                    "userId": user,
                    "tokensInput": tokens_in,
                    "tokensOutput": tokens_out,
                    "tokensCachedInput": cached,
                    "tokensCacheWrite": written,
                    "tokensReasoning": reasoning,
                    "requestId": f"{model}-{index}",
                    "occurredAt": (now - timedelta(hours=2 + len(inputs) * 1.5)).isoformat(),
                }
            )
    server.graphql(RECORD, {"inputs": inputs}, key=key)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    require_chromium()
    downloads = tmp_path_factory.mktemp("downloads")
    with chromium(downloads) as driver:
        driver.downloads = downloads
        driver.signed_in_as = None
        yield driver


@pytest.fixture(scope="module")
async def server(database: Database, request: pytest.FixtureRequest) -> Any:
    require_chromium()
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(database.url))
        await empty_tables(database)
    # Chromium starts while the server boots.
    browser_starting = lambda: request.getfixturevalue("browser")  # noqa: E731
    with live_server(database.url, ADMIN_KEY, while_starting=browser_starting) as running:
        _seed(running)
        yield running


@pytest.fixture
def page_stays_local(browser: Any, server: Any) -> Iterator[None]:
    browser.get_log("browser")
    requested_urls(browser)
    yield
    foreign = [
        url
        for url in requested_urls(browser)
        if not url.startswith((server.url + "/", "blob:", "data:"))
    ]
    assert not foreign, f"the page asked other hosts: {foreign}"
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, f"console errors: {errors}"


def _wait(driver: Any, condition: Any) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait  # noqa: PLC0415

    return WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.05).until(lambda _: condition())


def _by_id(driver: Any, element_id: str) -> Any:
    return driver.find_element("id", element_id)


def _state(driver: Any, element_id: str) -> str | None:
    state: str | None = _by_id(driver, element_id).get_attribute("data-state")
    return state


def _sign_in(driver: Any, server: Any, key: str) -> None:
    """Sign in with `key` (or stay signed in) and show a freshly loaded overview."""
    if driver.signed_in_as not in {None, (server.url, key)}:
        _sign_out(driver)
    if driver.signed_in_as is None:
        if not driver.current_url.startswith(server.url):
            driver.get(server.url + "/")
        _wait(driver, lambda: _by_id(driver, "signin-view").is_displayed())
        _by_id(driver, "api-key").send_keys(key)
        _by_id(driver, "signin-submit").click()
        driver.signed_in_as = (server.url, key)
    else:
        driver.execute_script(
            "document.getElementById('overview-view').dataset.state = 'stale';"
            "if (location.hash === '#/overview') document.querySelector("
            "'#range-form button[type=submit]').click(); else location.hash = '#/overview';"
        )
    _wait(driver, lambda: _state(driver, "overview-view") in {"ready", "error"})
    assert _state(driver, "overview-view") == "ready"


def _sign_out(driver: Any) -> None:
    _by_id(driver, "sign-out").click()
    _wait(
        driver,
        lambda: _by_id(driver, "signin-view").is_displayed() and "#" not in driver.current_url,
    )
    assert driver.execute_script("return sessionStorage.length") == 0
    driver.signed_in_as = None


def _open_logs(driver: Any, server: Any, query: str = "") -> None:
    driver.execute_script(
        "document.getElementById('logs-view').dataset.state = 'stale';"
        "location.hash = arguments[0];",
        f"#/logs{'?' + query if query else ''}",
    )
    _wait(driver, lambda: _state(driver, "logs-view") in {"ready", "error"})
    assert _state(driver, "logs-view") == "ready"


def _log_rows(driver: Any) -> list[Any]:
    rows: list[Any] = driver.find_elements("css selector", "#logs-table tbody tr[data-log-id]")
    return rows


def _api_logs(server: Any, key: str, log_filter: dict[str, Any]) -> list[dict[str, Any]]:
    logs: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        page = server.graphql(
            f"""query ($filter: UsageFilter, $after: String) {{
              usageLogs(filter: $filter, first: 500, after: $after) {{
                edges {{ node {{ {LOG_FIELDS} }} }} pageInfo {{ hasNextPage endCursor }} }} }}""",
            {"filter": log_filter, "after": after},
            key=key,
        )["usageLogs"]
        logs.extend(edge["node"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return logs
        after = page["pageInfo"]["endCursor"]


def test_a_bad_key_gets_a_clear_message(browser: Any, server: Any) -> None:
    browser.get(server.url + "/")  # a fresh page on each server
    browser.signed_in_as = None
    _wait(browser, lambda: _by_id(browser, "signin-view").is_displayed())
    # Keyboard only: the key field has the focus, Enter signs in.
    assert browser.switch_to.active_element.get_attribute("id") == "api-key"
    browser.switch_to.active_element.send_keys("bg_000000000000_not-a-real-key\n")
    message = _wait(browser, lambda: _by_id(browser, "signin-error").text)
    assert "This API key was not accepted" in message
    assert "not valid" in message
    assert not _by_id(browser, "nav").is_displayed()
    assert browser.execute_script("return sessionStorage.length") == 0


def test_a_key_revoked_while_signed_in_is_sent_back_with_a_message(
    browser: Any, server: Any
) -> None:
    created = server.graphql(
        """mutation ($input: CreateApiKeyInput!) {
          createApiKey(input: $input) { secret apiKey { id } } }""",
        {"input": {"name": "soon revoked", "scopes": ["READ"]}},
        key=server.admin_key,
    )["createApiKey"]
    _sign_in(browser, server, created["secret"])
    server.graphql(
        "mutation ($id: ID!) { revokeApiKey(id: $id) { revokedAt } }",
        {"id": created["apiKey"]["id"]},
        key=server.admin_key,
    )
    browser.find_element("css selector", "#range-form button[type=submit]").click()
    message = _wait(browser, lambda: _by_id(browser, "signin-error").text)
    browser.signed_in_as = None
    assert "This API key was not accepted: The API key has been revoked" in message
    assert not _by_id(browser, "nav").is_displayed()
    assert not _by_id(browser, "overview-view").is_displayed()
    assert browser.execute_script("return sessionStorage.length") == 0
    # Signing in with it again gets the same message.
    _by_id(browser, "api-key").send_keys(created["secret"] + "\n")
    _wait(browser, lambda: "revoked" in _by_id(browser, "signin-error").text)
    assert not _by_id(browser, "nav").is_displayed()
    browser.get(server.url + "/")  # a fresh page for the next test


def test_overview_totals_equal_cost_summary_and_the_chart_draws(browser: Any, server: Any) -> None:
    _sign_in(browser, server, server.admin_key)
    body = _by_id(browser, "overview-body")
    window = {"from": body.get_attribute("data-from"), "to": body.get_attribute("data-to")}
    summary = server.graphql(
        """query ($filter: UsageFilter) { costSummary(filter: $filter) {
          requests tokensInput tokensOutput tokensCachedInput tokensCacheWrite tokensReasoning
          costTotal estimatedCostTotal } }""",
        {"filter": window},
        key=server.admin_key,
    )["costSummary"]
    assert summary["requests"] == "25"
    # 6 x 400 + 3 x 5 cached, 6 x 123 written to the cache, 6 x 89 + 3 x 7 reasoning.
    assert (
        summary["tokensCachedInput"],
        summary["tokensCacheWrite"],
        summary["tokensReasoning"],
    ) == ("2415", "738", "555")

    def exact(card: str) -> str:
        value = browser.find_element("css selector", f"#{card} .value")
        return str(value.get_attribute("data-exact"))

    assert exact("card-spend") == summary["costTotal"]
    assert exact("card-requests") == summary["requests"]
    assert exact("card-tokens-input") == summary["tokensInput"]
    assert exact("card-tokens-output") == summary["tokensOutput"]
    assert exact("card-tokens-cached-input") == summary["tokensCachedInput"]
    assert exact("card-tokens-cache-write") == summary["tokensCacheWrite"]
    assert exact("card-tokens-reasoning") == summary["tokensReasoning"]
    cached = browser.find_element("css selector", "#card-tokens-cached-input").text
    # 2415 of 12 x 1000 + 6 x 1234 + 4 x 2000 + 3 x 10 = 27434 input tokens.
    assert "2,415" in cached
    assert "8.8% of input tokens" in cached
    assert exact("card-estimated") == summary["estimatedCostTotal"]
    # Shown with every digit: grouped, with a dollar sign, never rounded.
    spend = browser.find_element("css selector", "#card-spend .value").text
    assert spend.replace("$", "").replace(",", "") == summary["costTotal"]
    link = _by_id(browser, "estimate-logs-link").get_attribute("href")
    assert "pricingSource=BUILTIN_ESTIMATE" in link

    assert _by_id(browser, "chart").get_attribute("data-drawn") == "chart"
    painted = browser.execute_script(
        """const canvas = document.querySelector('#chart canvas');
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
        return painted;"""
    )
    assert painted > 1000
    legend = browser.find_element("css selector", "#chart .u-legend").text
    assert "openai/gpt-oss-120b:groq" in legend

    # At a phone's width nothing sticks out sideways (wide tables scroll in their box).
    browser.set_window_size(390, 844)
    try:
        _wait(
            browser,
            lambda: browser.execute_script(
                "return document.documentElement.scrollWidth <= window.innerWidth"
            ),
        )
    finally:
        browser.set_window_size(1280, 900)

    top_models = browser.find_elements("css selector", "#top-models tbody tr")
    assert len(top_models) == 4
    top_users = [
        row.text.split()[0] for row in browser.find_elements("css selector", "#top-users tbody tr")
    ]
    assert set(top_users) == {"alice", "bob", "carol"}


def test_a_custom_range_in_another_zone_by_hour_stacked_by_provider(
    browser: Any, server: Any
) -> None:
    from selenium.webdriver.support.ui import Select  # noqa: PLC0415

    _sign_in(browser, server, server.admin_key)
    browser_zone = _by_id(browser, "time-zone").get_attribute("value")
    zone = ZoneInfo("Australia/Adelaide")  # +10:30 or +09:30: its days start at :30 UTC
    today = datetime.now(zone).date()
    first_day = today - timedelta(days=2)
    Select(_by_id(browser, "range-preset")).select_by_value("custom")
    _set_input(browser, "range-from", first_day.isoformat())
    _set_input(browser, "range-to", today.isoformat())
    Select(_by_id(browser, "time-zone")).select_by_value("Australia/Adelaide")
    Select(_by_id(browser, "granularity")).select_by_value("HOUR")
    Select(_by_id(browser, "stack-by")).select_by_value("PROVIDER")
    try:
        browser.execute_script("document.getElementById('overview-view').dataset.state = 'stale'")
        browser.find_element("css selector", "#range-form button[type=submit]").click()
        _wait(browser, lambda: _state(browser, "overview-view") == "ready")
        body = _by_id(browser, "overview-body")
        window = {"from": body.get_attribute("data-from"), "to": body.get_attribute("data-to")}
        # From midnight of the first day to midnight after the last one, in Adelaide.
        assert datetime.fromisoformat(window["from"]) == datetime.combine(
            first_day, datetime.min.time(), zone
        )
        assert datetime.fromisoformat(window["to"]) == datetime.combine(
            today + timedelta(days=1), datetime.min.time(), zone
        )
        summary = server.graphql(
            """query ($filter: UsageFilter) { costSummary(filter: $filter) {
              requests tokensReasoning costTotal } }""",
            {"filter": window},
            key=server.admin_key,
        )["costSummary"]
        assert summary["requests"] == "25"  # the seed spans the last 38 hours

        def exact(card: str) -> str:
            value = browser.find_element("css selector", f"#{card} .value")
            return str(value.get_attribute("data-exact"))

        assert exact("card-spend") == summary["costTotal"]
        assert exact("card-requests") == summary["requests"]
        assert exact("card-tokens-reasoning") == summary["tokensReasoning"]
        assert "Australia/Adelaide" in _by_id(browser, "range-label").text
        assert "by hour" in _by_id(browser, "range-label").text
        assert _by_id(browser, "chart").get_attribute("data-drawn") == "chart"
        legend = browser.find_element("css selector", "#chart .u-legend").text
        assert "huggingface" in legend
        assert "openai" in legend
        assert "gpt-4o" not in legend
    finally:
        Select(_by_id(browser, "range-preset")).select_by_value("7d")
        Select(_by_id(browser, "stack-by")).select_by_value("MODEL")
        Select(_by_id(browser, "time-zone")).select_by_value(browser_zone)


def test_the_logs_table_pages_and_filters(browser: Any, server: Any) -> None:
    _sign_in(browser, server, server.admin_key)
    _open_logs(browser, server)
    from selenium.webdriver.support.ui import Select  # noqa: PLC0415

    Select(_by_id(browser, "f-size")).select_by_value("10")
    _wait(
        browser, lambda: _state(browser, "logs-view") == "ready" and len(_log_rows(browser)) == 10
    )
    expected = [log["id"] for log in _api_logs(server, server.admin_key, {})]
    seen = []
    for page in range(3):
        _wait(browser, lambda: _state(browser, "logs-view") == "ready")
        seen += [row.get_attribute("data-log-id") for row in _log_rows(browser)]
        next_button = _by_id(browser, "logs-next")
        if page < 2:
            assert next_button.is_enabled()
            next_button.click()
        else:
            assert not next_button.is_enabled()
    assert seen == expected  # every log once, newest first, across the pages
    _by_id(browser, "logs-prev").click()
    _wait(browser, lambda: _by_id(browser, "logs-page").text == "Page 2")

    Select(_by_id(browser, "f-source")).select_by_value("BUILTIN_ESTIMATE")
    _by_id(browser, "f-user").send_keys("bob")
    browser.find_element("css selector", "#logs-filter button[type=submit]").click()
    _wait(browser, lambda: "pricingSource=BUILTIN_ESTIMATE" in browser.current_url)
    _wait(browser, lambda: _state(browser, "logs-view") == "ready")
    rows = _log_rows(browser)
    assert len(rows) == 4
    assert all("grok-unpriced" in row.text and "bob" in row.text for row in rows)


def _explain(browser: Any, row: Any) -> None:
    log_id = row.get_attribute("data-log-id")
    row.find_element("css selector", "button.explain").click()
    _wait(
        browser,
        lambda: (
            _state(browser, "explanation") == "ready"
            and _by_id(browser, "explanation").get_attribute("data-log-id") == log_id
        ),
    )


def test_a_rows_explanation_matches_its_stored_provenance(browser: Any, server: Any) -> None:
    _sign_in(browser, server, server.admin_key)
    _open_logs(browser, server, "model=openai/gpt-oss-120b:groq")
    row = _log_rows(browser)[0]
    stored = next(
        log
        for log in _api_logs(server, server.admin_key, {"model": "openai/gpt-oss-120b:groq"})
        if log["id"] == row.get_attribute("data-log-id")
    )
    assert (stored["pricingSource"], stored["matchedModelName"]) == ("SHORT_NAME", "gpt-oss-120b")
    _explain(browser, row)
    assert _by_id(browser, "explanation-text").text == WORKED_EXAMPLE
    details = _by_id(browser, "explanation-details").text
    assert stored["requestId"] in details
    assert "SHORT_NAME" in details
    assert stored["pricingId"] is not None
    assert f"Price version\n#{stored['pricingId']}" in details
    # The focus moves to the explanation (keyboard users land on it).
    assert browser.switch_to.active_element.get_attribute("id") == "explanation"

    _open_logs(browser, server, "provider=XAI")
    _explain(browser, _log_rows(browser)[0])
    assert _by_id(browser, "explanation-text").text == (
        "no price known for xai grok-unpriced: estimated at the built-in $1 per 1M tokens: "
        f"2000 {TIMES} 0.000001 + 100 {TIMES} 0.000001 = 0.0021"
    )


def _calculate(browser: Any, provider: str, model: str, tokens_in: int, tokens_out: int) -> str:
    from selenium.webdriver.support.ui import Select  # noqa: PLC0415

    Select(_by_id(browser, "calc-provider")).select_by_value(provider)
    for element_id, value in (
        ("calc-model", model),
        ("calc-input", str(tokens_in)),
        ("calc-output", str(tokens_out)),
    ):
        _by_id(browser, element_id).clear()
        _by_id(browser, element_id).send_keys(value)
    browser.execute_script("document.getElementById('calc-result').dataset.state = 'stale'")
    _by_id(browser, "calc-submit").click()
    _wait(browser, lambda: _state(browser, "calc-result") == "ready")
    return str(_by_id(browser, "calc-total").get_attribute("data-exact"))


def _open_prices(browser: Any, server: Any) -> None:
    browser.find_element("css selector", "#nav a[data-view=prices]").click()
    _wait(browser, lambda: _state(browser, "prices-view") == "ready")


def test_the_calculator_reproduces_the_worked_example(browser: Any, server: Any) -> None:
    _sign_in(browser, server, server.admin_key)
    _open_prices(browser, server)
    assert _calculate(browser, "huggingface", "openai/gpt-oss-120b:groq", 1000, 500) == "0.0025"
    assert _by_id(browser, "calc-total").text == "$0.0025"
    assert _by_id(browser, "calc-explanation").text == WORKED_EXAMPLE
    models = [
        row.get_attribute("data-model")
        for row in browser.find_elements("css selector", "#prices-table tbody tr")
    ]
    assert "gpt-oss-120b" in models


def test_an_admin_price_change_shows_in_the_calculator(browser: Any, server: Any) -> None:
    _sign_in(browser, server, server.admin_key)
    _open_prices(browser, server)
    assert _calculate(browser, "openai", "gpt-4o-mini", 1000, 500) == "0.0015"  # estimate
    from selenium.webdriver.support.ui import Select  # noqa: PLC0415

    Select(_by_id(browser, "up-provider")).select_by_value("openai")
    _by_id(browser, "up-model").send_keys("gpt-4o-mini")
    _by_id(browser, "up-input").send_keys("0.00000015")
    _by_id(browser, "up-output").send_keys("0.0000006")
    _by_id(browser, "upsert-submit").click()
    _wait(browser, lambda: _by_id(browser, "confirm-dialog").is_displayed())
    assert "gpt-4o-mini" in _by_id(browser, "confirm-text").text
    _by_id(browser, "confirm-ok").click()
    _wait(browser, lambda: _state(browser, "admin-result") in {"done", "error"})
    assert "Saved: openai gpt-4o-mini" in _by_id(browser, "admin-result").text
    # 1000 x 0.00000015 + 500 x 0.0000006 = 0.00015 + 0.0003. On PostgreSQL a price set
    # without effectiveFrom starts PRICE_SETTLE_SECONDS (2 s) after its commit, so the
    # calculator shows it from then on.
    _wait(browser, lambda: _calculate(browser, "openai", "gpt-4o-mini", 1000, 500) == "0.00045")
    # The table lists the prices in effect: open it again to see this one.
    browser.find_element("css selector", "#nav a[data-view=logs]").click()
    _open_prices(browser, server)
    _wait(
        browser,
        lambda: browser.find_elements("css selector", "#prices-table tr[data-model='gpt-4o-mini']"),
    )

    _confirm(browser, "#prices-table tr[data-model='gpt-4o-mini'] button.delete")
    assert "Deleted every version of openai gpt-4o-mini" in _by_id(browser, "admin-result").text
    _wait(browser, lambda: _state(browser, "prices-view") == "ready")
    assert not browser.find_elements("css selector", "#prices-table tr[data-model='gpt-4o-mini']")
    _confirm(browser, "#reinit")
    assert "unchanged mistral" in _by_id(browser, "admin-result").text


def _confirm(browser: Any, button: str) -> None:
    browser.execute_script("document.getElementById('admin-result').dataset.state = 'stale'")
    browser.find_element("css selector", button).click()
    _wait(browser, lambda: _by_id(browser, "confirm-dialog").is_displayed())
    _by_id(browser, "confirm-ok").click()
    _wait(browser, lambda: _state(browser, "admin-result") in {"done", "error"})


def _scheduled_rows(browser: Any) -> dict[str, Any]:
    rows = browser.find_elements("css selector", "#scheduled-table tbody tr.scheduled")
    return {row.get_attribute("data-model"): row for row in rows}


def _set_input(browser: Any, element_id: str, value: str) -> None:
    # datetime-local fields take keys in the browser's locale format; set the value itself.
    browser.execute_script(
        "document.getElementById(arguments[0]).value = arguments[1]", element_id, value
    )


def test_scheduled_price_versions_are_listed_with_their_start(browser: Any, server: Any) -> None:
    _sign_in(browser, server, server.admin_key)
    zone = ZoneInfo(browser.execute_script("return document.getElementById('time-zone').value"))
    start = (datetime.now(UTC) + timedelta(days=30)).replace(second=0, microsecond=0)
    # A new version of a price in effect, set over the API ...
    server.graphql(
        UPSERT,
        {
            "input": {
                "provider": "OPENAI",
                "modelName": "gpt-4o",
                "inputTokenCost": "0.000002",
                "outputTokenCost": "0.000008",
                "effectiveFrom": start.isoformat(),
            }
        },
        key=server.admin_key,
    )
    _open_prices(browser, server)
    # ... and a model priced only from a day later on, scheduled in the page.
    from selenium.webdriver.support.ui import Select  # noqa: PLC0415

    later = start + timedelta(days=1)
    Select(_by_id(browser, "up-provider")).select_by_value("openai")
    for element_id, value in (
        ("up-model", "o9-later"),
        ("up-input", "0.00001"),
        ("up-output", "0.00004"),
    ):
        _by_id(browser, element_id).clear()
        _by_id(browser, element_id).send_keys(value)
    _set_input(browser, "up-from", later.astimezone(zone).strftime("%Y-%m-%dT%H:%M"))
    _confirm(browser, "#upsert-submit")
    assert "Saved: openai o9-later" in _by_id(browser, "admin-result").text
    _wait(browser, lambda: _state(browser, "prices-view") == "ready")

    scheduled = _scheduled_rows(browser)
    assert list(scheduled) == ["gpt-4o", "o9-later"]  # soonest first
    for model, moment, prices in (
        ("gpt-4o", start, "0.000002 0.000008"),
        ("o9-later", later, "0.00001 0.00004"),
    ):
        row = scheduled[model]
        assert datetime.fromisoformat(row.get_attribute("data-effective-from")) == moment
        assert moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") in row.text
        assert "scheduled" in row.find_element("css selector", ".badge").text
        assert prices in row.text
    # The prices in effect are unchanged, and a model priced only later is not among them.
    current = browser.find_element("css selector", "#prices-table tr[data-model='gpt-4o']")
    assert "0.0000025" in current.text
    assert not browser.find_elements("css selector", "#prices-table tr[data-model='o9-later']")
    # The versions of gpt-4o mark the later one as scheduled.
    current.find_element("css selector", "button.link").click()
    _wait(
        browser,
        lambda: len(browser.find_elements("css selector", "#versions-table tr.scheduled")) == 1,
    )
    assert (
        start.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
        in browser.find_element("css selector", "#versions-table tr.scheduled").text
    )

    # The calculator prices a call by the version in effect at its time.
    _set_input(
        browser, "calc-at", (start + timedelta(hours=1)).astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    )
    try:
        # 1000 x 0.000002 + 500 x 0.000008, then 1000 x 0.0000025 + 500 x 0.00001 now.
        _wait(browser, lambda: _calculate(browser, "openai", "gpt-4o", 1000, 500) == "0.006")
    finally:
        _set_input(browser, "calc-at", "")
    assert _calculate(browser, "openai", "gpt-4o", 1000, 500) == "0.0075"

    for model in ("o9-later", "gpt-4o"):
        _confirm(browser, f"#scheduled-table tr[data-model='{model}'] button.delete")
        assert f"Deleted the version of openai {model} from" in _by_id(browser, "admin-result").text
        _wait(browser, lambda: _state(browser, "prices-view") == "ready")
    assert _scheduled_rows(browser) == {}
    assert "No price changes are scheduled." in _by_id(browser, "scheduled-table").text
    assert browser.find_elements("css selector", "#prices-table tr[data-model='gpt-4o']")


def test_the_logs_and_prices_views_fit_a_phone_width(browser: Any, server: Any) -> None:
    _sign_in(browser, server, server.admin_key)
    browser.set_window_size(390, 844)
    try:
        _open_logs(browser, server)
        _open_prices(browser, server)
        for view in ("logs", "prices"):
            browser.execute_script(
                "document.getElementById(arguments[0]).dataset.state = 'stale';"
                "location.hash = arguments[1];",
                f"{view}-view",
                f"#/{view}",
            )
            _wait(browser, lambda: _state(browser, f"{view}-view") == "ready")  # noqa: B023
            # Wide tables scroll inside their box; the page itself never scrolls sideways.
            _wait(
                browser,
                lambda: browser.execute_script(
                    "return document.documentElement.scrollWidth <= window.innerWidth"
                ),
            )
    finally:
        browser.set_window_size(1280, 900)


def test_a_user_bound_key_sees_only_its_users_rows(browser: Any, server: Any) -> None:
    secret = server.graphql(
        CREATE_KEY,
        {"input": {"name": "alice's dashboard", "scopes": ["READ"], "userId": "alice"}},
        key=server.admin_key,
    )["createApiKey"]["secret"]
    _sign_in(browser, server, secret)
    body = _by_id(browser, "overview-body")
    window = {"from": body.get_attribute("data-from"), "to": body.get_attribute("data-to")}
    alice = server.graphql(
        "query ($filter: UsageFilter) { costSummary(filter: $filter) { costTotal requests } }",
        {"filter": {**window, "userId": "alice"}},
        key=server.admin_key,
    )["costSummary"]
    spend = browser.find_element("css selector", "#card-spend .value").get_attribute("data-exact")
    assert (spend, alice["requests"]) == ("0.03", "12")
    users = [
        row.text.split()[0] for row in browser.find_elements("css selector", "#top-users tbody tr")
    ]
    assert users == ["alice"]
    _open_logs(browser, server)
    rows = _log_rows(browser)
    assert len(rows) == 12
    assert all(" alice " in f" {row.text} " for row in rows)
    assert not _by_id(browser, "admin-prices").is_displayed()
    _sign_out(browser)


def test_csv_export_equals_the_apis_logs(browser: Any, server: Any) -> None:
    _sign_in(browser, server, server.admin_key)
    _open_logs(browser, server, "userId=bob")
    target = browser.downloads / "usage-logs.csv"
    target.unlink(missing_ok=True)
    _by_id(browser, "export-csv").click()
    _wait(browser, lambda: target.exists() and target.stat().st_size > 0)
    _wait(browser, lambda: "Exported" in _by_id(browser, "logs-status").text)
    rows = list(csv.DictReader(io.StringIO(Path(target).read_text(encoding="utf-8"))))
    logs = _api_logs(server, server.admin_key, {"userId": "bob"})
    assert len(rows) == len(logs) == 10
    for row, log in zip(rows, logs, strict=True):
        for name, value in log.items():
            expected = "" if value is None else str(value)
            if name in {"occurredAt", "recordedAt"}:
                assert datetime.fromisoformat(row[name]) == datetime.fromisoformat(expected)
            else:
                assert row[name] == expected, name
