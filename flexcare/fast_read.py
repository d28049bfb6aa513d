"""One read statement at the cost of one round trip, for the tablets' polls.

A request's first statement on a persistent PostgreSQL connection normally costs two round
trips: Django's health check (`CONN_HEALTH_CHECKS`: a `SELECT 1` on the connection it is
about to reuse) and the statement. On the polls that is most of the database's share of the
call. `read_row` runs the statement straight away and, if the reused connection turns out to
have died while idle (a restarted or failed-over server), replaces it and runs the read once
more: what the health check would have done, paid only when it is needed. Reads only: a
statement that writes must not run twice.

On PostgreSQL the statement is also prepared: planned once per connection, then executed by
name. The polls' statements are fixed texts run thousands of times on each connection, and
planning one costs the server several times what executing it does. Django leaves prepared
statements off for connection poolers in transaction mode (PgBouncer before 1.21 cannot hold
them); `DATABASE_PREPARED_STATEMENTS=off` does the same here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper


def read_row(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    """The first row of a read-only statement, or None."""
    # The connection itself, not django.db.connection: each attribute read through that
    # proxy looks the connection up again.
    db = connections[DEFAULT_DB_ALIAS]
    retry = _skip_health_check(db)
    try:
        return _read(db, sql, params)
    except (InterfaceError, OperationalError):
        if not retry:
            raise
        # The connection reused without a health check had died: open a new one, as the
        # health check would have, and read again (a read is safe to repeat).
        db.close()
        return _read(db, sql, params)


def _skip_health_check(db: Any) -> bool:  # Any: django-stubs lack the health check's attributes
    """Mark this request's health check done when the statement can stand in for it: on a
    connection kept from an earlier request, outside a transaction (a failure inside one
    loses the transaction, and nothing in it may be retried)."""
    if (db.connection is None or not db.health_check_enabled or db.health_check_done
            or db.in_atomic_block):
        return False
    db.health_check_done = True
    return True


def _read(db: BaseDatabaseWrapper, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    if db.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    db.ensure_connection()
    raw = db.connection
    if raw.prepare_threshold is None:
        # Django turns psycopg's preparing off. Its own cursors bind on the client side and
        # never prepare whatever the threshold; of the rest, only explicit requests (below)
        # reach a threshold this high.
        raw.prepare_threshold = _ONLY_WHEN_ASKED
    # Wrapped as Django wraps its own cursors: errors become Django's, the query is counted
    # and logged (assertNumQueries, DEBUG) like any other.
    wrapped = db.make_debug_cursor if db.queries_logged else db.make_cursor
    with wrapped(_PreparingCursor(raw)) as cursor:  # type: ignore[arg-type]  # stubs: a raw cursor is what it wraps
        cursor.execute(sql, params)
        return cursor.fetchone()


_ONLY_WHEN_ASKED = 2**31 - 1


class _PreparingCursor(psycopg.Cursor[Any]):
    """A cursor that binds on the server and prepares every statement it executes."""

    def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None,
                binary: bool | None = None) -> _PreparingCursor:
        super().execute(query, params, prepare=True, binary=binary)
        return self
