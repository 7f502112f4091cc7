"""PostgreSQL write transactions in psycopg's pipeline mode, what they have in flight, and lost
connections and races told apart.

A widget write waits for the database only where its next step needs an answer. The connection
is in autocommit mode and the transaction is ours: ``BEGIN`` is queued and leaves with the
first statement; statements nobody reads an answer of (UPDATEs, audit rows, events) are
queued too and leave with the next one that needs an answer; reads the call will make later
are sent ahead with it (``Tx.ahead``); the ``COMMIT`` leaves with whatever is left, in the
last flight (db/writer.py). A failed statement's error is raised at the next flight, and the
transaction is rolled back whole. ``InFlight`` keeps the cursors whose answers are read later.

No pool ping: a connection that turns out dead before the ``COMMIT`` was sent wrote nothing,
so the caller runs the call again on a new connection (``is_lost_connection``).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from halcrm.db.project_cache import ProjectCache
from halcrm.domain.errors import UnknownProject

# SQLSTATE classes that say the connection, not the statement, failed.
_LOST_CLASSES = ("08", "57P")


class Pipeline:
    """psycopg's pipeline of one connection, ended once."""

    def __init__(self, pg: Any) -> None:
        self._scope = pg.pipeline()
        self._pipeline = self._scope.__enter__()
        self.open = True

    def sync(self) -> None:
        """Sends what is queued and waits for every answer so far."""
        self._pipeline.sync()

    def end(self) -> None:
        """``sync``, and later statements run one at a time (an error so far is raised)."""
        if self.open:
            self.open = False
            self._scope.__exit__(None, None, None)


@contextlib.contextmanager
def pipelined_write(engine: Engine) -> Iterator[tuple[Connection, Pipeline, Any]]:
    """A connection in a transaction begun in pipeline mode: ``(conn, pipeline, psycopg
    connection)``. The body sends ``COMMIT`` and ends the pipeline; on an error the
    transaction is rolled back (a lost connection is dropped from the pool instead)."""
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        pg: Any = conn.connection.dbapi_connection
        # SQLAlchemy's own transaction sends nothing in autocommit mode; it keeps an ORM
        # Session to SAVEPOINTs inside ours, and its end (COMMIT or ROLLBACK) is sent by
        # psycopg only while the server is still in a transaction.
        trans = conn.begin()
        pipeline = Pipeline(pg)
        try:
            pg.execute("BEGIN")
            yield conn, pipeline, pg
        except BaseException:
            with contextlib.suppress(Exception):
                pipeline.end()
            if pg.broken or pg.closed:
                drop_lost(engine, conn)
            else:
                with contextlib.suppress(Exception):
                    trans.rollback()
            raise
        trans.commit()
    finally:
        conn.close()


def drop_lost(engine: Engine, conn: Connection) -> None:
    """A lost connection usually means all were (a restarted server): the pool starts over."""
    conn.invalidate()
    engine.dispose(close=False)


def is_lost_connection(exc: BaseException) -> bool:
    """Whether ``exc`` says the connection broke (not that a statement was refused)."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    import psycopg  # only PostgreSQL writes fail this way, and rarely

    if not isinstance(orig, psycopg.OperationalError):
        return False
    sqlstate = getattr(orig, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith(_LOST_CLASSES)


class StaleSnapshot(Exception):
    """A call used a kept project snapshot that a commit made old: it runs again."""


Key = tuple[int, tuple[tuple[str, Any], ...]]


def read_key(stmt: object, params: Mapping[str, Any]) -> Key:
    """A statement built once and its parameters (plain values): a read sent ahead is found
    by it."""
    return id(stmt), tuple(sorted(params.items()))


class InFlight:
    """What a pipelined call sent whose answers it reads later, each on a cursor of its own:
    the kept snapshots' generations, its events' keys, and reads sent ahead of their use."""

    def __init__(self) -> None:
        # (cursor, project id, generation the kept snapshot has) for each snapshot trusted.
        self.checks: list[tuple[Any, str, int]] = []
        # The cursors of the events' INSERTs (each answers its row's key).
        self.events: list[Any] = []
        # Reads sent ahead: (prepared statement, cursor) by ``read_key``.
        self.ahead: dict[Key, tuple[Any, Any]] = {}

    def take(self, stmt: object, params: Mapping[str, Any]) -> tuple[Any, Any] | None:
        """The read of ``stmt`` with ``params`` sent ahead, once (a later one runs afresh)."""
        if not self.ahead:
            return None
        try:
            return self.ahead.pop(read_key(stmt, params), None)
        except TypeError:  # a JSON value among the parameters: no read sent ahead has one
            return None

    def event_keys(self) -> list[int]:
        return [int(cursor.fetchone()[0]) for cursor in self.events]

    def check_snapshots(self, cache: ProjectCache) -> None:
        """Raises ``StaleSnapshot`` (the call runs again) if a project changed since the
        snapshot the call used was kept; reads answers already received when it can."""
        checks, self.checks = self.checks, []
        for cursor, project_id, generation in checks:
            row = cursor.fetchone()
            if row is None:
                raise UnknownProject(f"no project with id {project_id!r}")
            if row[1] != generation:
                cache.forget(project_id)
                raise StaleSnapshot(project_id)

    def refused_on_stale(self, cache: ProjectCache) -> bool:
        """After the call failed: whether a kept snapshot it used was old (a stage renamed
        since, a snapshot of a rolled-back change), so the failure may be the snapshot's."""
        try:
            self.check_snapshots(cache)
        except StaleSnapshot:
            return True
        except Exception:  # the statements failed: the call's own error is the answer
            return False
        return False


# PostgreSQL: unique violation, serialization failure, deadlock.
RETRY_SQLSTATES = {"23505", "40001", "40P01"}


def is_race(exc: BaseException) -> bool:
    """Whether a failed statement lost a race with another writer and should run again.

    Hot paths run statements on the DBAPI cursor, so the driver's own exceptions arrive here
    as well as SQLAlchemy's wrappers of them.
    """
    if isinstance(exc, StaleSnapshot):
        return True
    orig = getattr(exc, "orig", None) if isinstance(exc, DBAPIError) else exc
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if sqlstate is not None:
        return sqlstate in RETRY_SQLSTATES
    if isinstance(orig, sqlite3.IntegrityError):
        return "UNIQUE constraint failed" in str(orig)
    if isinstance(orig, sqlite3.OperationalError):
        return "database is locked" in str(orig)
    return False
