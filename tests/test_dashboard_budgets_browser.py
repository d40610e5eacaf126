"""Budgets in the dashboard, in headless Chromium against a real server (both databases).

The overview shows the budgets the API lets the signed-in key see, with the figures of
`budgetStatus`; an admin manages budgets and webhook endpoints and re-sends a delivery.
Every test also checks that the page asked no other host and logged no console error.
"""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from tortoise.context import TortoiseContext

from billgraph.db import tortoise_config
from tests.browser import chromium, live_server, require_chromium
from tests.conftest import ADMIN_KEY, Database, empty_tables
from tests.test_dashboard_browser import (
    CREATE_KEY,
    RECORD,
    _by_id,
    _seed,
    _sign_in,
    _sign_out,
    _state,
    _wait,
    page_stays_local,  # noqa: F401  (a fixture: found by name, uses this module's server)
)

pytestmark = pytest.mark.usefixtures("page_stays_local")

CREATE_BUDGET = """mutation ($input: CreateBudgetInput!) { createBudget(input: $input) { id } }"""
STATUS = """query ($id: ID!) { budgetStatus(id: $id) {
  windowStart windowEnd limit spent estimatedSpent reserved remaining percentUsed exceeded } }"""
BUDGET = """query ($id: ID!) { budget(id: $id) { name limit period mode timeZone anchorDay
  anchorHour thresholds userId apiKeyId provider model } }"""
AUTHORIZE = """mutation ($input: AuthorizeUsageInput!) { authorizeUsage(input: $input) { id } }"""
FITS = "return document.documentElement.scrollWidth <= window.innerWidth"
FIGURES = ("limit", "spent", "reserved", "remaining", "percentUsed")


class Receiver:
    """A local webhook receiver: answers `status` and counts the requests it got."""

    def __init__(self) -> None:
        self.status = 500
        self.received = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.received += 1
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                del format, args

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/billgraph"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    require_chromium()
    with chromium(tmp_path_factory.mktemp("downloads")) as driver:
        driver.signed_in_as = None
        yield driver


@pytest.fixture(scope="module")
async def server(database: Database, request: pytest.FixtureRequest) -> Any:
    require_chromium()
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(database.url))
        await empty_tables(database)
    browser_starting = lambda: request.getfixturevalue("browser")  # noqa: E731
    with live_server(database.url, ADMIN_KEY, while_starting=browser_starting) as running:
        _seed(running)
        # The module's browser may come from the other database's server: start afresh.
        browser = request.getfixturevalue("browser")
        browser.get(running.url + "/")
        browser.signed_in_as = None
        yield running


def _create_budget(server: Any, **fields: Any) -> str:
    data = server.graphql(CREATE_BUDGET, {"input": fields}, key=server.admin_key)
    return str(data["createBudget"]["id"])


def _read_key(server: Any, user: str) -> str:
    data = server.graphql(
        CREATE_KEY,
        {"input": {"name": f"{user}'s dashboard", "scopes": ["READ"], "userId": user}},
        key=server.admin_key,
    )
    return str(data["createApiKey"]["secret"])


def _panel(browser: Any, server: Any, key: str) -> dict[str, Any]:
    """Sign in with `key`; return the overview's budget cards by budget id, once loaded."""
    _sign_in(browser, server, key)
    # Load them once more, so that no earlier load is still on its way.
    browser.execute_script(
        "document.getElementById('budgets-panel').dataset.state = 'stale';"
        "document.querySelector('#range-form button[type=submit]').click();"
    )
    _wait(browser, lambda: _state(browser, "budgets-panel") in {"ready", "empty", "error"})
    cards = browser.find_elements("css selector", "#budgets-list article.budget")
    return {card.get_attribute("data-budget-id"): card for card in cards}


def _figures(card: Any) -> dict[str, str]:
    return {
        name: str(
            card.find_element("css selector", f"[data-field={name}]").get_attribute("data-exact")
        )
        for name in FIGURES
    }


def _select(browser: Any, element_id: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select  # noqa: PLC0415

    Select(_by_id(browser, element_id)).select_by_value(value)


def _type(browser: Any, element_id: str, text: str) -> None:
    element = _by_id(browser, element_id)
    element.clear()
    element.send_keys(text)


def _open_admin(browser: Any, server: Any) -> None:
    """Show the admin view with every list freshly loaded."""
    _sign_in(browser, server, server.admin_key)
    tables = ("budgets-view", "events-table", "deliveries-table")
    browser.execute_script(
        "for (const id of arguments[0]) { const element = document.getElementById(id);"
        " if (element) element.dataset.state = 'stale'; }",
        tables,
    )
    browser.find_element("css selector", "#nav a[data-view=budgets]").click()
    for element_id in tables:
        _wait(browser, lambda element_id=element_id: _state(browser, element_id) == "ready")


def _confirm(browser: Any, start: Any) -> str:
    """Start an admin action, confirm it with the keyboard, return the result's text."""
    from selenium.webdriver.common.keys import Keys  # noqa: PLC0415

    browser.execute_script("document.getElementById('budgets-result').dataset.state = 'stale'")
    start()
    _wait(browser, lambda: _by_id(browser, "confirm-dialog").is_displayed())
    assert browser.switch_to.active_element.get_attribute("id") == "confirm-cancel"
    browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "confirm-ok"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    _wait(browser, lambda: _state(browser, "budgets-result") in {"done", "error"})
    return str(_by_id(browser, "budgets-result").text)


def _admin_row(browser: Any, budget_id: str) -> Any:
    rows = browser.find_elements("css selector", f"#budgets-table tr[data-budget-id='{budget_id}']")
    return rows[0] if rows else None


def test_a_user_bound_key_sees_only_its_budgets_with_the_apis_figures(
    browser: Any, server: Any
) -> None:
    created = server.graphql(
        """mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) {
          apiKey { id } secret } }""",
        {"input": {"name": "alice's dashboard", "scopes": ["READ"], "userId": "alice"}},
        key=server.admin_key,
    )["createApiKey"]
    alice_key = created["secret"]
    of_the_key = _create_budget(
        server,
        name="alice's key",
        limit="0.5",
        timeZone="Asia/Tokyo",
        anchorDay=15,
        apiKeyId=created["apiKey"]["id"],
    )
    lifetime = _create_budget(
        server, name="alice lifetime", limit="1.00", period="LIFETIME", userId="alice"
    )
    over = _create_budget(
        server,
        name="alice tiny",
        limit="0.02",
        period="LIFETIME",
        userId="alice",
        mode="SOFT",
    )
    bob = _create_budget(server, name="bob monthly", limit="5", userId="bob")
    everyone = _create_budget(server, name="everyone", limit="500", period="DAY")
    # A live hold: 1000 x 0.0000025 + 1000 x 0.00001 = 0.0125 reserved on the HARD budget.
    server.graphql(
        AUTHORIZE,
        {
            "input": {
                "provider": "OPENAI",
                "model": "gpt-4o",
                "maxTokensInput": 1000,
                "maxTokensOutput": 1000,
                "userId": "alice",
            }
        },
        key=server.admin_key,
    )

    cards = _panel(browser, server, alice_key)
    assert set(cards) == {lifetime, over, of_the_key}  # not bob's, not the all-usage one
    visible = server.graphql("{ budgets { id } }", key=alice_key)["budgets"]
    assert {budget["id"] for budget in visible} == set(cards)
    for budget_id, card in cards.items():
        status = server.graphql(STATUS, {"id": budget_id}, key=alice_key)["budgetStatus"]
        assert _figures(card) == {name: status[name] for name in FIGURES}, budget_id
        window = card.find_element("css selector", "[data-field=window]")
        assert window.get_attribute("data-start") == status["windowStart"]
        assert window.get_attribute("data-end") == (status["windowEnd"] or "")
        assert ("Exceeded" in card.text) is status["exceeded"]
        # The money is shown with every digit, grouped, with a dollar sign.
        spent = card.find_element("css selector", "[data-field=spent] .money").text
        assert spent.replace("$", "").replace(",", "") == status["spent"]
    held = server.graphql(STATUS, {"id": lifetime}, key=alice_key)["budgetStatus"]
    assert (held["spent"], held["reserved"], held["remaining"]) == ("0.03", "0.0125", "0.9575")
    assert _figures(cards[lifetime])["percentUsed"] == "3"
    bar = cards[lifetime].find_element("css selector", "progress")
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("3", "100")
    assert "API key #" in cards[of_the_key].text
    assert "monthly from day 15, 00:00 Asia/Tokyo" in cards[of_the_key].text
    # Over the limit: 0.03 of 0.02 is 150%, drawn as a full bar, flagged exceeded.
    assert _figures(cards[over])["percentUsed"] == "150"
    assert cards[over].get_attribute("data-level") == "exceeded"
    assert cards[over].find_element("css selector", "progress").get_attribute("value") == "100"
    assert "Exceeded" in cards[over].text
    # A READ key has no admin view.
    assert not _by_id(browser, "nav-budgets").is_displayed()
    browser.execute_script("location.hash = '#/budgets'")
    _wait(browser, lambda: _by_id(browser, "overview-view").is_displayed())
    assert not _by_id(browser, "budgets-view").is_displayed()
    _sign_out(browser)

    # A key whose user has no budget gets an explicit empty state.
    assert _panel(browser, server, _read_key(server, "carol")) == {}
    assert _state(browser, "budgets-panel") == "empty"
    assert _by_id(browser, "budgets-status").text == "No budget applies to this key."
    _sign_out(browser)
    # The admin sees them all.
    assert {lifetime, over, bob, everyone} <= set(_panel(browser, server, server.admin_key))


def test_an_admin_creates_edits_and_deletes_a_budget(browser: Any, server: Any) -> None:
    from selenium.webdriver.common.keys import Keys  # noqa: PLC0415

    _open_admin(browser, server)
    # A bad limit: the error names the API's field and marks its input.
    _type(browser, "bf-name", "bob in Tokyo")
    _type(browser, "bf-limit", "-1")
    result = _confirm(browser, lambda: _by_id(browser, "budget-submit").click())
    assert result.startswith("Not saved: limit: ")
    assert _by_id(browser, "bf-limit").get_attribute("aria-invalid") == "true"
    _type(browser, "bf-limit", "0.123456789012")
    result = _confirm(browser, lambda: _type(browser, "bf-anchor-hour", "24\n"))
    assert result == "Not saved: anchorHour: anchorHour must be an hour from 0 to 23"
    assert _by_id(browser, "bf-anchor-hour").get_attribute("aria-invalid") == "true"
    assert _by_id(browser, "bf-limit").get_attribute("aria-invalid") is None
    # Checked in the page before asking: no dialog, nothing sent.
    _type(browser, "bf-thresholds", "80, lots")
    _by_id(browser, "budget-submit").click()
    assert not _by_id(browser, "confirm-dialog").is_displayed()
    assert _by_id(browser, "budgets-result").text.startswith("Not saved: thresholds: ")
    assert browser.switch_to.active_element.get_attribute("id") == "bf-thresholds"

    _select(browser, "bf-period", "MONTH")
    _select(browser, "bf-mode", "SOFT")
    _select(browser, "bf-zone", "Asia/Tokyo")
    _type(browser, "bf-anchor-day", "15")
    _type(browser, "bf-anchor-hour", "9")
    _type(browser, "bf-thresholds", "50, 90")
    _select(browser, "bf-scope", "user")
    _type(browser, "bf-user", "bob")
    # Keyboard only: Enter in a field submits, the dialog is confirmed with Tab, Enter.
    result = _confirm(browser, lambda: _by_id(browser, "bf-user").send_keys(Keys.ENTER))
    assert result.startswith("Created budget “bob in Tokyo”"), result
    _wait(browser, lambda: _state(browser, "budgets-view") == "ready")
    budgets = server.graphql("{ budgets { id name } }", key=server.admin_key)["budgets"]
    budget_id = next(budget["id"] for budget in budgets if budget["name"] == "bob in Tokyo")
    stored = server.graphql(BUDGET, {"id": budget_id}, key=server.admin_key)["budget"]
    assert stored == {
        "name": "bob in Tokyo",
        "limit": "0.123456789012",
        "period": "MONTH",
        "mode": "SOFT",
        "timeZone": "Asia/Tokyo",
        "anchorDay": 15,
        "anchorHour": 9,
        "thresholds": [50, 90],
        "userId": "bob",
        "apiKeyId": None,
        "provider": None,
        "model": None,
    }
    status = server.graphql(STATUS, {"id": budget_id}, key=server.admin_key)["budgetStatus"]
    row = _admin_row(browser, budget_id)
    cells = [cell.get_attribute("data-exact") for cell in row.find_elements("css selector", "td")]
    assert cells[4:8] == [status["limit"], status["spent"], status["reserved"], status["remaining"]]
    assert status["percentUsed"] in row.text
    assert "$0.123456789012" in row.text
    assert "monthly from day 15, 09:00 Asia/Tokyo" in row.text
    # And the overview shows it with the same figures.
    browser.find_element("css selector", "#nav a[data-view=overview]").click()
    card = _panel(browser, server, server.admin_key)[budget_id]
    assert _figures(card) == {name: status[name] for name in FIGURES}

    # Edit: the form opens on the budget; a new limit is saved exactly.
    _open_admin(browser, server)
    _admin_row(browser, budget_id).find_element("css selector", "button.edit").click()
    assert browser.switch_to.active_element.get_attribute("id") == "bf-name"
    assert _by_id(browser, "bf-limit").get_attribute("value") == "0.123456789012"
    _type(browser, "bf-limit", "1234567.5")
    result = _confirm(browser, lambda: _by_id(browser, "budget-submit").click())
    assert result.startswith(f"Saved budget “bob in Tokyo” (#{budget_id}): $1,234,567.5"), result
    stored = server.graphql(BUDGET, {"id": budget_id}, key=server.admin_key)["budget"]
    assert (stored["limit"], stored["anchorDay"], stored["userId"]) == ("1234567.5", 15, "bob")
    _wait(browser, lambda: _state(browser, "budgets-view") == "ready")

    result = _confirm(
        browser,
        lambda: (
            _admin_row(browser, budget_id).find_element("css selector", "button.delete").click()
        ),
    )
    assert result == f"Deleted budget “bob in Tokyo” (#{budget_id})."
    # The row and its button are gone: the keyboard focus is on the result.
    assert browser.switch_to.active_element.get_attribute("id") == "budgets-result"
    _wait(browser, lambda: _admin_row(browser, budget_id) is None)
    budgets = server.graphql("{ budgets { id } }", key=server.admin_key)["budgets"]
    assert budget_id not in {budget["id"] for budget in budgets}


def test_an_admin_registers_an_endpoint_and_resends_a_delivery(browser: Any, server: Any) -> None:
    receiver = Receiver()
    try:
        _open_admin(browser, server)
        _type(browser, "ep-url", "ftp-is-not-http")
        result = _confirm(browser, lambda: _by_id(browser, "endpoint-submit").click())
        assert result.startswith("Not registered: url: url must be an http:// or https:// URL")
        assert _by_id(browser, "ep-url").get_attribute("aria-invalid") == "true"

        _type(browser, "ep-url", receiver.url)
        _type(browser, "ep-description", "ops alerts")
        result = _confirm(browser, lambda: _by_id(browser, "endpoint-submit").click())
        assert result.startswith("Registered webhook endpoint #")
        secret = _by_id(browser, "endpoint-secret-value").text
        assert secret.startswith("whsec_")
        endpoints = server.graphql(
            "{ webhookEndpoints { id url description } }", key=server.admin_key
        )["webhookEndpoints"]
        endpoint = next(row for row in endpoints if row["url"] == receiver.url)
        assert endpoint["description"] == "ops alerts"
        _wait(
            browser,
            lambda: browser.find_elements(
                "css selector", f"#endpoints-table tr[data-endpoint-id='{endpoint['id']}']"
            ),
        )

        # A zero budget crossed by one call: alert events, sent to the receiver, which
        # answers 500 (the delivery waits for its retry).
        budget_id = _create_budget(server, name="zero", limit="0", model="alerting-model")
        server.graphql(
            RECORD,
            {
                "inputs": [
                    {
                        "provider": "OPENAI",
                        "model": "alerting-model",
                        "tokensInput": 1,
                        "tokensOutput": 1,
                        "requestId": "alerting-1",
                    }
                ]
            },
            key=server.admin_key,
        )
        _wait(browser, lambda: receiver.received >= 1)

        def refreshed_rows() -> list[Any]:
            browser.execute_script(
                "document.getElementById('deliveries-table').dataset.state = 'stale'"
            )
            browser.find_element("css selector", "#deliveries-filter button").click()
            _wait(browser, lambda: _state(browser, "deliveries-table") == "ready")
            return [
                row
                for row in browser.find_elements(
                    "css selector", "#deliveries-table tr[data-status]"
                )
                if receiver.url in row.text
            ]

        _wait(browser, lambda: any("HTTP 500" in row.text for row in refreshed_rows()))
        _open_admin(browser, server)  # fresh lists: the events and the endpoint's name
        events = browser.find_elements("css selector", "#events-table tr[data-event-id]")
        crossed = [row for row in events if f"zero (#{budget_id})" in row.text]
        assert crossed
        # An event's deliveries: exactly those the API lists for it.
        event_id = crossed[0].get_attribute("data-event-id")
        browser.execute_script("document.getElementById('deliveries-table').dataset.state = 'x'")
        crossed[0].find_element("css selector", "button.deliveries").click()
        _wait(browser, lambda: _state(browser, "deliveries-table") == "ready")
        expected = server.graphql(
            "query ($id: ID) { webhookDeliveries(eventId: $id) { edges { node { id } } } }",
            {"id": event_id},
            key=server.admin_key,
        )["webhookDeliveries"]["edges"]
        shown = browser.find_elements("css selector", "#deliveries-table tr[data-delivery-id]")
        assert [row.get_attribute("data-delivery-id") for row in shown] == [
            edge["node"]["id"] for edge in expected
        ]
        assert expected
        assert all(f"#{event_id}" in row.text for row in shown)
        # A bad filter names its field.
        _type(browser, "dl-event", "not-an-id")
        browser.find_element("css selector", "#deliveries-filter button").click()
        _wait(browser, lambda: _state(browser, "deliveries-table") == "error")
        assert "eventId: " in _by_id(browser, "deliveries-status").text
        assert _by_id(browser, "dl-event").get_attribute("aria-invalid") == "true"
        _by_id(browser, "dl-event").clear()
        row = next(row for row in refreshed_rows() if "HTTP 500" in row.text)
        delivery_id = row.get_attribute("data-delivery-id")
        assert row.get_attribute("data-status") in {"PENDING", "FAILED"}

        receiver.status = 200
        result = _confirm(
            browser, lambda: row.find_element("css selector", "button.resend").click()
        )
        assert result.startswith(f"Delivery #{delivery_id} queued again: PENDING")

        def delivered() -> bool:
            rows = refreshed_rows()
            return any(
                r.get_attribute("data-delivery-id") == delivery_id
                and r.get_attribute("data-status") == "DELIVERED"
                for r in rows
            )

        _wait(browser, delivered)
        deliveries = server.graphql(
            "{ webhookDeliveries(status: DELIVERED) { edges { node { id } } } }",
            key=server.admin_key,
        )["webhookDeliveries"]["edges"]
        assert delivery_id in {edge["node"]["id"] for edge in deliveries}

        result = _confirm(
            browser,
            lambda: browser.find_element(
                "css selector", f"#endpoints-table tr[data-endpoint-id='{endpoint['id']}'] button"
            ).click(),
        )
        assert result == f"Deleted webhook endpoint #{endpoint['id']}: {receiver.url}."
    finally:
        receiver.close()


def _sticking_out(browser: Any) -> list[str]:
    """Return the elements that reach past the window's right edge (none at a phone's width)."""
    return list(
        browser.execute_script(
            """const out = [];
            for (const element of document.querySelectorAll('body *')) {
              // A wide table scrolls in its box, unless something escapes the box.
              const escapes = getComputedStyle(element).position === 'absolute';
              const inside = element.parentElement.closest('.table-wrap');
              if ((inside && !escapes) || !element.getClientRects().length) continue;
              const right = element.getBoundingClientRect().right;
              if (right > window.innerWidth + 0.5) out.push(`${element.outerHTML.slice(0, 80)}`);
            }
            return out;"""
        )
    )


def test_the_budget_views_fit_a_phone(browser: Any, server: Any) -> None:
    _open_admin(browser, server)
    browser.set_window_size(390, 844)
    try:
        try:
            _wait(browser, lambda: browser.execute_script(FITS))
        except Exception as error:
            raise AssertionError(f"wider than a phone: {_sticking_out(browser)}") from error
        browser.find_element("css selector", "#nav a[data-view=overview]").click()
        _wait(browser, lambda: _state(browser, "budgets-panel") in {"ready", "empty"})
        assert browser.execute_script(FITS), _sticking_out(browser)
    finally:
        browser.set_window_size(1280, 900)
