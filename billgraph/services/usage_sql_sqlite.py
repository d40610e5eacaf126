"""The SQLite write of a priced batch: a staging table, one INSERT ... SELECT, rollups in SQL.

SQLite has one writer at a time, so there is no lock order to keep; it has no
data-modifying CTEs, so the rollups are a statement of their own over the ids the
INSERT returned. Runs inside the caller's transaction.
"""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from billgraph.services.rollups import ROLLUP_TABLES, add_from_logs_sql
from billgraph.services.sql import SQLITE
from billgraph.services.usage_fields import LOG_COLUMNS

_COLUMNS = ", ".join(LOG_COLUMNS)
_CREATE_STAGING = f"CREATE TEMP TABLE IF NOT EXISTS usage_staging ({_COLUMNS})"
_STAGE = (
    f"INSERT INTO temp.usage_staging ({_COLUMNS}) "  # noqa: S608
    f"VALUES ({', '.join('?' for _ in LOG_COLUMNS)})"
)
_INSERT = (
    f"INSERT INTO api_usage_logs ({_COLUMNS}, recorded_at) "  # noqa: S608
    f"SELECT {_COLUMNS}, ? FROM temp.usage_staging WHERE true ORDER BY request_id "
    "ON CONFLICT (request_id) DO NOTHING RETURNING id, request_id"
)
_ROLLUPS = [
    add_from_logs_sql(
        table,
        SQLITE,
        source="api_usage_logs",
        where="id IN (SELECT value FROM json_each(?))",
    )
    for table in ROLLUP_TABLES
]
_OCCURRED_AT = LOG_COLUMNS.index("occurred_at")


def _stored_time(moment: datetime) -> str:
    # The text Tortoise itself stores for an aware datetime on SQLite.
    return moment.isoformat(" ")


async def insert_rows(
    connection: BaseDBAsyncClient, rows: Sequence[tuple[Any, ...]], recorded_at: datetime
) -> list[tuple[int, str]]:
    """Insert the rows whose request id is new and add them to the rollups.

    Return (id, request_id) of each inserted row.
    """
    await connection.execute_query(_CREATE_STAGING)
    await connection.execute_query("DELETE FROM temp.usage_staging")
    await connection.execute_many(
        _STAGE,
        [
            [*row[:_OCCURRED_AT], _stored_time(row[_OCCURRED_AT]), *row[_OCCURRED_AT + 1 :]]
            for row in rows
        ],
    )
    _, inserted = await connection.execute_query(_INSERT, [_stored_time(recorded_at)])
    created = [(int(row[0]), str(row[1])) for row in inserted]
    if created:
        ids = json.dumps([log_id for log_id, _ in created])
        for statement in _ROLLUPS:
            await connection.execute_query(statement, [ids])
    return created
