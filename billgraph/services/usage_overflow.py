"""Which item of a batch took a rollup sum past its 64-bit column (only after it happened)."""

from types import SimpleNamespace
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from billgraph.models import PricingSource, ServiceTier
from billgraph.services.costs import MAX_STORED_PICO
from billgraph.services.rollups import ROLLUP_TABLES, log_key, log_sums
from billgraph.services.sql import Params, dialect_of_connection
from billgraph.services.usage_batch import PricedBatch
from billgraph.services.usage_fields import LOG_COLUMNS


async def overflowing_item(batch: PricedBatch, connection: BaseDBAsyncClient) -> int | None:
    """Return the index of the first item whose rollup sums overflow, or None if none do.

    Adds the batch's rows, in order, to the stored sums of their rollup rows.
    """
    logs = [_as_log(row) for row in batch.rows]
    running: dict[tuple[str, tuple[object, ...]], list[int]] = {}
    for table in ROLLUP_TABLES:
        stored = await _stored_sums(connection, table, {log_key(table, log)[0] for log in logs})
        for key, sums in stored.items():
            running[table.name, key] = sums
    for position, log in enumerate(logs):
        for table in ROLLUP_TABLES:
            sums = running.setdefault(
                (table.name, log_key(table, log)), [0] * len(table.sum_columns)
            )
            for index, value in enumerate(log_sums(table, log)):
                sums[index] += value
                if sums[index] > MAX_STORED_PICO:
                    return batch.first_item[position]
    return None


def _as_log(row: tuple[Any, ...]) -> Any:
    log = SimpleNamespace(**dict(zip(LOG_COLUMNS, row, strict=True)))
    log.pricing_source = PricingSource(log.pricing_source)
    log.service_tier = ServiceTier(log.service_tier)
    return log


async def _stored_sums(
    connection: BaseDBAsyncClient, table: Any, buckets: set[object]
) -> dict[tuple[object, ...], list[int]]:
    params = Params(dialect_of_connection(connection))
    placeholders = ", ".join(params.add(bucket) for bucket in sorted(buckets, key=str))
    columns = (*table.key_columns, *table.sum_columns)
    rows = await connection.execute_query_dict(
        f"SELECT {', '.join(columns)} FROM {table.name} "  # noqa: S608
        f"WHERE {table.bucket_column} IN ({placeholders})",
        params.values,
    )
    width = len(table.key_columns)
    return {
        tuple(row[column] for column in columns[:width]): [
            int(row[column]) for column in columns[width:]
        ]
        for row in rows
    }
