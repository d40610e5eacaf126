"""The PostgreSQL write of a priced batch: one statement, arrays in, ids of new rows out.

The statement inserts the rows from arrays (`unnest`), skips request ids already
stored (`ON CONFLICT (request_id) DO NOTHING`), and adds exactly the inserted rows to
the three rollup tables, each upserted in key order so that concurrent writers lock
rollup rows in one order. One statement is one implicit transaction when it runs alone.
"""

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from billgraph.services.rollups import ROLLUP_TABLES, add_from_logs_sql
from billgraph.services.usage_fields import LOG_COLUMNS, TEXT_COLUMNS

_ARRAY_TYPE = {column: "text" if column in TEXT_COLUMNS else "int8" for column in LOG_COLUMNS} | {
    "pricing_id": "int4",
    "occurred_at": "timestamptz",
}


@cache
def insert_statement() -> str:
    """Return the statement; its parameters are one array per LOG_COLUMNS, then recorded_at."""
    columns = ", ".join(LOG_COLUMNS)
    arrays = ", ".join(
        f"${position}::{_ARRAY_TYPE[column]}[]"
        for position, column in enumerate(LOG_COLUMNS, start=1)
    )
    recorded_at = f"${len(LOG_COLUMNS) + 1}::timestamptz"
    rollups = ",\n".join(
        f"rollup_{number} AS ({add_from_logs_sql(table, 'postgres', source='inserted')})"
        for number, table in enumerate(ROLLUP_TABLES)
    )
    return (
        f"WITH incoming ({columns}) AS (SELECT * FROM unnest({arrays})),\n"  # noqa: S608
        f"inserted AS (INSERT INTO api_usage_logs ({columns}, recorded_at) "
        f"SELECT {columns}, {recorded_at} FROM incoming ORDER BY request_id "
        "ON CONFLICT (request_id) DO NOTHING RETURNING *),\n"
        f"{rollups}\n"
        "SELECT id, request_id FROM inserted"
    )


def insert_parameters(rows: Sequence[tuple[Any, ...]], recorded_at: datetime) -> list[Any]:
    """Return the statement's parameters: the rows as column arrays, then recorded_at."""
    return [*(list(column) for column in zip(*rows, strict=True)), recorded_at]
