"""SQLite backups (the online backup API: a consistent copy while halcrm serves) and restore.

Every process that opens the database holds a shared ``flock`` on ``<database>.lock`` for as
long as it runs; the kernel drops it when the process ends, however it ends (kill -9 too).
``restore`` takes the lock exclusively, so it refuses while any halcrm process (board, server,
import) holds the file, and no halcrm can start while a restore runs.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from halcrm.domain.errors import Conflict, InvalidRequest

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, restore cannot check
    fcntl = None  # type: ignore[assignment]

PG_HINT = (
    "the database is PostgreSQL: use pg_dump to back it up and pg_restore to restore it "
    "(pg_dump -Fc URL > halcrm.dump; pg_restore --clean -d URL halcrm.dump)"
)
BACKUP_DIR = "backups"
TABLES = ("companies", "contacts", "contact_companies", "stage_changes", "activity")
# What a row of each table is, for the counts a backup prints ("1 company, 2 links").
NOUNS = {
    "companies": "company",
    "contacts": "contact",
    "contact_companies": "link",
    "stage_changes": "stage change",
    "activity": "activity event",
}


class NotSQLite(InvalidRequest):
    code = "not_sqlite"


def sqlite_path(url: str) -> Path:
    """The file behind a ``sqlite+pysqlite:///PATH`` URL; PostgreSQL refuses with the hint."""
    if not url.startswith("sqlite"):
        raise NotSQLite(PG_HINT)
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if not path or path == ":memory:":
        raise NotSQLite("the database is not a file")
    return Path(path)


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


class DatabaseLock:
    """A shared hold on the database file for this process's lifetime (see the module doc)."""

    def __init__(self, database: Path, *, wait: float = 10.0) -> None:
        self._file: IO[bytes] | None = None
        if fcntl is None:
            return
        handle = lock_path(database).open("ab")
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    handle.close()
                    raise Conflict(
                        f"{database} is being restored; try again when it is done"
                    ) from None
                time.sleep(0.1)
        self._file = handle

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


@contextlib.contextmanager
def exclusive(database: Path) -> Iterator[None]:
    """Holds the lock exclusively, or refuses while a halcrm process has the database open."""
    if fcntl is None:
        yield None
        return
    with lock_path(database).open("ab") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict(
                f"halcrm is running on {database} (a board, server or import holds it); "
                "stop it first, then restore",
                code="database_in_use",
            ) from None
        yield None


@dataclass(frozen=True)
class Copy:
    path: Path
    bytes: int
    counts: dict[str, int]


def counts(path: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def backup(database: Path, target: Path) -> Copy:
    """Copies the database with SQLite's online backup API into ``target``.

    One backup step reads one snapshot (WAL: writers carry on meanwhile), so the copy is
    consistent however busy the server is. It is written beside the target and renamed into
    place, so a copy that exists is whole; it is left in rollback-journal mode, one file.
    """
    if not database.exists():
        raise InvalidRequest(f"there is no database at {database}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with (
        contextlib.closing(open_read_only(database)) as source,
        contextlib.closing(sqlite3.connect(partial)) as copy,
    ):
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
    os.replace(partial, target)
    return Copy(target, target.stat().st_size, counts(target))


def open_read_only(database: Path) -> sqlite3.Connection:
    """A read-only connection, so a read-only database can be copied too. A read needs the
    write-ahead log's shared-memory file; where the folder cannot hold one, the file is opened
    as immutable (nothing can be writing a file in a read-only folder)."""
    uri = database.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        conn.close()
        return sqlite3.connect(f"{uri}?immutable=1", uri=True)
    return conn


def check_copy(path: Path) -> None:
    """Refuses a file that is not a whole halcrm database."""
    if not path.is_file():
        raise InvalidRequest(f"there is no backup at {path}")
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise InvalidRequest(f"{path} is not a SQLite database: {exc}") from None
    if result != "ok":
        raise InvalidRequest(f"{path} fails SQLite's integrity check: {result}")
    if not {"alembic_version", *TABLES} <= tables:
        raise InvalidRequest(f"{path} is not a halcrm database")


def kept_name(database: Path, now: datetime) -> Path:
    """Where a restore keeps the database it replaces: ``halcrm.db.before-restore-<UTC time>``,
    a new name each time, so an earlier restore's kept file is never overwritten."""
    base = f"{database.name}.before-restore-{now:%Y%m%d-%H%M%S}"
    kept, n = database.with_name(base), 2
    while kept.exists():
        kept, n = database.with_name(f"{base}-{n}"), n + 1
    return kept


def restore(database: Path, copy: Path) -> Path | None:
    """Replaces the database with ``copy`` (checked first); the database it replaces is kept
    beside it (``kept_name``). Refuses while halcrm holds the database.

    Returns:
        Where the replaced database was kept (None when there was none).
    """
    check_copy(copy)
    with exclusive(database):
        staged = database.with_name(database.name + ".restoring")
        staged.unlink(missing_ok=True)
        with (
            contextlib.closing(sqlite3.connect(f"file:{copy}?mode=ro", uri=True)) as source,
            contextlib.closing(sqlite3.connect(staged)) as target,
        ):
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
        kept = None
        if database.exists():
            # Folds the old database's log into it, so the kept file is whole on its own.
            with contextlib.closing(sqlite3.connect(database)) as old:
                old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                old.execute("PRAGMA journal_mode=DELETE")
            kept = kept_name(database, datetime.now(UTC))
            os.replace(database, kept)
        for suffix in ("-wal", "-shm"):
            database.with_name(database.name + suffix).unlink(missing_ok=True)
        os.replace(staged, database)
    return kept


def daily_name(day: datetime) -> str:
    return f"daily-{day:%Y-%m-%d}.db"


def prune(folder: Path, keep_days: int, today: datetime) -> list[Path]:
    """Deletes daily backups older than ``keep_days`` (by the date in their names)."""
    removed = []
    for path in sorted(folder.glob("daily-*.db")):
        try:
            day = datetime.strptime(path.name, "daily-%Y-%m-%d.db").replace(tzinfo=today.tzinfo)
        except ValueError:
            continue
        if (today.date() - day.date()).days >= keep_days:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
