"""A short run of benchmarks/load_fault.py: ingest survives a server SIGKILL and a database restart.

The script creates a PostgreSQL cluster of its own with `initdb` (never the shared
server), so it needs PostgreSQL's server binaries, not a reachable server. Without
`initdb` the test is skipped, except under CI=true, where it must run.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "load_fault.py"
SMOKE_ARGUMENTS = ("--duration", "6", "--clients", "2", "--batch-size", "20", "--tail", "2")
SMOKE_ARGUMENTS = ("--duration", "6", "--clients", "2", "--batch-size", "20", "--tail", "2")
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def _has_initdb() -> bool:
    return (PG_BIN / "initdb").is_file() or shutil.which("initdb") is not None


def test_no_record_is_lost_or_counted_twice_through_a_server_kill_and_a_database_restart() -> None:
    if not _has_initdb():
        message = f"initdb not found in {PG_BIN} or on PATH (set PG_BIN): no cluster of our own"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the load-and-fault smoke run must run under CI=true: {message}")
        pytest.skip(message)
    completed = subprocess.run(  # noqa: S603  (our interpreter, our script)
        [sys.executable, str(SCRIPT), *SMOKE_ARGUMENTS],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert completed.stdout, completed.stderr[-3000:]
    result = json.loads(completed.stdout)
    records = result["records"]
    faults = result["faults"]

    assert faults["error"] is None, completed.stderr[-3000:]
    assert faults["server_sigkill"]["back_after_s"] is not None
    assert faults["postgres_restart"]["down_s"] is not None
    assert records["acknowledged"] > 0
    assert records["lost"] == 0
    assert records["duplicated"] == 0
    assert records["rows_with_unexpected_values"] == 0
    # Every record a client sent got in, in the end, retried with its own request id.
    assert records["never_acknowledged"] == 0
    assert result["totals"]["equal"], result["totals"]
    assert result["report_costSummary"]["equal"], result["report_costSummary"]
    assert result["rollups_verify"]["passed"], result["rollups_verify"]
    assert completed.returncode == 0, completed.stderr[-3000:]
