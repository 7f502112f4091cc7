"""The composition root: builds engine, bus and services, and runs the server (and the board)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from halcrm.bus import EventBus
from halcrm.db.engine import create_engine, database_url
from halcrm.db.migrate import migrate
from halcrm.services.clock import Clock, utc_now
from halcrm.services.facade import Services
from halcrm.services.uow import Database
from halcrm.settings import Settings

SWITCH_INTERVAL = 0.001


def tune_interpreter() -> None:
    """Process-wide settings for one process that serves HTTP, writes SQL and paints a board.

    The event loop, the writer and the readers share the GIL. A thread that let go of it for a
    statement waits out the holder's switch interval (5 ms by default) to get it back, and a
    card read makes many such hand-overs while the writer is busy: measured with ``make
    bench``, 1 ms cut the tail of signal-to-repaint latency.
    """
    sys.setswitchinterval(SWITCH_INTERVAL)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    bus: EventBus
    services: Services

    async def close(self) -> None:
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
    await services.ensure_project(stall_defaults=stall_defaults)
    return Runtime(settings, engine, bus, services)
