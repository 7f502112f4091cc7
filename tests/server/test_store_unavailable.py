"""A store that cannot take writes: widget and account writes answer 503, nothing is written,
and the log gets one line (no traceback per call)."""

from __future__ import annotations

import asyncio
import logging
import shutil
import sqlite3
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy

from halcrm.runtime import Runtime
from halcrm.settings import Settings
from tests.conftest import _admin
from tests.server.helpers import call

IDENTIFY = "/api/widget/identify"


def _chattr(flag: str, *paths: Path) -> bool:
    if shutil.which("chattr") is None:
        return False
    done = subprocess.run(["chattr", flag, *map(str, paths)], capture_output=True, check=False)
    return done.returncode == 0


def _reopen(runtime: Runtime, writable: bool) -> None:
    """Every connection closes and opens again, the event follower's too: while one stays open
    in a transaction (the WAL checkpointer's, every half second), SQLite keeps the closed ones'
    writable descriptors for the next to open. So close again until a new connection can write
    exactly when the file can."""
    db = runtime.services.db
    if db.follower is not None:
        db.follower.close()
        db.follower = None
    for _ in range(100):
        runtime.engine.dispose()
        if _can_write(runtime) == writable:
            break
        time.sleep(0.02)
    runtime.engine.dispose()
    db.follow(asyncio.get_running_loop())


def _can_write(runtime: Runtime) -> bool:
    raw = runtime.engine.raw_connection()
    try:
        raw.driver_connection.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
        raw.driver_connection.execute("ROLLBACK")  # type: ignore[union-attr]
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        raw.close()


@pytest.fixture
async def read_only(runtime: Runtime, settings: Settings) -> AsyncIterator[None]:
    """Makes the running server's store refuse writes, the way an operator or a full disk would.

    SQLite: the database file made immutable (``chattr +i``, as root); the pool's connections
    are reopened, as after any idle recycle, and so open it read-only. PostgreSQL: the database
    set read-only and its sessions ended (an admin shutdown of each connection).
    """
    if settings.db.startswith("postgresql"):
        name = settings.db.rsplit("/", 1)[1]
        await _admin(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        await _admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        )
        yield
        await _admin(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off')
        return
    path = Path(settings.db)
    if not _chattr("+i", path):
        pytest.skip("chattr +i is not available here (needs root and a file system with it)")
    _reopen(runtime, writable=False)
    try:
        yield
    finally:
        _chattr("-i", path)


async def test_writes_answer_503_and_write_nothing(
    client, widget, auth, services, runtime, read_only, caplog
):
    caplog.set_level(logging.INFO, logger="halcrm")
    for n in range(5):
        answer = await client.post(IDENTIFY, json=widget(f"v{n}", email=f"u{n}@corp.io"))
        assert answer.status_code == 503, answer.text
        assert answer.json()["error"] == "unavailable"
        assert answer.json()["detail"]
    answer = await client.post("/api/companies", json={"name": "Acme"}, headers=auth)
    assert answer.status_code == 503, answer.text
    answer = await client.post("/api/widget/set-properties", json=widget("v9", properties={"a": 1}))
    assert answer.status_code == 503, answer.text
    # Reads still work, and show that nothing was written.
    listed = await client.get("/api/contacts", headers=auth)
    assert listed.status_code == 200, listed.text
    assert listed.json()["items"] == []
    assert (await client.get("/api/companies", headers=auth)).json()["items"] == []
    mine = [r for r in caplog.records if r.name == "halcrm.server"]
    assert len(mine) == 1, [r.getMessage() for r in mine]
    assert "store unavailable" in mine[0].getMessage()
    assert mine[0].exc_info is None
    assert not any(r.exc_info for r in caplog.records if r.levelno >= logging.ERROR)


async def test_the_store_serves_again_once_writable(client, widget, settings, runtime):
    await call(client, IDENTIFY, widget("v0", email="u0@corp.io"))
    if settings.db.startswith("postgresql"):
        return
    path = Path(settings.db)
    if not _chattr("+i", path):
        pytest.skip("chattr +i is not available here")
    try:
        _reopen(runtime, writable=False)
        answer = await client.post(IDENTIFY, json=widget("v1", email="u1@corp.io"))
        assert answer.status_code == 503
    finally:
        _chattr("-i", path)
    _reopen(runtime, writable=True)
    await call(client, IDENTIFY, widget("v1", email="u1@corp.io"))


def test_driver_errors_map_to_reasons():

    import psycopg

    from halcrm.server.errors import unavailable_reason

    full = sqlalchemy.exc.OperationalError(
        "INSERT", {}, sqlite3.OperationalError("database or disk is full")
    )
    assert unavailable_reason(full) == "the disk is full"
    assert unavailable_reason(sqlite3.IntegrityError("UNIQUE constraint failed")) is None
    assert unavailable_reason(psycopg.OperationalError("connection refused")) is not None
    assert unavailable_reason(ValueError("x")) is None
