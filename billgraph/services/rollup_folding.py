"""Adding acknowledged logs to the rollup tables after their insert (PostgreSQL).

The ingest statement inserts the logs and copies each new one's rollup columns
(`rollups.PENDING_COLUMNS`) to `usage_rollup_pending`, in one transaction, and touches
no rollup row: upserting the rollups took a third of the statement, and every writer of
the same hour and model queued on the same rows. A folder in each worker then claims
pending rows (`FOR UPDATE SKIP LOCKED`, so workers split them), deletes them and adds
them to the three rollup tables in key order, in one transaction. Many requests' logs
share a rollup row, so one fold upserts fewer rows than the requests did one by one.

Every reader stays exact, because a log is either pending or folded in any snapshot:
reports add the pending rows to the rollups (`reports`), `rollups verify` and `rebuild`
compare with or rebuild from the folded logs only (verify also checks each pending
copy against its log), and re-pricing moves only folded logs' shares and rewrites the
pending copies of the others, which are folded later at their new prices. Re-pricing
takes the fold lock exclusively before it reads which logs are pending, and a fold
takes it shared before it reads the pending rows, so neither sees the other half-done.

A fold adds to NUMERIC sums, so it cannot overflow (`models.rollup.SumField`): a log
the ingest acknowledged always finds room in the rollups.

SQLite keeps adding logs in the inserting transaction (one writer at a time, no hot
rows between processes); its pending table stays empty.
"""

import asyncio
import logging
import time
from functools import cache

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from billgraph import metrics
from billgraph.services.db_failures import is_lock_conflict, is_unavailable
from billgraph.services.rollups import (
    FOLD_LOCK_KEY,
    PENDING_TABLE,
    ROLLUP_TABLES,
    add_from_logs_sql,
)
from billgraph.services.sql import POSTGRES, SQLITE, dialect_of_connection

logger = logging.getLogger("billgraph.rollups")

# Most logs one fold takes: bounds the transaction, while a backlog still drains fast.
FOLD_BATCH = 20_000
# How long the folder waits when it found fewer than FOLD_BATCH logs. Longer waits let
# more logs share each rollup row; reports read the logs still pending, so an answer
# does not wait for the fold.
FOLD_INTERVAL_SECONDS = 0.25
_RETRY_AFTER_FAILURE_SECONDS = 1.0
VACUUM_INTERVAL_SECONDS = 1.0


# Before the fold, in its own statement: the fold's snapshot must see a re-pricing that
# committed while this waited for the lock. It also turns nested loops off for the
# fold's transaction (SET LOCAL). The pending table's statistics are what its last
# VACUUM (ANALYZE) saw, and one run just after the fold that emptied the table says 0
# rows however many arrive after (autovacuum may be off). On that estimate the planner
# joined the claimed rows to the table in a nested loop that ran the LIMIT ... FOR
# UPDATE claim again for every row: 5,000 logs took 2 s to fold, 20,000 took 32 s. A
# hash join is linear whatever the statistics say.
FOLD_SETUP = (
    "SELECT pg_advisory_xact_lock_shared($1::int8), set_config('enable_nestloop', 'off', true)"
)


@cache
def fold_statement() -> str:
    """Return the statement that claims up to $1 pending logs and adds them to the rollups;
    it returns how many it folded and how long the oldest of them had waited (seconds)."""
    rollups = ",\n".join(
        f"rollup_{number} AS ({add_from_logs_sql(table, POSTGRES, source='folded')})"
        for number, table in enumerate(ROLLUP_TABLES)
    )
    return (
        f"WITH folded AS (DELETE FROM {PENDING_TABLE} WHERE log_id IN ("  # noqa: S608
        f"SELECT log_id FROM {PENDING_TABLE} ORDER BY log_id LIMIT $1::int4 "
        "FOR UPDATE SKIP LOCKED) RETURNING *),\n"
        f"{rollups}\n"
        "SELECT COUNT(*) AS folded, COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - "
        "(SELECT recorded_at FROM api_usage_logs WHERE id = (SELECT MIN(log_id) FROM folded))"
        "), 0) AS waited FROM folded"
    )


async def fold_pending(connection: BaseDBAsyncClient, *, limit: int = FOLD_BATCH) -> int:
    """Fold up to `limit` pending logs into the rollups in one transaction; return how many."""
    async with in_transaction(connection.connection_name) as transaction:
        await transaction.execute_query(FOLD_SETUP, [FOLD_LOCK_KEY])
        rows = await transaction.execute_query_dict(fold_statement(), [limit])
    folded: int = rows[0]["folded"]
    if folded:
        metrics.rollup_folded(logs=folded, oldest_waited_seconds=float(rows[0]["waited"]))
    return folded


async def fold_everything(connection: BaseDBAsyncClient, *, limit: int = FOLD_BATCH) -> int:
    """Fold until nothing is pending, `limit` logs a fold; return how many were folded.
    For processes without a folder (the CLI's bulk commands); on SQLite nothing is ever
    pending."""
    if dialect_of_connection(connection) is SQLITE:
        return 0
    total = 0
    while folded := await fold_pending(connection, limit=limit):
        total += folded
    if total:
        await vacuum_pending(connection)
    return total


async def vacuum_pending(connection: BaseDBAsyncClient, *, truncate: bool = True) -> None:
    """Reclaim the pending table's dead rows (PostgreSQL).

    Every log passes through the table once, so it holds mostly dead rows until vacuumed,
    and reports and folds read all of them: with the 200,000 dead rows a seed left, the
    30-day DAY x MODEL report's statement took 15 ms (median), 8 ms once vacuumed.
    Autovacuum may be off, or too slow for a queue; SKIP_LOCKED lets a worker whose
    neighbour is already vacuuming go on. `truncate=False` while ingest runs: giving
    the file's empty tail back needs a moment without any reader or writer, which VACUUM
    waits up to 5 s for; with it, the folder fell behind (54,000 logs still pending at the
    end of a 200,000-record run, folded 12.8 s later), without it, it kept up.
    While ingest runs it also ANALYZEs the table: reports filter its rows on occurred_at,
    and with no statistics of the column the planner guessed 0.5% of them and sorted
    them to group them (reports.py, the pending branch).
    """
    options = "SKIP_LOCKED" if truncate else "SKIP_LOCKED, TRUNCATE false, ANALYZE"
    await connection.execute_script(f"VACUUM ({options}) {PENDING_TABLE}")


async def run_folder(
    connection: BaseDBAsyncClient, *, interval_seconds: float = FOLD_INTERVAL_SECONDS
) -> None:
    """Fold pending logs until cancelled: at once while a backlog lasts, else every
    `interval_seconds`; vacuum the pending table about once a second while logs come."""
    last_vacuum = time.monotonic()
    while True:
        try:
            # Each round in a task of its own: when a connection dies mid-transaction,
            # Tortoise can leave its transaction in the task's context, and every later
            # round of that task would run on the dead connection.
            folded = await asyncio.create_task(fold_pending(connection))
            if folded and time.monotonic() - last_vacuum >= VACUUM_INTERVAL_SECONDS:
                await asyncio.create_task(vacuum_pending(connection, truncate=False))
                last_vacuum = time.monotonic()
        except Exception as error:  # a cancellation is no Exception: it ends the folder
            if is_unavailable(error) or is_lock_conflict(error):  # not a bug: one line
                logger.warning("Rollup fold paused (%s); retrying", error)
            else:
                logger.exception("Rollup fold failed; retrying")
            await asyncio.sleep(_RETRY_AFTER_FAILURE_SECONDS)
            continue
        if folded < FOLD_BATCH:
            await asyncio.sleep(interval_seconds)
