"""Buffered recording: records are kept in memory and sent in batches.

A batch goes out when `batch_size` records wait or `flush_interval` seconds after the
oldest one arrived, from a background thread (`BufferedRecorder`) or task
(`AsyncBufferedRecorder`). A batch stays in the buffer until billgraph has stored it, so
a failed send is retried (with backoff, the same request ids) until it passes or the
recorder is closed; closing flushes. The buffer holds at most `max_buffer` records:
when it is full, `record` blocks (`when_full="block"`) or drops the record
(`when_full="drop"`), counting it in `stats.dropped_full` and logging a warning.
"""

import asyncio
import atexit
import contextlib
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from itertools import islice
from types import TracebackType
from typing import Any, Literal

from billgraph.client.async_client import AsyncBillgraphClient
from billgraph.client.errors import BillgraphError
from billgraph.client.extract import usage_from_response
from billgraph.client.records import IngestResult, UsageRecord
from billgraph.client.retry import RetryPolicy
from billgraph.client.sync_client import BillgraphClient

logger = logging.getLogger("billgraph.client")
WhenFull = Literal["block", "drop"]


@dataclass
class BufferStats:
    """What a buffered recorder did with the records it was given."""

    accepted: int = 0  # taken into the buffer
    created: int = 0  # stored by billgraph as new
    replayed: int = 0  # already stored (a resend after a lost answer)
    dropped_full: int = 0  # not taken: the buffer was full
    rejected: int = 0  # refused by billgraph (bad input, conflict); each one logged
    unsent: int = 0  # still in the buffer when closing gave up
    failed_sends: int = 0  # sends that failed and were retried later


class _Buffer:
    """The state both recorders share; callers hold the recorder's lock."""

    def __init__(
        self, *, batch_size: int, flush_interval: float, max_buffer: int, when_full: WhenFull
    ) -> None:
        if when_full not in {"block", "drop"}:
            raise ValueError("when_full must be 'block' or 'drop'")
        if batch_size < 1 or max_buffer < batch_size or flush_interval <= 0:
            raise ValueError("need batch_size >= 1, max_buffer >= batch_size, flush_interval > 0")
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.max_buffer = max_buffer
        self.when_full = when_full
        self.pending: deque[UsageRecord] = deque()
        self.stats = BufferStats()
        self.added = 0
        self.done = 0  # records stored or rejected
        self.closing = False
        self.abandon = False
        self.flush_wanted = False
        self.warned_full = False
        self.oldest_since: float | None = None

    def full(self) -> bool:
        return len(self.pending) >= self.max_buffer

    def add(self, record: UsageRecord) -> None:
        if not self.pending:
            self.oldest_since = time.monotonic()
        self.pending.append(record)
        self.added += 1
        self.stats.accepted += 1

    def drop(self, record: UsageRecord) -> None:
        self.stats.dropped_full += 1
        if not self.warned_full:
            self.warned_full = True
            logger.warning(
                "billgraph: usage buffer full (%d records): dropping records, the first with "
                "request id %s (%d dropped so far)",
                self.max_buffer,
                record.request_id,
                self.stats.dropped_full,
            )

    def wait_time(self) -> float | None:
        """Return 0 when a batch should go now, else how long to wait (None: until told)."""
        if self.abandon:
            return 0
        if not self.pending:
            return None
        if self.closing or self.flush_wanted or len(self.pending) >= self.batch_size:
            return 0
        assert self.oldest_since is not None  # noqa: S101  (set whenever pending is not empty)
        return max(0.0, self.oldest_since + self.flush_interval - time.monotonic())

    def next_batch(self) -> list[UsageRecord]:
        return list(islice(self.pending, self.batch_size))

    def stored(self, batch: list[UsageRecord], result: IngestResult) -> None:
        for _ in batch:
            self.pending.popleft()
        self.done += len(batch)
        self.stats.created += result.created
        self.stats.replayed += result.replayed
        self.warned_full = False
        self.oldest_since = time.monotonic() if self.pending else None
        if not self.pending:
            self.flush_wanted = False

    def rejected(self, batch: list[UsageRecord], error: BillgraphError) -> None:
        """Remove what billgraph refused: the named item, or the whole batch."""
        if error.index is not None and 0 <= error.index < len(batch):
            refused = [batch[error.index]]
            del self.pending[error.index]
        else:
            refused = batch
            for _ in batch:
                self.pending.popleft()
        for record in refused:
            logger.error(
                "billgraph refused usage record %s (%s %s): %s",
                record.request_id,
                record.provider,
                record.model,
                error,
            )
        self.stats.rejected += len(refused)
        self.done += len(refused)
        if not self.pending:
            self.oldest_since = None
            self.flush_wanted = False

    def closed(self) -> None:
        self.stats.unsent = len(self.pending)
        if self.pending:
            logger.error(
                "billgraph: closing with %d usage records not sent (billgraph unreachable); "
                "the first has request id %s",
                len(self.pending),
                self.pending[0].request_id,
            )
        if self.stats.dropped_full:
            logger.warning(
                "billgraph: %d usage records were dropped because the buffer was full",
                self.stats.dropped_full,
            )


class BufferedRecorder:
    """Records in the background, in batches, from a thread; flushed at close and exit."""

    def __init__(
        self,
        client: BillgraphClient,
        *,
        batch_size: int = 500,
        flush_interval: float = 1.0,
        max_buffer: int = 10_000,
        when_full: WhenFull = "block",
        close_timeout: float = 30.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.client = client
        self.close_timeout = close_timeout
        self._retry = retry or RetryPolicy(base_delay=0.5, max_delay=30.0)
        self._buffer = _Buffer(
            batch_size=batch_size,
            flush_interval=flush_interval,
            max_buffer=max_buffer,
            when_full=when_full,
        )
        self._lock = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="billgraph-recorder", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    @property
    def stats(self) -> BufferStats:
        """The counters so far."""
        return self._buffer.stats

    @property
    def pending(self) -> int:
        """Records waiting to be stored."""
        return len(self._buffer.pending)

    def record(self, record: UsageRecord, *, timeout: float | None = None) -> bool:
        """Buffer `record`; return False if it was dropped because the buffer was full.

        With `when_full="block"` this waits for room (at most `timeout` seconds if given,
        then drops).
        """
        buffer = self._buffer
        with self._lock:
            if buffer.closing:
                raise RuntimeError("the recorder is closed")
            if buffer.full() and buffer.when_full == "block":
                buffer.flush_wanted = True
                self._lock.notify_all()
                self._lock.wait_for(lambda: not buffer.full() or buffer.closing, timeout)
            if buffer.full() or buffer.closing:
                buffer.drop(record)
                return False
            buffer.add(record)
            self._lock.notify_all()
            return True

    def record_response(self, response: Any, **fields: Any) -> bool:
        """Buffer the usage of an LLM response (see `usage_from_response`)."""
        return self.record(usage_from_response(response, **fields))

    def flush(self, timeout: float | None = None) -> bool:
        """Send everything buffered so far; return False if `timeout` passed first."""
        buffer = self._buffer
        with self._lock:
            target = buffer.added
            buffer.flush_wanted = True
            self._lock.notify_all()
            return self._lock.wait_for(lambda: buffer.done >= target, timeout)

    def close(self, timeout: float | None = None) -> None:
        """Flush, waiting at most `timeout` (default `close_timeout`) seconds, and stop."""
        with self._lock:
            if self._buffer.closing:
                return
            self._buffer.closing = True
            self._lock.notify_all()
        atexit.unregister(self.close)
        self._thread.join(self.close_timeout if timeout is None else timeout)
        with self._lock:
            self._buffer.abandon = True
            self._lock.notify_all()
            self._buffer.closed()

    def __enter__(self) -> "BufferedRecorder":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _run(self) -> None:
        buffer = self._buffer
        failures = 0
        while True:
            with self._lock:
                while (wait := buffer.wait_time()) != 0:
                    if wait is None and buffer.closing:
                        return
                    self._lock.wait(wait)
                if buffer.abandon:
                    return
                batch = buffer.next_batch()
            try:
                result = self.client.record_many(batch)
            except BillgraphError as error:
                if not error.retryable:
                    with self._lock:
                        buffer.rejected(batch, error)
                        self._lock.notify_all()
                    continue
                failures += 1
                self._back_off(failures, error)
                continue
            except Exception as error:  # a bug must not end the thread and lose the buffer
                failures += 1
                logger.exception("billgraph: sending usage failed")
                self._back_off(failures, error)
                continue
            failures = 0
            with self._lock:
                buffer.stored(batch, result)
                self._lock.notify_all()

    def _back_off(self, failures: int, error: Exception) -> None:
        buffer = self._buffer
        delay = self._retry.delay(failures)
        with self._lock:
            buffer.stats.failed_sends += 1
            logger.warning(
                "billgraph: could not send %d usage records (%s); next try in %.2f s",
                len(buffer.pending),
                error,
                delay,
            )
            self._lock.wait_for(lambda: buffer.abandon, delay)


class AsyncBufferedRecorder:
    """Records in the background, in batches, from an asyncio task; flushed at `aclose`.

    Use it as `async with AsyncBufferedRecorder(client) as recorder:`, or call `start()`
    and `aclose()`: an event loop cannot run at interpreter exit, so close it yourself.
    """

    def __init__(
        self,
        client: AsyncBillgraphClient,
        *,
        batch_size: int = 500,
        flush_interval: float = 1.0,
        max_buffer: int = 10_000,
        when_full: WhenFull = "block",
        close_timeout: float = 30.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.client = client
        self.close_timeout = close_timeout
        self._retry = retry or RetryPolicy(base_delay=0.5, max_delay=30.0)
        self._buffer = _Buffer(
            batch_size=batch_size,
            flush_interval=flush_interval,
            max_buffer=max_buffer,
            when_full=when_full,
        )
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None

    @property
    def stats(self) -> BufferStats:
        """The counters so far."""
        return self._buffer.stats

    @property
    def pending(self) -> int:
        """Records waiting to be stored."""
        return len(self._buffer.pending)

    def start(self) -> None:
        """Start the sending task (done by `async with` and the first `record`)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def record(self, record: UsageRecord) -> bool:
        """Buffer `record`; return False if it was dropped because the buffer was full.

        With `when_full="block"` this waits for room (bound it with `asyncio.timeout`).
        """
        self.start()
        buffer = self._buffer
        async with self._changed:
            if buffer.closing:
                raise RuntimeError("the recorder is closed")
            if buffer.full() and buffer.when_full == "block":
                buffer.flush_wanted = True
                self._changed.notify_all()
                await self._changed.wait_for(lambda: not buffer.full() or buffer.closing)
            if buffer.full() or buffer.closing:
                buffer.drop(record)
                return False
            buffer.add(record)
            self._changed.notify_all()
            return True

    async def record_response(self, response: Any, **fields: Any) -> bool:
        """Buffer the usage of an LLM response (see `usage_from_response`)."""
        return await self.record(usage_from_response(response, **fields))

    async def flush(self) -> None:
        """Send everything buffered so far (bound it with `asyncio.timeout`)."""
        self.start()
        buffer = self._buffer
        async with self._changed:
            target = buffer.added
            buffer.flush_wanted = True
            self._changed.notify_all()
            await self._changed.wait_for(lambda: buffer.done >= target)

    async def aclose(self) -> None:
        """Flush, waiting at most `close_timeout` seconds, and stop."""
        buffer = self._buffer
        async with self._changed:
            if buffer.closing:
                return
            buffer.closing = True
            self._changed.notify_all()
        if self._task is not None:
            done, _ = await asyncio.wait({self._task}, timeout=self.close_timeout)
            if not done:
                self._task.cancel()
                await asyncio.gather(self._task, return_exceptions=True)
        buffer.closed()

    async def __aenter__(self) -> "AsyncBufferedRecorder":
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _run(self) -> None:
        buffer = self._buffer
        failures = 0
        while True:
            async with self._changed:
                while (wait := buffer.wait_time()) != 0:
                    if wait is None and buffer.closing:
                        return
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), wait)
                batch = buffer.next_batch()
            try:
                result = await self.client.record_many(batch)
            except BillgraphError as error:
                if not error.retryable:
                    async with self._changed:
                        buffer.rejected(batch, error)
                        self._changed.notify_all()
                    continue
                failures += 1
                await self._back_off(failures, error)
                continue
            except Exception as error:  # a bug must not end the task and lose the buffer
                failures += 1
                logger.exception("billgraph: sending usage failed")
                await self._back_off(failures, error)
                continue
            failures = 0
            async with self._changed:
                buffer.stored(batch, result)
                self._changed.notify_all()

    async def _back_off(self, failures: int, error: Exception) -> None:
        delay = self._retry.delay(failures)
        self._buffer.stats.failed_sends += 1
        logger.warning(
            "billgraph: could not send %d usage records (%s); next try in %.2f s",
            len(self._buffer.pending),
            error,
            delay,
        )
        await asyncio.sleep(delay)
