"""Storing a priced batch exactly once: the write, replays and conflicts, retries.

Rows whose request id is new are inserted in one transaction, with their rollups on
SQLite and listed as pending for the folder on PostgreSQL (a single row that no budget
counts is one statement, its own transaction). The
request ids not inserted are looked up (one SELECT of only those): the same payload is
a replay, a different one a CONFLICT that rolls the whole batch back. A batch first
waits for its share of the rows this process writes at once (write_admission.py).
Lock conflicts are retried here, a bounded number of times; what still fails is
UNAVAILABLE, so the caller retries with the same request ids.
"""

import asyncio
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from billgraph.db import single_write_connection
from billgraph.models import UsageLog
from billgraph.services import budgets, usage_sql_postgres, usage_sql_sqlite
from billgraph.services.api_keys import Caller, key_is_active
from billgraph.services.budgets.in_force import (
    BudgetsChangedError,
    BudgetsInForce,
    budgets_in_force,
    current_revision,
    reload_budgets,
)
from billgraph.services.budgets.scope import covers
from billgraph.services.db_failures import is_lock_conflict, is_numeric_overflow, is_unavailable
from billgraph.services.errors import (
    BillingError,
    InvalidInputError,
    UnauthenticatedError,
    UnavailableError,
)
from billgraph.services.sql import POSTGRES, SQLITE, dialect_of_connection
from billgraph.services.usage_batch import (
    OCCURRED_AT,
    REQUEST_ID,
    BatchItemError,
    PricedBatch,
    conflict_error,
    differing_columns,
)
from billgraph.services.usage_fields import LOG_COLUMNS
from billgraph.services.usage_overflow import overflowing_item
from billgraph.services.write_admission import batch_write_admitted

ATTEMPTS = 6
# Budget changes seen by one write before it gives up (each one reloads the budgets).
_BUDGET_RELOADS = 5
_FIRST_BACKOFF_SECONDS = 0.005


@dataclass(frozen=True, slots=True)
class Written:
    """What a write did: the ids of the rows it inserted, and the stored rows it replayed."""

    inserted_ids: dict[str, int]
    replayed: dict[str, UsageLog]


async def write_batch(batch: PricedBatch, *, caller: Caller, now: datetime) -> Written:
    """Store the batch's new rows and their rollups, all or nothing; see the module doc."""
    budget_reloads = 0
    attempt = 0
    while attempt < ATTEMPTS:
        try:
            return await _write_once(batch, caller=caller, now=now)
        except (BillingError, BatchItemError):
            raise
        except _RequestIdVanishedError:
            attempt += 1
            continue  # the row we conflicted with was rolled back meanwhile: try again
        except BudgetsChangedError:
            budget_reloads += 1
            if budget_reloads > _BUDGET_RELOADS:
                break
            await reload_budgets(_connection())
            continue
        except Exception as error:
            if is_numeric_overflow(error):
                index = await overflowing_item(batch, _connection())
                raise BatchItemError(
                    batch.first_item[0] if index is None else index, _overflow_error()
                ) from None
            if is_lock_conflict(error) and attempt + 1 < ATTEMPTS:
                # Jittered exponential backoff: the transactions that met meet less often.
                await asyncio.sleep(_FIRST_BACKOFF_SECONDS * 2**attempt * (0.5 + random.random()))  # noqa: S311
                attempt += 1
                continue
            if is_unavailable(error):
                raise UnavailableError(
                    "The database is unavailable; retry with the same request ids"
                ) from error
            raise
    raise UnavailableError("The usage could not be recorded now; retry with the same request ids")


def _overflow_error() -> InvalidInputError:
    return InvalidInputError(
        "{field}: these tokens and their cost would take the usage totals of their "
        "hour, day and model past the largest amount billgraph can add up",
        field="tokens_input",
    )


def _connection() -> BaseDBAsyncClient:
    connection: BaseDBAsyncClient = connections.get(UsageLog._meta.default_connection or "default")
    return connection


async def _write_once(batch: PricedBatch, *, caller: Caller, now: datetime) -> Written:
    connection = _connection()
    dialect = dialect_of_connection(connection)
    in_force = await budgets_in_force(connection)
    if dialect is POSTGRES and len(batch.rows) == 1 and not _budget_work(batch, in_force):
        # The common single call: one statement, its own transaction. (A batch keeps its
        # transaction: a CONFLICT found after the insert must undo the other rows.)
        inserted = await _insert_postgres(
            single_write_connection(connection), batch.rows, now, in_force.revision, caller
        )
        return await _with_replays(connection, batch, inserted, caller)
    async with (
        batch_write_admitted(len(batch.rows)),
        in_transaction(connection.connection_name) as transaction,
    ):
        if dialect is SQLITE:
            inserted = await _insert_sqlite(transaction, batch.rows, now)
            # The one writer now holds SQLite's write lock: no budget or key can change
            # meanwhile.
            if caller.unchecked_key_digest is not None and not await key_is_active(caller):
                raise _revoked()
            if await current_revision(transaction) != in_force.revision:
                in_force = await reload_budgets(transaction)
        else:
            inserted = await _insert_postgres(
                transaction, batch.rows, now, in_force.revision, caller
            )
        written = await _with_replays(transaction, batch, inserted, caller)
        if batch.reservations or in_force.budgets:
            # Budget spend, reservations and alerts move in the logs' own transaction.
            await budgets.record_spend(
                transaction, spends=_spends(batch, inserted), budgets=in_force.budgets, now=now
            )
        return written


def _budget_work(batch: PricedBatch, in_force: BudgetsInForce) -> bool:
    """Return True when storing the batch has budget spend or reservations to record."""
    if batch.reservations:
        return True
    return any(
        covers(
            budget,
            user_id=row[_USER_ID],
            api_key_id=row[_API_KEY_ID],
            provider=row[_PROVIDER],
            model=row[_MODEL],
        )
        for budget in in_force.budgets
        for row in batch.rows
    )


def _spends(batch: PricedBatch, inserted: dict[str, int]) -> list[budgets.Spend]:
    """Return the budget spend of the rows this write inserted."""
    return [
        budgets.Spend(
            occurred_at=row[OCCURRED_AT],
            user_id=row[_USER_ID],
            api_key_id=row[_API_KEY_ID],
            provider=row[_PROVIDER],
            model=row[_MODEL],
            cost_total_pico=row[_COST_TOTAL],
            pricing_source=row[_PRICING_SOURCE],
            reservation_id=batch.reservations.get(row[REQUEST_ID]),
        )
        for row in batch.rows
        if row[REQUEST_ID] in inserted
    ]


_USER_ID, _PROVIDER, _MODEL, _COST_TOTAL, _PRICING_SOURCE, _API_KEY_ID = (
    LOG_COLUMNS.index(column)
    for column in (
        "user_id",
        "provider",
        "model",
        "cost_total_pico",
        "pricing_source",
        "api_key_id",
    )
)


async def _insert_sqlite(
    connection: BaseDBAsyncClient, rows: Sequence[tuple[Any, ...]], now: datetime
) -> dict[str, int]:
    created = await usage_sql_sqlite.insert_rows(connection, rows, now)
    return {request_id: log_id for log_id, request_id in created}


async def _insert_postgres(
    connection: BaseDBAsyncClient,
    rows: Sequence[tuple[Any, ...]],
    now: datetime,
    budgets_revision: int,
    caller: Caller,
) -> dict[str, int]:
    digest = caller.unchecked_key_digest
    key = (caller.key_id, digest) if caller.key_id is not None and digest is not None else None
    statement = usage_sql_postgres.insert_statement(check_key=key is not None)
    inserted: dict[str, int] = {}
    # More than one chunk only in a batch, which runs in a transaction.
    for chunk in usage_sql_postgres.statement_chunks(rows):
        document = await usage_sql_postgres.encode_rows(chunk)
        _, records = await connection.execute_query(
            statement, usage_sql_postgres.insert_parameters(document, now, budgets_revision, key)
        )
        found = {record["request_id"]: record["id"] for record in records}
        if found.pop(None, _NOT_IN_FORCE) is _NOT_IN_FORCE:
            if key is not None and not await key_is_active(caller):
                raise _revoked()
            raise BudgetsChangedError
        inserted.update(found)
    return inserted


def _revoked() -> UnauthenticatedError:
    return UnauthenticatedError("The API key has been revoked")


_NOT_IN_FORCE = object()


async def _with_replays(
    connection: BaseDBAsyncClient,
    batch: PricedBatch,
    inserted: dict[str, int],
    caller: Caller,
) -> Written:
    if len(inserted) == len(batch.rows):
        return Written(inserted_ids=inserted, replayed={})
    taken = [row[REQUEST_ID] for row in batch.rows if row[REQUEST_ID] not in inserted]
    stored = {
        log.request_id: log
        for log in await UsageLog.filter(request_id__in=taken).using_db(connection)
    }
    if len(stored) != len(taken):
        raise _RequestIdVanishedError
    for position, row in enumerate(batch.rows):
        log = stored.get(row[REQUEST_ID])
        if log is None:
            continue
        differing = differing_columns(stored_row(log), row, compare_time=batch.time_given[position])
        if differing:
            # Raised inside the transaction: the rows inserted above are rolled back.
            raise BatchItemError(
                batch.first_item[position], conflict_error(row[REQUEST_ID], differing, caller)
            )
    return Written(inserted_ids=inserted, replayed=stored)


class _RequestIdVanishedError(Exception):
    """A request id was taken at the INSERT but is gone at the SELECT."""


def stored_row(log: UsageLog) -> tuple[Any, ...]:
    """Return a stored log as a row in LOG_COLUMNS order (enums as their values)."""
    values = [getattr(log, column) for column in LOG_COLUMNS]
    values[OCCURRED_AT] = log.occurred_at
    return tuple(value.value if hasattr(value, "value") else value for value in values)
