"""The composition root: builds engine, bus and services, and runs the server (and the board)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from halcrm.bus import EventBus
from halcrm.db.engine import create_engine, database_url
from halcrm.db.migrate import migrate
from halcrm.db.writer import Database
from halcrm.services.clock import Clock, utc_now
from halcrm.services.crm.transfer import daily
from halcrm.services.facade import Services
from halcrm.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    bus: EventBus
    services: Services
    # The restore lock and the daily backups (services/crm/transfer/daily.py).
    background: daily.Background | None = None

    async def close(self) -> None:
        if self.background is not None:
            await self.background.close()
        self.bus.close()
        # Waits for queued writes to commit, then stops the database threads.
        await asyncio.to_thread(self.services.db.close)


async def open_runtime(
    settings: Settings, clock: Clock = utc_now, stall_defaults: Mapping[str, int] | None = None
) -> Runtime:
    """Migrates the database, makes sure the project exists, and wires the services."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(database_url(settings.db))
    await asyncio.to_thread(migrate, engine)
    bus = EventBus()
    services = Services(Database(engine, bus, clock), settings.project_id)
    # Every process's committed events reach this bus from here on (db/events.py).
    await asyncio.to_thread(services.db.follow, asyncio.get_running_loop())
    await services.ensure_project(stall_defaults=stall_defaults)
    background = daily.start(database_url(settings.db), settings.data_dir, settings.backup_days)
    return Runtime(settings, engine, bus, services, background)
