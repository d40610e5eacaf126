"""Folding every pending log into the rollups now, as the server's folder would soon."""

from tortoise.backends.base.client import BaseDBAsyncClient

from billgraph.services.rollup_folding import fold_pending
from billgraph.services.sql import SQLITE, dialect_of_connection


async def fold_all(connection: BaseDBAsyncClient, *, limit: int = 10_000) -> int:
    """Fold until nothing is pending; return how many logs this call folded (SQLite: 0,
    its ingest adds logs to the rollups as it inserts them)."""
    if dialect_of_connection(connection) is SQLITE:
        return 0
    total = 0
    while folded := await fold_pending(connection, limit=limit):
        total += folded
    return total
