"""Engine set-up: database URLs, SQLite pragmas and write transactions that take the lock early.

The services run their SQL on worker threads with SQLAlchemy's synchronous engine (the stdlib
sqlite3 driver, psycopg for PostgreSQL): measured here, a statement through the asyncio bridge
costs several times a direct one, and a write is mostly per-statement overhead. The asyncio side
only waits on futures (see db/writer.py).
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from halcrm.db.folded import SQLITE_FOLD, fold_value

log = logging.getLogger(__name__)

# Connections used for writes carry this execution option; on SQLite they BEGIN IMMEDIATE so a
# transaction never upgrades a read lock mid-way (which fails with "database is locked").
WRITE_OPTION = "halcrm_write"
SQLITE_BUSY_TIMEOUT_MS = 30_000
WAL_SIZE_LIMIT = 64 * 1024 * 1024

_DRIVERS = {
    "postgresql+asyncpg": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "sqlite+aiosqlite": "sqlite+pysqlite",
    "sqlite": "sqlite+pysqlite",
}


def database_url(db: str) -> str:
    """Turns a ``--db`` value (a file path or a SQLAlchemy URL) into the URL halcrm drives.

    ``postgresql+asyncpg://`` and ``sqlite+aiosqlite://`` URLs are accepted as given by users and
    mapped to the synchronous drivers the worker threads use.
    """
    if "://" in db:
        scheme, rest = db.split("://", 1)
        return f"{_DRIVERS.get(scheme, scheme)}://{rest}"
    path = Path(db).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite+pysqlite:///{path}"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(url: str, **kwargs: Any) -> Engine:
    """Creates the engine; SQLite connections get WAL, a busy timeout and foreign keys."""
    url = database_url(url) if "://" in url else url
    if is_sqlite(url):
        # Pooled connections move between the writer and reader threads.
        kwargs.setdefault("connect_args", {"check_same_thread": False})
        kwargs.setdefault("pool_size", 8)
        # Most recently returned first: the one writer thread gets the connection it used last,
        # whose PRAGMA data_version it has already read (db/events.py catch_up_others), so a
        # batch reads other processes' events only when there are some.
        kwargs.setdefault("pool_use_lifo", True)
        kwargs.setdefault("json_deserializer", stored_json)
        engine = sa_create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    # No ping per checkout (a round trip per call): a write on a connection found dead before
    # its COMMIT runs again on a new one (db/pipeline.py), and so does a read (db/writer.py).
    return sa_create_engine(url, **kwargs)


_UNWRITABLE = re.compile("[\x00\ud800-\udfff]")


def stored_json(text: str) -> Any:
    """A JSON column as SQLite holds it. An older version could store a lone surrogate escape
    (``"\\ud800"``) that no response or export can write out, or a NUL that PostgreSQL and
    the API refuse (the API and the import refuse both now): each is read as U+FFFD, with a
    warning, so a read never fails and an export imports back."""
    value = json.loads(text)
    if "\\ud" in text or "\\uD" in text or "\\u0000" in text:
        mended = _mend(value)
        if mended != value:
            log.warning(
                "a stored JSON value held a lone surrogate or NUL (written by an older version); "
                "read with U+FFFD in its place: %s",
                json.dumps(mended, ensure_ascii=False)[:120],
            )
            return mended
    return value


def _mend(value: Any) -> Any:
    if isinstance(value, str):
        return _UNWRITABLE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_mend(k): _mend(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mend(v) for v in value]
    return value


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own implicit BEGIN is turned off; _on_begin emits ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # NORMAL in WAL mode loses nothing when the process dies; only a power cut could.
        cursor.execute("PRAGMA synchronous=NORMAL")
        # A checkpoint fsyncs the database file: inside a commit it stalled a widget call for
        # up to a second. db/writer.py checkpoints on a thread of its own instead.
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        # After a checkpoint restarts the log, a file grown past this is cut back.
        cursor.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
        cursor.close()
        # Searches fold text as the board does (db/folded.py).
        dbapi_connection.create_function(SQLITE_FOLD, 1, fold_value, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION)
        statement = "BEGIN IMMEDIATE" if write else "BEGIN"
        # On the driver: SQLAlchemy's run of a statement (its context, its events) cost a
        # group commit more than the BEGIN itself. Its error is wrapped as SQLAlchemy would.
        try:
            conn.connection.dbapi_connection.execute(statement)  # type: ignore[union-attr]
        except sqlite3.Error as error:
            raise DBAPIError.instance(statement, None, error, sqlite3.Error) from error
