"""`halcrm import`, `export` and `backup` on read-only and corrupt databases, and into a closed
pipe: one line each, never a traceback; a read-only database is intact and can be read."""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


def _env(tmp_path: Path, db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALCRM_")}
    env.update(HALCRM_DATA_DIR=str(tmp_path / "data"), HALCRM_DB=str(db))
    return env


def _halcrm(tmp_path: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "halcrm", *args],
        env=_env(tmp_path, db), capture_output=True, text=True, timeout=120, check=False,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


def _one_line(done: subprocess.CompletedProcess[str], *words: str) -> str:
    assert done.returncode != 0, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def _companies_csv(path: Path, rows: int) -> Path:
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["name", "domain", "industry"])
        out.writerows([f"Company {n}", f"c{n}.example", "Retail"] for n in range(rows))
    return path


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    db = tmp_path / "db" / "halcrm.db"
    db.parent.mkdir()
    done = _halcrm(tmp_path, db, "import", str(_companies_csv(tmp_path / "c.csv", 3000)))
    assert done.returncode == 0, done.stderr
    return db


def _flag(path: Path, on: bool) -> bool:
    if shutil.which("chattr") is None:
        return False
    flag = "+i" if on else "-i"
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


@contextlib.contextmanager
def _read_only(*paths: Path) -> Iterator[None]:
    """The files and folders read-only: chmod for a user, chattr +i for root."""
    try:
        for path in paths:
            if os.geteuid() != 0:
                path.chmod(0o555 if path.is_dir() else 0o444)
            elif not _flag(path, True):
                pytest.skip("as root, a file is read-only only with chattr +i (not available)")
        yield
    finally:
        for path in paths:
            _flag(path, False)
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_a_read_only_database_exports_and_backs_up_but_refuses_an_import(
    tmp_path: Path, filled: Path
) -> None:
    with _read_only(filled, filled.parent):
        done = _halcrm(tmp_path, filled, "export", "companies")
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        assert len(done.stdout.strip().splitlines()) == 3001
        copy = tmp_path / "copy.db"
        done = _halcrm(tmp_path, filled, "backup", str(copy))
        assert done.returncode == 0, done.stderr
        assert "3,000 companies" in done.stdout or "3000 companies" in done.stdout
        line = _one_line(
            _halcrm(tmp_path, filled, "import", str(tmp_path / "c.csv")), "read-only", "intact"
        )
        assert "move it aside" not in line
        assert "damaged" not in line
        # serve says the same, and never calls it damaged.
        serve = _halcrm(tmp_path, filled, "serve", "--port", "0")
        assert "move it aside" not in _one_line(serve, "read-only")
    with contextlib.closing(sqlite3.connect(copy)) as conn:
        assert conn.execute("SELECT count(*) FROM companies").fetchone()[0] == 3000


@pytest.mark.parametrize("command", [["import", "c.csv"], ["export", "companies"], ["backup"]])
def test_a_corrupt_database_is_one_line_for_every_data_command(
    tmp_path: Path, command: list[str]
) -> None:
    db = tmp_path / "halcrm.db"
    db.write_bytes(b"SQLite format 3\x00" + os.urandom(8000))
    _companies_csv(tmp_path / "c.csv", 2)
    args = [str(tmp_path / a) if a.endswith(".csv") else a for a in command]
    _one_line(_halcrm(tmp_path, db, *args), "damaged", "restore a backup")
    assert db.stat().st_size == 8016  # left as it is


def test_an_export_into_a_closed_pipe_ends_quietly(tmp_path: Path, filled: Path) -> None:
    done = subprocess.run(
        f"{sys.executable} -m halcrm export companies | head -1",
        shell=True, env=_env(tmp_path, filled), capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.stdout.startswith("id,name,domain")
    assert done.stderr == ""


def test_a_stored_row_an_older_version_poisoned_exports_with_a_warning(
    tmp_path: Path, filled: Path
) -> None:
    with contextlib.closing(sqlite3.connect(filled)) as conn:
        conn.execute(
            "UPDATE companies SET metadata = ? WHERE name = 'Company 7'", ('{"k":"a\\ud800b"}',)
        )
        conn.commit()
    done = _halcrm(tmp_path, filled, "export", "companies")
    assert done.returncode == 0, done.stderr
    assert "a\ufffdb" in done.stdout
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("halcrm: warning: ")
    assert "lone surrogate" in line
