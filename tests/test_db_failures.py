"""Which database failures reach callers as UNAVAILABLE (retry) rather than INTERNAL."""

import asyncpg

from billgraph.services.db_failures import is_unavailable


def test_a_connection_cut_mid_statement_is_retryable() -> None:
    # What asyncpg raised when PostgreSQL's fast shutdown cut a write in flight
    # (seen by benchmarks/load_fault.py): the client may send the same records again.
    cut = asyncpg.InternalClientError(
        "cannot switch to state 15; another operation (2) is in progress"
    )
    assert is_unavailable(cut)
    wrapped = RuntimeError("while committing")
    wrapped.__cause__ = cut
    assert is_unavailable(wrapped)


def test_other_client_errors_stay_bugs() -> None:
    assert not is_unavailable(asyncpg.InternalClientError("unexpected data type"))
    assert not is_unavailable(ValueError("bad"))
