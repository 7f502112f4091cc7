"""kill -9 in the middle of ``halcrm import`` leaves nothing of it (or all of it), both backends."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import os
import signal
import sqlite3
import sys
from pathlib import Path

import psycopg

from halcrm.runtime import open_runtime
from halcrm.settings import Settings

ROWS = 40_000


def _big_file(path: Path) -> Path:
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["Company name", "Company Domain Name", "Amount", "Deal Stage", "Email"])
        for n in range(ROWS):
            out.writerow(
                [f"Company {n}", f"c{n}.example", f"{n}.50", "Qualified", f"p{n}@c{n}.example"]
            )
    return path


async def _writing(db_url: str, tmp_path: Path) -> bool:
    """Whether the import's write transaction has started writing (and not committed)."""
    if "://" not in db_url:
        wal = tmp_path / "halcrm.db-wal"
        return wal.exists() and wal.stat().st_size > 512 * 1024
    dsn = "postgresql://" + db_url.split("://", 1)[1]
    name = db_url.rpartition("/")[2]
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        row = await (
            await conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()",
                (name,),
            )
        ).fetchone()
    return bool(row and row[0])


async def _counts(settings: Settings) -> tuple[int, int, int]:
    runtime = await open_runtime(settings)
    try:
        companies = len((await runtime.services.companies.all(limit=200)).items)
        contacts = len((await runtime.services.contacts.all(limit=200)).items)
        imported = sum(
            1 for a in (await runtime.services.activity.recent()).items if a.kind == "imported"
        )
    finally:
        await runtime.close()
    return companies, contacts, imported


async def test_kill_9_mid_import_leaves_nothing(db_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", db=db_url)
    await (await open_runtime(settings)).close()  # migrated before the import starts
    source = _big_file(tmp_path / "big.csv")
    env = {**os.environ, "HALCRM_DATA_DIR": str(tmp_path / "data"), "HALCRM_DB": db_url}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "halcrm", "import", str(source), env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        async with asyncio.timeout(120):
            while not await _writing(db_url, tmp_path):
                assert proc.returncode is None, "the import ended before it could be killed"
                await asyncio.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert await _counts(settings) == (0, 0, 0)
    if "://" not in db_url:
        with contextlib.closing(sqlite3.connect(tmp_path / "halcrm.db")) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
