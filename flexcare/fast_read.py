"""One read statement at the cost of one round trip, for the tablets' polls.

A request's first statement on a persistent PostgreSQL connection normally costs two round
trips: Django's health check (`CONN_HEALTH_CHECKS`: a `SELECT 1` on the connection it is
about to reuse) and the statement. On the polls that is most of the database's share of the
call. `read_row` runs the statement straight away and, if the connection turns out to have
died while idle (a restarted or failed-over server), replaces it and runs the read once more:
what the health check would have done, paid only when it is needed. Any other error (a
statement timeout, a cancelled query) is raised as it is. Reads only: a statement that
writes must not run twice.

On PostgreSQL the statement is also prepared: planned once per connection, then executed by
name. The polls' statements are fixed texts run thousands of times on each connection, and
planning one costs the server several times what executing it does. A prepared plan whose
result types a migration changed is refused by the server ("cached plan must not change
result type"): the connection is replaced and the read run again, as for a dead one. Django
leaves prepared statements off for connection poolers in transaction mode (PgBouncer before
1.21 cannot hold them); `DATABASE_PREPARED_STATEMENTS=off` does the same here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import psycopg
from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    InterfaceError,
    NotSupportedError,
    OperationalError,
    connections,
)
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)


def read_row(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    """The first row of a read-only statement, or None."""
    # The connection itself, not django.db.connection: each attribute read through that
    # proxy looks the connection up again.
    db = connections[DEFAULT_DB_ALIAS]
    # Outside a transaction only: a failure inside one loses the transaction, and nothing
    # in it may be run again on another connection.
    repeatable = not db.in_atomic_block and db.get_autocommit()
    if repeatable:
        _skip_health_check(db)
    try:
        return _read(db, sql, params)
    except (InterfaceError, OperationalError, NotSupportedError) as error:
        if not repeatable or not _replaceable(db, error):
            raise
        logger.info("Database connection replaced and the read run again: %s",
                    type(error.__cause__ or error).__name__)
        db.close()
        return _read(db, sql, params)


def _skip_health_check(db: Any) -> None:  # Any: django-stubs lack the health check's attributes
    """Mark this request's health check done: the statement stands in for it."""
    if db.connection is not None and db.health_check_enabled:
        db.health_check_done = True


def _replaceable(db: BaseDatabaseWrapper, error: Exception) -> bool:
    """The connection died (what the health check finds), or holds a prepared plan the
    schema has outgrown."""
    raw = db.connection
    if raw is None or raw.closed or getattr(raw, "broken", False):
        return True
    return isinstance(error.__cause__, psycopg.errors.FeatureNotSupported)


def _read(db: BaseDatabaseWrapper, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    if db.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    db.close_if_health_check_failed()  # as db.cursor() does; nothing once it is done
    db.ensure_connection()
    raw = db.connection
    # Wrapped as Django wraps its own cursors: errors become Django's, the query is counted
    # and logged (assertNumQueries, DEBUG) like any other.
    wrapped = db.make_debug_cursor if db.queries_logged else db.make_cursor
    with wrapped(_PreparingCursor(raw)) as cursor:  # type: ignore[arg-type]  # stubs: a raw cursor is what it wraps
        # Django keeps psycopg's preparing off (threshold None). On for this statement only:
        # with a threshold set, psycopg would keep count of every other query too.
        raw.prepare_threshold = _ONLY_WHEN_ASKED
        try:
            cursor.execute(sql, params)
        finally:
            raw.prepare_threshold = None
        return cursor.fetchone()


_ONLY_WHEN_ASKED = 2**31 - 1


class _PreparingCursor(psycopg.Cursor[Any]):
    """A cursor that binds on the server and prepares every statement it executes."""

    def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None,
                binary: bool | None = None) -> _PreparingCursor:
        super().execute(query, params, prepare=True, binary=binary)
        return self

    def _send_query_prepared(self, name: bytes, pgq: Any, *, binary: bool | None = None) -> None:
        # psycopg (3.3) leaves the cursor's query unset when it runs a statement already
        # prepared, and Django's query log reads the statement from there: without this the
        # log (DEBUG, assertNumQueries' report) would show the polls' statements as None.
        self._query = pgq
        super()._send_query_prepared(name, pgq, binary=binary)
