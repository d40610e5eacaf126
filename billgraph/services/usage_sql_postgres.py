"""The PostgreSQL write of a priced batch: one statement, the rows in, ids of new rows out.

The rows travel as one JSON document (`json_to_recordset`), encoded by msgspec slice by
slice: binding one array per column instead cost asyncpg an isinstance check per value,
all in one call that held the event loop. The statement inserts the rows,
skips request ids already stored (`ON CONFLICT (request_id) DO NOTHING`), and adds
exactly the inserted rows to the three rollup tables, each upserted in key order so
that concurrent writers lock rollup rows in one order. A statement that runs alone is
its own transaction.
"""

import asyncio
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

import msgspec

from billgraph.services.rollups import ROLLUP_TABLES, add_from_logs_sql
from billgraph.services.usage_fields import LOG_COLUMNS, TEXT_COLUMNS

_SQL_TYPE = {column: "text" if column in TEXT_COLUMNS else "int8" for column in LOG_COLUMNS} | {
    "pricing_id": "int4",
    "occurred_at": "timestamptz",
}
# Short JSON keys keep the document small: "c0", "c1", ... in LOG_COLUMNS order.
_KEYS = tuple(f"c{position}" for position in range(len(LOG_COLUMNS)))
_ENCODER = msgspec.json.Encoder()  # datetimes as RFC 3339, which timestamptz reads
# Rows encoded between two yields to the event loop.
_SLICE = 500


@cache
def insert_statement() -> str:
    """Return the statement; $1 is the rows as JSON (see encode_rows), $2 recorded_at."""
    columns = ", ".join(LOG_COLUMNS)
    record_type = ", ".join(
        f"{key} {_SQL_TYPE[column]}" for key, column in zip(_KEYS, LOG_COLUMNS, strict=True)
    )
    renamed = ", ".join(
        f"{key} AS {column}" for key, column in zip(_KEYS, LOG_COLUMNS, strict=True)
    )
    rollups = ",\n".join(
        f"rollup_{number} AS ({add_from_logs_sql(table, 'postgres', source='inserted')})"
        for number, table in enumerate(ROLLUP_TABLES)
    )
    return (
        f"WITH incoming AS (SELECT {renamed} "  # noqa: S608
        f"FROM json_to_recordset($1::json) AS rows({record_type})),\n"
        f"inserted AS (INSERT INTO api_usage_logs ({columns}, recorded_at) "
        f"SELECT {columns}, $2::timestamptz FROM incoming ORDER BY request_id "
        "ON CONFLICT (request_id) DO NOTHING RETURNING *),\n"
        f"{rollups}\n"
        "SELECT id, request_id FROM inserted"
    )


async def encode_rows(rows: Sequence[tuple[Any, ...]]) -> str:
    """Return the rows as the JSON document the statement reads, slice by slice."""
    parts = []
    for start in range(0, len(rows), _SLICE):
        if start:
            await asyncio.sleep(0)
        records = [dict(zip(_KEYS, row, strict=True)) for row in rows[start : start + _SLICE]]
        parts.append(_ENCODER.encode(records)[1:-1])
    return (b"[" + b",".join(parts) + b"]").decode()


def insert_parameters(document: str, recorded_at: datetime) -> list[Any]:
    """Return the statement's parameters."""
    return [document, recorded_at]
