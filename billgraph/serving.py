"""Running the server: one process or several workers on one port, under uvicorn.

Workers are processes made by uvicorn from the app factory
(`billgraph.app:create_app_from_env`), so each reads the same settings from the
environment. Their metrics meet in PROMETHEUS_MULTIPROC_DIR, emptied before they start.
"""

import errno
import http.client
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable

import uvicorn

from billgraph.metrics import MULTIPROCESS_DIR_VARIABLE, empty_multiprocess_dir
from billgraph.settings import Settings

APP_FACTORY = "billgraph.app:create_app_from_env"
WORKER_HEALTHCHECK_SECONDS = 60


def port_problem(host: str, port: int) -> str | None:
    """Return one line saying why `host:port` cannot be listened on, or None."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is already in use (set PORT or --port)"
            return f"cannot listen on {host}:{port}: {error.strerror or error}"
    return None


def run(settings: Settings, *, workers: int, on_serving: Callable[[], None]) -> None:
    """Serve until interrupted; call `on_serving` once the port answers."""
    if workers > 1:
        directory = os.environ.setdefault(
            MULTIPROCESS_DIR_VARIABLE, tempfile.mkdtemp(prefix="billgraph-metrics-")
        )
        empty_multiprocess_dir(directory)
    watcher = threading.Thread(
        target=_announce_when_serving,
        args=(settings.host, settings.port, on_serving),
        daemon=True,
    )
    watcher.start()
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_config=None,  # the factory configures logging (LOG_LEVEL, LOG_FORMAT)
        access_log=False,  # billgraph logs each request itself, with its request id
        timeout_graceful_shutdown=int(settings.request_timeout_seconds),
        # A new worker imports the whole CLI before it can answer the supervisor's
        # first health ping; uvicorn's 5 s default killed workers on a busy machine.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )


def _announce_when_serving(host: str, port: int, on_serving: Callable[[], None]) -> None:
    target = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104
    while True:
        connection = http.client.HTTPConnection(target, port, timeout=1)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                on_serving()
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.1)
