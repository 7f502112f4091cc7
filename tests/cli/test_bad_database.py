"""Bad files at start: `halcrm serve` and `halcrm board` say in one line what is wrong with the
database file and what to do, exit non-zero, and print no traceback."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from halcrm.cli.db_check import database_problem, sqlite_path


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALCRM_")}
    env["HALCRM_DATA_DIR"] = str(tmp_path / "data")
    return env


def _halcrm(*args: str) -> list[str]:
    return [sys.executable, "-m", "halcrm", *args]


def _start(tmp_path: Path, command: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "halcrm", command, "--port", "0", "--db", str(db)],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


def _one_line(done: subprocess.CompletedProcess[str], *words: str) -> str:
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("command", ["serve", "board"])
def test_a_corrupt_database_is_one_line(tmp_path: Path, command: str):
    db = tmp_path / "halcrm.db"
    db.write_bytes(os.urandom(5000))
    line = _one_line(_start(tmp_path, command, db), str(db), "damaged", "move it aside")
    assert line.startswith("halcrm: ")
    # Nothing was done to the file: the user decides what to do with it.
    assert db.stat().st_size == 5000


def test_a_damaged_file_with_an_sqlite_header_is_one_line_too(tmp_path: Path):
    db = tmp_path / "halcrm.db"
    db.write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    _one_line(_start(tmp_path, "serve", db), str(db), "damaged")


def test_a_folder_where_the_file_should_be(tmp_path: Path):
    db = tmp_path / "halcrm.db"
    db.mkdir()
    _one_line(_start(tmp_path, "serve", db), str(db), "folder")


def _immutable(path: Path, on: bool) -> bool:
    if shutil.which("chattr") is None:
        return False
    flag = "+i" if on else "-i"
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


@pytest.mark.parametrize("command", ["serve", "board"])
def test_a_read_only_database_is_one_line(tmp_path: Path, command: str):
    db = tmp_path / "halcrm.db"
    sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.close()
    if os.geteuid() != 0:
        db.chmod(0o444)
    elif not _immutable(db, True):
        pytest.skip("as root, a file is read-only only with chattr +i, which is not available")
    try:
        _one_line(_start(tmp_path, command, db), str(db), "read-only", "writable")
    finally:
        _immutable(db, False)
        db.chmod(0o644)


def test_an_unreadable_database_is_named(tmp_path: Path):
    db = tmp_path / "halcrm.db"
    db.write_bytes(b"")
    db.chmod(0)
    try:
        problem = database_problem(str(db))
        if os.geteuid() == 0:
            assert problem is None  # root reads any file; an empty one is a new database
        else:
            assert problem is not None
            assert "cannot read" in problem
    finally:
        db.chmod(0o644)


def test_a_server_that_refuses_is_one_line(tmp_path: Path):
    done = subprocess.run(
        [*_halcrm("serve", "--port", "0"), "--db", "postgresql://postgres@127.0.0.1:1/none"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    _one_line(done, "database", "failed")


def test_good_and_missing_files_pass(tmp_path: Path):
    assert database_problem(str(tmp_path / "new.db")) is None
    good = tmp_path / "good.db"
    sqlite3.connect(good).execute("CREATE TABLE t (x)").connection.close()
    assert database_problem(str(good)) is None
    assert database_problem(f"sqlite:///{good}") is None
    assert sqlite_path("postgresql+asyncpg://h/db") is None
    assert sqlite_path(f"sqlite+pysqlite:///{good}") == good
