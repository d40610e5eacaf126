"""The dashboard's overview in headless Chromium: first render time and bytes loaded.

Seeds a scratch PostgreSQL database with `billgraph demo seed` (or measures one given
with --database-url), starts `billgraph serve` (production settings) on a free port, and
opens the dashboard in Debian's headless Chromium with a fresh profile each run. For each
run it signs in with the admin key and reads the page's own `overview-render` measure:
from the moment the overview starts loading to the moment every one of its queries has
answered and the cards, tables and chart are drawn (the whole "Last 7 days", "This
month" or "Last month" overview, one GraphQL request with five fields). It also sums
what the page loaded from the network (transfer sizes, gzip where the server sends it):
the static files, and the GraphQL answers separately. Prints one JSON object.

    .venv/bin/python benchmarks/dashboard.py --logs 1000000 --days 90 --users 2000 --runs 5
    .venv/bin/python benchmarks/dashboard.py --database-url postgres://.../db --runs 5 \
        --screenshot docs/dashboard-overview.png
"""

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
from harness import (
    ADMIN_KEY,
    asyncpg_dsn,
    billgraph_cli,
    billgraph_server,
    log,
    postgres_facts,
    run_facts,
    scratch_postgres,
)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
)
WAIT_SECONDS = 120
PRESETS = {"7d": "Last 7 days", "month": "This month", "lastmonth": "Last month"}


@asynccontextmanager
async def seeded_database(args: argparse.Namespace) -> AsyncIterator[tuple[str, float | None]]:
    """Yield a database URL and how long seeding took (None when given --database-url)."""
    if args.database_url:
        yield args.database_url, None
        return
    async with scratch_postgres(keep=args.keep) as url:
        started = time.monotonic()
        log(f"seeding {args.logs} logs for {args.users} users over {args.days} days")
        billgraph_cli(
            url,
            "demo",
            "seed",
            f"--logs={args.logs}",
            f"--users={args.users}",
            f"--days={args.days}",
        )
        seconds = time.monotonic() - started
        connection = await asyncpg.connect(asyncpg_dsn(url))
        try:
            await connection.execute("VACUUM ANALYZE")  # autovacuum may be off on this server
        finally:
            await connection.close()
        yield url, seconds


def browser(profile: str, width: int, height: int) -> Any:
    from selenium import webdriver  # noqa: PLC0415
    from selenium.webdriver.chrome.service import Service  # noqa: PLC0415

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    return webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))


def wait(driver: Any, condition: Any) -> None:
    from selenium.webdriver.support.ui import WebDriverWait  # noqa: PLC0415

    WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.02).until(lambda _: condition())


def measure_once(base_url: str, preset: str, screenshot: Path | None) -> dict[str, Any]:
    """Open the page in a fresh browser, sign in, render the overview; return the figures."""
    profile = tempfile.mkdtemp(prefix="billgraph-bench-chromium-")
    driver = browser(profile, 1280, 1000)
    try:
        driver.get(base_url + "/")
        wait(driver, lambda: driver.find_element("id", "signin-view").is_displayed())
        from selenium.webdriver.support.ui import Select  # noqa: PLC0415

        driver.find_element("id", "api-key").send_keys(ADMIN_KEY)
        driver.find_element("id", "signin-submit").click()

        def state() -> str | None:
            value: str | None = driver.find_element("id", "overview-view").get_attribute(
                "data-state"
            )
            return value

        wait(driver, lambda: state() in {"ready", "error"})
        if preset != "7d":
            driver.execute_script("performance.clearMeasures()")
            # Choosing a preset may load at once; the submit then loads it (again).
            Select(driver.find_element("id", "range-preset")).select_by_value(preset)
            driver.find_element("css selector", "#range-form button[type=submit]").click()

            def rendered() -> bool:
                done: bool = driver.execute_script(
                    "return performance.getEntriesByName('overview-render').length > 0"
                )
                return done and state() in {"ready", "error"}

            wait(driver, rendered)
        if state() != "ready":
            raise RuntimeError(driver.find_element("id", "overview-status").text)
        render_ms = driver.execute_script(
            "const m = performance.getEntriesByName('overview-render');"
            "return m[m.length - 1].duration;"
        )
        resources = driver.execute_script(
            "return performance.getEntriesByType('navigation').concat("
            "performance.getEntriesByType('resource')).map(e => ({name: e.name,"
            " transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize}))"
        )
        requests = driver.find_element("css selector", "#card-requests .value").text
        if screenshot is not None:
            driver.set_window_size(1280, 1420)
            driver.save_screenshot(str(screenshot))
        return {"render_ms": render_ms, "resources": resources, "requests_shown": requests}
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def sizes(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """Sum the bytes of static files and of GraphQL answers (encoded: as sent, gzip or not)."""
    static = [entry for entry in resources if "/graphql" not in entry["name"]]
    graphql = [entry for entry in resources if "/graphql" in entry["name"]]
    return {
        "static_files": len(static),
        "static_bytes_on_the_wire": sum(entry["encoded"] for entry in static),
        "static_bytes_uncompressed": sum(entry["decoded"] for entry in static),
        "graphql_requests": len(graphql),
        "graphql_bytes_on_the_wire": sum(entry["encoded"] for entry in graphql),
        "files": {entry["name"].split("/", 3)[-1]: entry["encoded"] for entry in static},
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    async with seeded_database(args) as (url, seed_seconds):
        connection = await asyncpg.connect(asyncpg_dsn(url))
        try:
            logs = await connection.fetchval("SELECT count(*) FROM api_usage_logs")
        finally:
            await connection.close()
        facts = await postgres_facts(url)
        results: dict[str, Any] = {}
        with billgraph_server(url) as server:
            base_url = server.url.removesuffix("/graphql")
            for preset in args.presets:
                runs = [measure_once(base_url, preset, None) for _ in range(args.runs)]
                timings = [run["render_ms"] for run in runs]
                results[preset] = {
                    "range": PRESETS[preset],
                    "first_render_ms": {
                        "median": round(statistics.median(timings), 1),
                        "max": round(max(timings), 1),
                        "min": round(min(timings), 1),
                        "runs": [round(value, 1) for value in timings],
                    },
                    "requests_shown": runs[-1]["requests_shown"],
                }
                log(f"{preset}: {results[preset]['first_render_ms']}")
            if args.screenshot:
                measure_once(base_url, "lastmonth", args.screenshot)
            loaded = sizes(runs[-1]["resources"])
    return {
        **run_facts(),
        "database": "postgres",
        "postgres": facts,
        "logs": logs,
        "seed_seconds": round(seed_seconds, 1) if seed_seconds is not None else None,
        "overview": results,
        "page_weight": loaded,
        "page_weight_target_bytes": 200 * 1024,
    }


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logs", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--presets", nargs="+", choices=sorted(PRESETS), default=list(PRESETS))
    parser.add_argument("--database-url", help="measure this seeded database (kept)")
    parser.add_argument("--keep", action="store_true", help="keep the seeded database")
    parser.add_argument("--screenshot", type=Path, help="save the overview (Last month) here")
    parser.add_argument("--output", type=Path, help="also write the JSON here")
    return parser.parse_args()


if __name__ == "__main__":
    parsed = arguments()
    figures = asyncio.run(main(parsed))
    text = json.dumps(figures, indent=2)
    print(text)
    if parsed.output:
        parsed.output.write_text(text + "\n")
    sys.exit(0)
