"""How many rows of batch writes one process has in the database at once.

Two large ingest statements running side by side keep both cores of a small database
host busy, and a dashboard's report then gets a fraction of a core: on 2 cores its
median went from 21 ms quiet to 45-55 ms while 2 clients sent 2000-record requests flat
out. Written one after the other, the same two clients still stored as many records a
second (one request's decoding and pricing overlaps the other's statement), and the
report took 1.6-1.7x its quiet time (benchmarks/README.md).

So a batch write first takes its rows' share of INGEST_ROWS_IN_FLIGHT (a batch larger
than that takes all of it and writes alone). Small batches, whose statements are short,
still write side by side: writing batches of 10 one at a time cost a quarter of the
records/s from 8 clients. Waiters are served first come, first served, so a large
batch is never overtaken for ever. The share is taken before the transaction opens and
given back after it ends: a write never waits for a share while it holds row locks, so
two batches with the same request ids cannot wait on each other here and in the
database at once.

Single-record writes take no share: they are one short statement each.
"""

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from billgraph import metrics


class RowAdmission:
    """A first-come, first-served budget of rows in flight."""

    def __init__(self, rows: int) -> None:
        if rows < 1:
            raise ValueError("a row admission needs at least one row")
        self.capacity = rows
        self._free = rows
        self._waiting: deque[tuple[int, asyncio.Future[None]]] = deque()

    @property
    def rows_in_flight(self) -> int:
        return self.capacity - self._free

    @asynccontextmanager
    async def admitted(self, rows: int) -> AsyncIterator[None]:
        """Hold `rows` of the budget (all of it when `rows` exceeds it) while open."""
        share = max(1, min(rows, self.capacity))
        if not self._waiting and share <= self._free:
            self._free -= share
        else:
            await self._wait_for(share)
        try:
            yield
        finally:
            self._give_back(share)

    async def _wait_for(self, share: int) -> None:
        admitted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((share, admitted))
        started = time.perf_counter()
        try:
            await admitted
        except asyncio.CancelledError:
            if admitted.done() and not admitted.cancelled():
                self._give_back(share)  # admitted just as the caller was cancelled
            else:
                admitted.cancel()
                self._admit_waiting()  # drops it; the ones behind it may fit now
            raise
        metrics.batch_write_waited(time.perf_counter() - started)

    def _give_back(self, share: int) -> None:
        self._free += share
        self._admit_waiting()

    def _admit_waiting(self) -> None:
        while self._waiting:
            share, admitted = self._waiting[0]
            if admitted.cancelled():
                self._waiting.popleft()
                continue
            if share > self._free:
                return
            self._waiting.popleft()
            self._free -= share
            admitted.set_result(None)


_admission: RowAdmission | None = None  # None: no limit (the CLI, tests of the services)


@asynccontextmanager
async def batch_writes_limited(rows: int) -> AsyncIterator[None]:
    """While open, this process's batch writes share `rows` rows in flight (0: no limit)."""
    global _admission  # noqa: PLW0603  (one budget per process, as its connection pool)
    previous = _admission
    _admission = RowAdmission(rows) if rows else None
    try:
        yield
    finally:
        _admission = previous


@asynccontextmanager
async def batch_write_admitted(rows: int) -> AsyncIterator[None]:
    """Wait for this process's budget to admit a write of `rows` rows; hold it while open."""
    admission = _admission
    if admission is None or rows <= 1:
        yield
        return
    async with admission.admitted(rows):
        yield
