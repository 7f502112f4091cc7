"""What a running halcrm keeps up beside its database: the restore lock and daily backups."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from pathlib import Path

from halcrm.services.crm.transfer.backup import (
    BACKUP_DIR,
    DatabaseLock,
    NotSQLite,
    backup,
    daily_name,
    prune,
    sqlite_path,
)

log = logging.getLogger(__name__)

# A board or a server takes today's backup at start when it is missing (a founder who opens
# the board for a few minutes a day gets one); other runtimes (api-key, imports, tests) wait
# this long first, so a short-lived command never takes one.
FIRST_DELAY = 300.0
CHECK_EVERY = 3600.0


class Background:
    """Holds the database's lock and runs the daily backup task until closed."""

    def __init__(self, lock: DatabaseLock | None, task: asyncio.Task[None] | None) -> None:
        self.lock = lock
        self.task = task

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        if self.lock is not None:
            self.lock.close()


def daily_backup(database: Path, folder: Path, keep_days: int, now: datetime) -> Path | None:
    """Takes today's backup unless there is one, and prunes those past ``keep_days``."""
    target = folder / daily_name(now)
    made = None
    if not target.exists():
        made = backup(database, target).path
        log.info("daily backup written to %s", made)
    prune(folder, keep_days, now)
    return made


async def _loop(database: Path, folder: Path, keep_days: int, first_delay: float) -> None:
    await asyncio.sleep(first_delay)
    while True:
        try:
            await asyncio.to_thread(daily_backup, database, folder, keep_days, datetime.now(UTC))
        except Exception:  # a full disk must not stop the server; the log says why
            log.exception("the daily backup failed")
        await asyncio.sleep(CHECK_EVERY)


def start(url: str, data_dir: Path, keep_days: int, first_delay: float = FIRST_DELAY) -> Background:
    """For a SQLite database: takes the shared lock and, unless ``keep_days`` is 0, starts
    the daily backups into ``data_dir/backups``. Nothing for PostgreSQL."""
    try:
        database = sqlite_path(url)
    except NotSQLite:
        return Background(None, None)
    lock = DatabaseLock(database)
    task = None
    if keep_days > 0:
        folder = data_dir / BACKUP_DIR
        task = asyncio.get_running_loop().create_task(
            _loop(database, folder, keep_days, first_delay), name="halcrm-daily-backup"
        )
    return Background(lock, task)
