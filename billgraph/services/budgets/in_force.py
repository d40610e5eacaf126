"""The budgets in force, kept per process, so that recording usage reads no budget table.

Every budget change writes a new random revision (row 2 of `pricing_revision`) in its
transaction. The write path sends the revision its copy was loaded at, and the insert
statement stores rows only if the database still holds that revision; otherwise the
caller reloads and tries again. Random revisions make two databases served by one
process (tests, tools) never share one.

Why a stored row cannot be missed by a budget created meanwhile: on PostgreSQL a budget
change first takes `LOCK TABLE api_usage_logs IN SHARE MODE`. It waits for every
transaction that is inserting logs, and inserts that start later wait for the change to
commit; an insert's snapshot is taken after its table lock, so it sees the new
revision. A log inserted before the change is committed before the budget exists, and
the budget's window rows, made on first use from the logs, count it. SQLite has one
writer at a time, and its write path compares the revision inside its transaction.
"""

import secrets
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient

from billgraph.models import Budget
from billgraph.services.sql import POSTGRES, dialect_of_connection

BUDGETS_REVISION_ROW = 2  # row 1 of pricing_revision is the pricing revision


class BudgetsChangedError(Exception):
    """The budgets changed since this process loaded them: reload, then write again."""


@dataclass(frozen=True, slots=True)
class BudgetsInForce:
    revision: int
    budgets: tuple[Budget, ...]


class _Loaded:
    current: BudgetsInForce | None = None


_loaded = _Loaded()


async def budgets_in_force(connection: BaseDBAsyncClient) -> BudgetsInForce:
    """Return this process's copy of the budgets, loading it the first time."""
    current = _loaded.current
    if current is None:
        current = await reload_budgets(connection)
    return current


async def reload_budgets(connection: BaseDBAsyncClient) -> BudgetsInForce:
    """Read the revision, then the budgets (in that order: a change between the two
    leaves an old revision with new budgets, which the next write's check refuses)."""
    await connection.execute_query(
        "INSERT INTO pricing_revision (id, revision) VALUES "  # noqa: S608
        f"({BUDGETS_REVISION_ROW}, {_new_revision()}) ON CONFLICT (id) DO NOTHING"
    )
    revision = await current_revision(connection)
    budgets = await Budget.all().using_db(connection).order_by("id")
    current = BudgetsInForce(revision=revision or 0, budgets=tuple(budgets))
    _loaded.current = current
    return current


async def current_revision(connection: BaseDBAsyncClient) -> int | None:
    """Return the stored budgets revision (None before the first load wrote one)."""
    rows = await connection.execute_query_dict(
        f"SELECT revision FROM pricing_revision WHERE id = {BUDGETS_REVISION_ROW}"  # noqa: S608
    )
    return int(rows[0]["revision"]) if rows else None


async def budgets_changing(connection: BaseDBAsyncClient) -> None:
    """Call first in a transaction that changes budgets (see the module doc)."""
    if dialect_of_connection(connection) is POSTGRES:
        await connection.execute_query("LOCK TABLE api_usage_logs IN SHARE MODE")
    await connection.execute_query(
        "INSERT INTO pricing_revision (id, revision) VALUES "  # noqa: S608
        f"({BUDGETS_REVISION_ROW}, {_new_revision()}) "
        "ON CONFLICT (id) DO UPDATE SET revision = excluded.revision"
    )
    _loaded.current = None


def _new_revision() -> int:
    return secrets.randbits(62) + 1
