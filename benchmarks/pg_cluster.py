"""A throwaway PostgreSQL cluster of our own, for runs that stop and restart the database.

`initdb` + `pg_ctl` in a temporary directory, on a free port, as user `postgres` when we
run as root (PostgreSQL refuses to run as root). The shared server is never touched.
The directory and the server go away when the context exits, on errors and Ctrl-C too.

Not a benchmark itself; the scripts next to it import it as `pg_cluster`.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from harness import free_port

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_USER = "postgres"
START_TIMEOUT_SECONDS = 60


def initdb_binary() -> Path | None:
    """Return the `initdb` to use, or None when this machine has none."""
    candidate = PG_BIN / "initdb"
    if candidate.is_file():
        return candidate
    found = shutil.which("initdb")
    return Path(found) if found else None


def _as_postgres(command: list[str]) -> list[str]:
    """Run as `postgres` when we are root; as ourselves otherwise."""
    if os.geteuid() == 0:
        return ["runuser", "-u", PG_USER, "--", *command]
    return command


@dataclass
class Cluster:
    """A running cluster: where it lives, its port, and how to restart it."""

    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        """Return a `postgres://` URL (billgraph's DATABASE_URL form) for a database."""
        return f"postgres://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def _options(self) -> str:
        return (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.root} -c max_connections=200"
        )

    def _pg_ctl(self, *args: str, timeout: float = START_TIMEOUT_SECONDS) -> None:
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args]
        subprocess.run(  # noqa: S603  (PostgreSQL's own tool, arguments we built)
            _as_postgres(command),
            check=True,
            capture_output=True,
            timeout=timeout + 10,
        )

    def start(self) -> None:
        self._pg_ctl(
            "start", "-w", "-t", str(START_TIMEOUT_SECONDS), "-l", str(self.log_file),
            "-o", self._options(),
        )  # fmt: skip

    def restart(self, mode: str = "fast") -> None:
        """Stop the server (`fast`: abort sessions; `immediate`: crash) and start it again."""
        self._pg_ctl(
            "restart", "-w", "-t", str(START_TIMEOUT_SECONDS), "-m", mode,
            "-l", str(self.log_file), "-o", self._options(),
        )  # fmt: skip

    def stop(self) -> None:
        with suppress(subprocess.SubprocessError, OSError):
            self._pg_ctl("stop", "-w", "-t", "30", "-m", "immediate", timeout=30)
        self._kill_leftover_postmaster()

    def _kill_leftover_postmaster(self) -> None:
        """If pg_ctl could not stop it, end the postmaster named in its pid file."""
        pid_file = self.data / "postmaster.pid"
        with suppress(OSError, ValueError, IndexError):
            pid = int(pid_file.read_text().splitlines()[0])
            os.kill(pid, 9)  # its own children exit when the postmaster is gone
            time.sleep(0.5)


@contextmanager
def own_cluster() -> Iterator[Cluster]:
    """Create, start and yield a fresh cluster; stop and delete it afterwards."""
    initdb = initdb_binary()
    if initdb is None:
        raise RuntimeError(f"initdb not found in {PG_BIN} or on PATH (set PG_BIN)")
    root = Path(tempfile.mkdtemp(prefix="billgraph-cluster-"))
    cluster = Cluster(root=root, port=free_port())
    try:
        if os.geteuid() == 0:
            user = pwd.getpwnam(PG_USER)
            os.chown(root, user.pw_uid, user.pw_gid)
        subprocess.run(  # noqa: S603  (PostgreSQL's own tool, arguments we built)
            _as_postgres(
                [
                    str(initdb),
                    "-D",
                    str(cluster.data),
                    "-U",
                    PG_USER,
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
