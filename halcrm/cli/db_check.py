"""Before ``serve`` or ``board`` start: a database file that cannot be used, said in one line."""

from __future__ import annotations

import errno
import sqlite3
import tempfile
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"


def sqlite_path(db: str) -> Path | None:
    """The file behind a ``--db`` value, or None for a server URL (PostgreSQL) or memory."""
    if "://" not in db:
        return Path(db).expanduser()
    scheme, rest = db.split("://", 1)
    if not scheme.startswith("sqlite") or not rest.startswith("/") or rest in ("/", "/:memory:"):
        return None
    return Path(rest[1:].split("?", 1)[0])


def database_problem(db: str) -> str | None:
    """What is wrong with the SQLite file ``db`` names, as one sentence with what to do; None
    when it can be used (or does not exist yet, or is not a file).

    Checks that it can be read, that it is an SQLite database whose first page opens, and that
    it and its folder can be written (a write-ahead log lives beside it).
    """
    path = sqlite_path(db)
    if path is None or not path.exists():
        return None
    if path.is_dir():
        return f"the database {path} is a folder, not a file: point --db at a file"
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        return f"cannot read the database file {path} ({exc.strerror}): fix its permissions"
    if header and header != SQLITE_HEADER:
        return _damaged(path)
    if header:
        try:
            with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as conn:
                conn.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError:
            return _damaged(path)
    return _not_writable(path)


def _damaged(path: Path) -> str:
    return (
        f"the database file {path} is damaged or not an SQLite database: move it aside "
        "(a new one is made on the next start) or restore a backup, or point --db elsewhere"
    )


def _not_writable(path: Path) -> str | None:
    try:
        with path.open("r+b"):
            pass
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as exc:
        where = path if exc.filename in (None, str(path)) else path.parent
        why = "read-only" if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) else "unusable"
        return (
            f"the database file {path} is {why} ({exc.strerror} on {where}): make it and its "
            "folder writable, or point --db at another file"
        )
    return None
