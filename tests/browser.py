"""A real billgraph server on a socket and headless Chromium driving it (for tests/)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL_HINT = (
    "Chromium is not installed: the dashboard's browser tests need Debian's chromium and "
    "chromium-driver (sudo apt-get update && sudo apt-get install -y chromium chromium-driver)"
)
# Without these flags Chromium reaches for the internet (updates, sync, metrics).
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
_SERVE = """
import sys, uvicorn
from billgraph.app import create_app
from billgraph.settings import load_settings
uvicorn.run(create_app(load_settings()), fd=int(sys.argv[1]), log_level="warning")
"""
STARTUP_SECONDS = 60


def require_chromium() -> None:
    """Skip (locally) or fail (under CI=true) when Chromium or its driver is missing."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"required under CI=true: {INSTALL_HINT}")
    pytest.skip(INSTALL_HINT)


@dataclass
class LiveServer:
    """billgraph in its own process, listening on a socket bound here (port chosen by the OS)."""

    url: str
    admin_key: str
    process: subprocess.Popen[bytes]
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.url, timeout=30)

    def graphql(self, query: str, variables: dict[str, Any] | None = None, *, key: str) -> Any:
        """Return `data` of a query sent with `key`, failing on any error."""
        response = self.http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {key}"},
        )
        body = response.json()
        assert not body.get("errors"), body["errors"]
        return body["data"]


@contextmanager
def live_server(
    database_url: str, admin_key: str, *, while_starting: Callable[[], object] = lambda: None
) -> Iterator[LiveServer]:
    """Run billgraph on `database_url` until the block ends; call `while_starting` while
    the server boots (e.g. to start a browser meanwhile)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ADMIN_API_KEY": admin_key,
        "ENVIRONMENT": "production",  # the dashboard must work where GraphiQL is off
    }
    process = subprocess.Popen(  # noqa: S603  (our own interpreter and script)
        [sys.executable, "-c", _SERVE, str(listener.fileno())],
        pass_fds=[listener.fileno()],
        env=env,
    )
    listener.close()
    server = LiveServer(url=f"http://127.0.0.1:{port}", admin_key=admin_key, process=process)
    try:
        while_starting()
        # The listening socket exists already: the request waits in its backlog until
        # uvicorn has run the app's startup and begins to accept.
        try:
            status = server.http.get("/healthz", timeout=STARTUP_SECONDS).status_code
        except httpx.HTTPError as error:
            pytest.fail(f"billgraph did not start (exit code {process.poll()}): {error}")
        assert status == 200, f"billgraph is not healthy: HTTP {status}"
        yield server
    finally:
        server.http.close()
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def chromium(download_dir: Path) -> Iterator[Any]:
    """Yield a selenium WebDriver for headless Chromium with its own fresh profile."""
    from selenium import webdriver  # noqa: PLC0415  (only when Chromium is there)
    from selenium.webdriver.chrome.service import Service  # noqa: PLC0415

    profile = tempfile.mkdtemp(prefix="billgraph-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument("--window-size=1280,900")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(download_dir), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def requested_urls(driver: Any) -> list[str]:
    """Return every URL the page requested since the last call (from the performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls
