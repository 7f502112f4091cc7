"""Backups taken under widget load, restore refused while halcrm holds the file, daily backups."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from halcrm.cli.main import main
from halcrm.domain.errors import Conflict
from halcrm.runtime import open_runtime
from halcrm.services.crm.transfer import backup, daily
from halcrm.services.widget.inputs import Identify
from halcrm.settings import Settings
from tests.services.transfer.helpers import dump

HALCRM = [sys.executable, "-m", "halcrm"]


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", db=str(tmp_path / "halcrm.db"))


def _count(path: Path, sql: str) -> int:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return int(conn.execute(sql).fetchone()[0])


async def test_backup_under_widget_load_is_consistent(tmp_path: Path) -> None:
    runtime = await open_runtime(_settings(tmp_path))
    services = runtime.services
    stop = asyncio.Event()

    async def load(worker: int) -> int:
        n = 0
        while not stop.is_set():
            email = f"w{worker}-{n}@gmail.com"
            await services.widget.identify(
                Identify(app_id="local", visitor_id=f"v{worker}-{n}", email=email)
            )
            n += 1
        return n

    workers = [asyncio.create_task(load(w)) for w in range(8)]
    copies: list[Path] = []
    try:
        while len(copies) < 3:
            await asyncio.sleep(0)  # let the load start before each copy
            target = tmp_path / f"copy{len(copies)}.db"
            # The CLI in a process of its own, as a user runs it beside the server.
            proc = await asyncio.create_subprocess_exec(
                *HALCRM, "backup", str(target), "--db", str(tmp_path / "halcrm.db"),
                env={**os.environ, "HALCRM_DATA_DIR": str(tmp_path / "data")},
                stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
            out, _ = await proc.communicate()
            assert proc.returncode == 0
            assert b"backup written to" in out
            copies.append(target)
    finally:
        stop.set()
        made = sum(await asyncio.gather(*workers))
        await runtime.close()
    assert made > 0
    for copy in copies:
        assert (
            _count(copy, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'")
            == 1
        )
        # Each identify wrote a visitor, a contact, its placeholder and its activity row in one
        # transaction: a copy that caught one half-way would disagree.
        visitors = _count(copy, "SELECT count(*) FROM visitors")
        assert _count(copy, "SELECT count(*) FROM contacts") == visitors
        assert _count(copy, "SELECT count(*) FROM companies WHERE is_placeholder") == visitors
        assert _count(copy, "SELECT count(*) FROM activity WHERE kind = 'identify'") == visitors
    assert _count(copies[-1], "SELECT count(*) FROM visitors") >= _count(
        copies[0], "SELECT count(*) FROM visitors"
    )


async def test_restore_refuses_while_halcrm_holds_the_database(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    database = tmp_path / "halcrm.db"
    runtime = await open_runtime(settings)
    await runtime.services.widget.identify(
        Identify(app_id="local", visitor_id="v1", email="a@gmail.com")
    )
    copy = backup.backup(database, tmp_path / "copy.db").path
    await runtime.services.widget.identify(
        Identify(app_id="local", visitor_id="v2", email="b@gmail.com")
    )
    before = dump(runtime.services)
    with pytest.raises(Conflict) as refused:
        backup.restore(database, copy)
    assert refused.value.code == "database_in_use"
    assert main(["restore", str(copy), "--db", str(database)]) == 2
    assert dump(runtime.services) == before
    await runtime.close()

    assert main(["restore", str(copy), "--db", str(database)]) == 0
    assert _count(database, "SELECT count(*) FROM visitors") == 1
    (kept,) = _kept(tmp_path)
    assert _count(kept, "SELECT count(*) FROM visitors") == 2
    reopened = await open_runtime(settings)
    assert len((await reopened.services.contacts.all()).items) == 1
    await reopened.close()


def _kept(folder: Path) -> list[Path]:
    return sorted(folder.glob("halcrm.db.before-restore-*"))


async def test_a_second_restore_keeps_the_first_ones_kept_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "halcrm.db"
    runtime = await open_runtime(_settings(tmp_path))
    one = backup.backup(database, tmp_path / "one.db").path  # no visitor
    await runtime.services.widget.identify(
        Identify(app_id="local", visitor_id="v1", email="a@gmail.com")
    )
    two = backup.backup(database, tmp_path / "two.db").path  # one visitor
    await runtime.services.widget.identify(
        Identify(app_id="local", visitor_id="v2", email="b@gmail.com")
    )
    await runtime.close()

    # Both restores within one second: the second name must still be a new one.
    assert main(["restore", str(two), "--db", str(database)]) == 0
    first = _kept(tmp_path)
    assert len(first) == 1
    assert f"the database it replaced is kept as {first[0]}" in capsys.readouterr().out
    assert main(["restore", str(one), "--db", str(database)]) == 0
    out = capsys.readouterr().out
    second = [path for path in _kept(tmp_path) if path not in first]
    assert len(second) == 1
    assert f"the database it replaced is kept as {second[0]}" in out
    # The first restore's kept file (two visitors) is still there, next to the second's (one).
    assert _count(first[0], "SELECT count(*) FROM visitors") == 2
    assert _count(second[0], "SELECT count(*) FROM visitors") == 1
    assert _count(database, "SELECT count(*) FROM visitors") == 0


def test_a_restore_onto_no_database_says_nothing_was_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = tmp_path / "made.db"
    asyncio.run(_close(made, tmp_path))
    copy = backup.backup(made, tmp_path / "copy.db").path
    database = tmp_path / "empty" / "halcrm.db"
    database.parent.mkdir()
    assert backup.restore(database, copy) is None
    assert main(["restore", str(copy), "--db", str(tmp_path / "new.db")]) == 0
    assert "there was no database there before" in capsys.readouterr().out
    assert not list(tmp_path.glob("new.db.before-restore*"))


async def _close(path: Path, tmp_path: Path) -> None:
    runtime = await open_runtime(Settings(data_dir=tmp_path / "made", db=str(path)))
    await runtime.close()


async def test_restore_refuses_while_a_server_process_serves(tmp_path: Path) -> None:
    database = tmp_path / "halcrm.db"
    env = {**os.environ, "HALCRM_DATA_DIR": str(tmp_path / "data"), "HALCRM_DB": str(database)}
    server = await asyncio.create_subprocess_exec(
        *HALCRM, "serve", "--port", "0", env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        assert server.stderr is not None
        async with asyncio.timeout(30):
            while b"halcrm serving" not in await server.stderr.readline():
                pass
        copy = backup.backup(database, tmp_path / "copy.db").path
        refused = await asyncio.create_subprocess_exec(
            *HALCRM, "restore", str(copy), env=env, stderr=asyncio.subprocess.PIPE
        )
        _, err = await refused.communicate()
        assert refused.returncode == 2
        assert b"halcrm is running on" in err
        assert not _kept(tmp_path)
    finally:
        server.send_signal(signal.SIGTERM)
        await server.wait()
    restored = await asyncio.create_subprocess_exec(*HALCRM, "restore", str(copy), env=env)
    assert await restored.wait() == 0


def test_restore_refuses_a_file_that_is_not_a_halcrm_database(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    database = tmp_path / "halcrm.db"
    assert main(["restore", str(junk), "--db", str(database)]) == 2
    assert main(["restore", str(tmp_path / "missing.db"), "--db", str(database)]) == 2
    assert not database.exists()


def test_postgresql_points_to_pg_dump(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    assert main(["backup", "--db", url]) == 2
    assert main(["restore", "x.dump", "--db", url]) == 2
    err = capsys.readouterr().err
    assert err.count("use pg_dump") == 2


async def test_daily_backups_are_kept_for_the_configured_days(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    runtime = await open_runtime(settings)
    database = tmp_path / "halcrm.db"
    folder = tmp_path / "data" / "backups"
    folder.mkdir(parents=True)
    for day in ("2026-11-20", "2026-11-24", "2026-11-25", "not-a-date"):
        (folder / f"daily-{day}.db").write_bytes(b"")
    now = datetime(2026, 12, 1, 3, tzinfo=UTC)
    made = daily.daily_backup(database, folder, 7, now)
    assert made == folder / "daily-2026-12-01.db"
    assert daily.daily_backup(database, folder, 7, now) is None  # one a day
    assert sorted(p.name for p in folder.iterdir()) == [
        "daily-2026-11-25.db",
        "daily-2026-12-01.db",
        "daily-not-a-date.db",
    ]
    await runtime.close()


async def test_the_server_task_takes_the_daily_backup(tmp_path: Path) -> None:
    database = tmp_path / "halcrm.db"
    runtime = await open_runtime(_settings(tmp_path))
    url = f"sqlite+pysqlite:///{database}"
    off = daily.start(url, tmp_path / "off", 0, first_delay=0)
    assert off.task is None
    await off.close()
    running = daily.start(url, tmp_path / "data", 7, first_delay=0)
    folder = tmp_path / "data" / "backups"
    async with asyncio.timeout(30):
        while not list(folder.glob("daily-*.db")):  # noqa: ASYNC110 (a file, not an event)
            await asyncio.sleep(0.05)
    await running.close()
    await runtime.close()
    assert Settings.from_env({"HALCRM_BACKUP_DAYS": "0"}).backup_days == 0
    assert Settings.from_env({}).backup_days == 7


async def test_a_board_or_server_takes_todays_backup_at_start(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "backups"
    quick = await open_runtime(_settings(tmp_path))  # a command's runtime: none at start
    await asyncio.sleep(0.3)
    await quick.close()
    assert not list(folder.glob("daily-*.db"))
    serving = await open_runtime(_settings(tmp_path), serving=True)
    try:
        async with asyncio.timeout(10):
            while not list(folder.glob("daily-*.db")):  # noqa: ASYNC110 (a file, not an event)
                await asyncio.sleep(0.02)
    finally:
        await serving.close()
    [made] = folder.glob("daily-*.db")
    assert made.name == daily.daily_name(datetime.now(UTC))
