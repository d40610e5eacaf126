"""The per-process budget of batch rows in flight (INGEST_ROWS_IN_FLIGHT).

Small batches write side by side, a batch larger than the budget writes alone, waiters
are served in arrival order, and a caller that gives up while waiting (its client went
away) neither keeps rows of the budget nor blocks the ones behind it.
"""

import asyncio

import pytest

from billgraph.services.write_admission import RowAdmission


class Writer:
    """A write that takes its share, then holds it until told to finish."""

    def __init__(self, admission: RowAdmission, rows: int) -> None:
        self.admitted = asyncio.Event()
        self.finish = asyncio.Event()
        self.task = asyncio.create_task(self._run(admission, rows))

    async def _run(self, admission: RowAdmission, rows: int) -> None:
        async with admission.admitted(rows):
            self.admitted.set()
            await self.finish.wait()

    async def done(self) -> None:
        self.finish.set()
        await self.task


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_batches_that_fit_the_budget_write_side_by_side() -> None:
    admission = RowAdmission(2000)
    first, second = Writer(admission, 1500), Writer(admission, 500)
    await settle()

    assert first.admitted.is_set()
    assert second.admitted.is_set()
    assert admission.rows_in_flight == 2000
    await first.done()
    await second.done()
    assert admission.rows_in_flight == 0


async def test_a_batch_larger_than_the_budget_takes_all_of_it_and_writes_alone() -> None:
    admission = RowAdmission(2000)
    large = Writer(admission, 10_000)
    await settle()
    small = Writer(admission, 10)
    await settle()

    assert large.admitted.is_set()
    assert admission.rows_in_flight == 2000
    assert not small.admitted.is_set()
    await large.done()
    await settle()
    assert small.admitted.is_set()
    await small.done()
    assert admission.rows_in_flight == 0


async def large_then_small_behind_a_holder(
    admission: RowAdmission,
) -> tuple[Writer, Writer, Writer]:
    """1500 of 2000 rows held, then a batch of 2000 and one of 100 arrive in that order."""
    holder = Writer(admission, 1500)
    await settle()
    large = Writer(admission, 2000)
    await settle()
    small = Writer(admission, 100)  # would fit in the 500 rows left, but came later
    await settle()
    return holder, large, small


async def test_waiters_are_admitted_in_arrival_order_so_a_large_batch_is_not_overtaken() -> None:
    admission = RowAdmission(2000)
    holder, large, small = await large_then_small_behind_a_holder(admission)

    assert not large.admitted.is_set()
    assert not small.admitted.is_set()
    await holder.done()
    await settle()
    assert large.admitted.is_set()
    assert not small.admitted.is_set()
    await large.done()
    await settle()
    assert small.admitted.is_set()
    await small.done()
    assert admission.rows_in_flight == 0


async def test_a_waiter_that_gives_up_lets_the_ones_behind_it_in() -> None:
    admission = RowAdmission(2000)
    holder, large, small = await large_then_small_behind_a_holder(admission)
    assert not small.admitted.is_set()

    large.task.cancel()
    await settle()

    assert large.task.cancelled()
    assert small.admitted.is_set()  # 100 of the 500 free rows, at once
    assert admission.rows_in_flight == 1600
    await holder.done()
    await small.done()
    assert admission.rows_in_flight == 0


async def test_a_waiter_cancelled_just_as_it_was_admitted_gives_its_share_back() -> None:
    admission = RowAdmission(2000)
    release = asyncio.Event()
    waiter: Writer | None = None

    async def hold_then_cancel_the_waiter() -> None:
        async with admission.admitted(2000):
            await release.wait()
        assert waiter is not None
        waiter.task.cancel()  # in the same step that admitted it: it has not run yet

    holder = asyncio.create_task(hold_then_cancel_the_waiter())
    await settle()
    waiter = Writer(admission, 2000)
    await settle()
    release.set()
    await holder
    with pytest.raises(asyncio.CancelledError):
        await waiter.task

    assert not waiter.admitted.is_set()
    assert admission.rows_in_flight == 0
    late = Writer(admission, 2000)
    await settle()
    assert late.admitted.is_set()
    await late.done()


async def test_an_error_inside_the_write_gives_its_share_back() -> None:
    admission = RowAdmission(100)

    with pytest.raises(RuntimeError):
        async with admission.admitted(100):
            raise RuntimeError("the write failed")

    assert admission.rows_in_flight == 0


def test_a_budget_needs_at_least_one_row() -> None:
    with pytest.raises(ValueError, match="at least one row"):
        RowAdmission(0)
