"""Real `billgraph serve` processes for tests that need several of them.

Each listens on a free port chosen at run time; its output is collected by a thread,
and readiness is its own "serving" banner (printed once the port answers).
"""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

BANNER = "billgraph: serving"
START_TIMEOUT_SECONDS = 180


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass
class Server:
    process: subprocess.Popen[str]
    port: int
    lines: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def output(self) -> str:
        with self.changed:
            return "\n".join(self.lines)

    def wait_for(self, text: str, timeout: float = START_TIMEOUT_SECONDS) -> bool:
        """Return True once `text` was printed; False if the process ended first or timed out."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not any(text in line for line in self.lines):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    return any(text in line for line in self.lines)
                self.changed.wait(timeout=1)
            return True

    def metric(self, name: str, **labels: str) -> float:
        """Return the sum of a metric's samples with these labels, from /metrics."""
        text = httpx.get(f"{self.url}/metrics", timeout=10).text
        total = 0.0
        for line in text.splitlines():
            if not line.startswith(name):
                continue
            match = re.match(r"^([a-zA-Z_:]+)(\{[^}]*\})? (\S+)$", line)
            if match is None or match.group(1) != name:
                continue
            sample = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
            if all(sample.get(key) == value for key, value in labels.items()):
                total += float(match.group(3))
        return total

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(database_url: str, *, workers: int = 1, **environment: Any) -> Server:
    """Start `billgraph serve` on a free port; return at once (see Server.wait_for)."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        **{name: str(value) for name, value in environment.items()},
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    process = subprocess.Popen(  # noqa: S603  (our own interpreter and module)
        [sys.executable, "-m", "billgraph.cli", "serve", "--workers", str(workers)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(process=process, port=port)

    def collect() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            with server.changed:
                server.lines.append(line.rstrip("\n"))
                server.changed.notify_all()
        with server.changed:
            server.changed.notify_all()

    threading.Thread(target=collect, daemon=True).start()
    return server
