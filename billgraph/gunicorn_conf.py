"""gunicorn settings for billgraph: `gunicorn -c python:billgraph.gunicorn_conf ...`.

Uses the uvicorn worker of the `uvicorn-worker` package (the `production` extra),
empties PROMETHEUS_MULTIPROC_DIR before the workers start, and forgets a dead worker's
live gauges. Bind address and worker count come from the command line.
"""

import os
from typing import Any

from billgraph.metrics import MULTIPROCESS_DIR_VARIABLE, empty_multiprocess_dir, mark_process_dead

worker_class = "uvicorn_worker.UvicornWorker"


def on_starting(server: Any) -> None:
    del server
    directory = os.environ.get(MULTIPROCESS_DIR_VARIABLE)
    if directory:
        empty_multiprocess_dir(directory)


def child_exit(server: Any, worker: Any) -> None:
    del server
    mark_process_dead(worker.pid)
