"""Before ``serve`` or ``board`` start: a database file that cannot be used, said in one line."""

from __future__ import annotations

import contextlib
import errno
import sqlite3
import tempfile
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Problem:
    """What is wrong with a database file: ``kind`` is ``folder``, ``unreadable``, ``damaged``,
    ``read_only`` or ``unusable``; ``message`` says it in one sentence with what to do."""

    kind: str
    message: str


def database_problem(db: str) -> str | None:
    """What is wrong with the SQLite file ``db`` names, as one sentence with what to do; None
    when it can be used (or does not exist yet, or is not a file)."""
    found = diagnose(db)
    return found.message if found is not None else None


def diagnose(db: str) -> Problem | None:
    """Checks that the file can be read, that it is an SQLite database whose first page opens,
    and that it and its folder can be written (a write-ahead log lives beside it). A read-only
    file that opens is intact: it is never called damaged."""
    path = sqlite_path(db)
    if path is None or not path.exists():
        return None
    if path.is_dir():
        return Problem(
            "folder", f"the database {path} is a folder, not a file: point --db at a file"
        )
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        return Problem(
            "unreadable",
            f"cannot read the database file {path} ({exc.strerror}): fix its permissions",
        )
    if header and (header != SQLITE_HEADER or not opens(path)):
        return Problem("damaged", _damaged(path))
    return _not_writable(path)


def opens(path: Path) -> bool:
    """Whether SQLite reads the file's schema: read-only, and, when its folder cannot hold the
    shared-memory file a read needs, as an immutable file (nothing can be writing it then)."""
    for query in ("mode=ro", "immutable=1"):
        try:
            with contextlib.closing(
                sqlite3.connect(f"{path.resolve().as_uri()}?{query}", uri=True)
            ) as conn:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return True
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc) or "malformed" in str(exc):
                return False
    return False


def _damaged(path: Path) -> str:
    return (
        f"the database file {path} is damaged or not an SQLite database: restore a backup "
        "(halcrm restore FILE), or move it aside (a new one is made on the next start), or "
        "point --db elsewhere"
    )


def _not_writable(path: Path) -> Problem | None:
    try:
        with path.open("r+b"):
            pass
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as exc:
        where = path if exc.filename in (None, str(path)) else path.parent
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return Problem(
                "read_only",
                f"the database file {path} is read-only ({exc.strerror} on {where}); it is "
                "intact: make it and its folder writable (chmod u+w, or chattr -i), or point "
                "--db at a copy (halcrm export and halcrm backup still read it)",
            )
        return Problem(
            "unusable",
            f"the database file {path} is unusable ({exc.strerror} on {where}): make it and its "
            "folder writable, or point --db at another file",
        )
    return None
