"""The composition root: builds engine, bus and services, and runs the server beside them.

Board, serve and the bench all start and stop through ``running()`` (bind, open, serve, then
the ordered stop), written once here; a board attached to a running server (``--connect``)
gets its services from ``tui/client/login.py``'s ``connected()`` instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from halcrm.bus import EventBus
from halcrm.db.engine import create_engine, database_url
from halcrm.db.migrate import migrate
from halcrm.db.writer import Database
from halcrm.domain.clock import Clock, utc_now
from halcrm.services.container import Services
from halcrm.services.crm.transfer import daily
from halcrm.settings import Settings

if TYPE_CHECKING:
    # Loaded by the serving processes only: a CLI command's runtime (import, export, api-key)
    # starts without Litestar, uvicorn or the webhooks' sender.
    from halcrm.server.app import ServerConfig
    from halcrm.server.embedded import EmbeddedServer
    from halcrm.services.webhooks.delivery import Deliverer

log = logging.getLogger("halcrm")


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    bus: EventBus
    services: Services
    # The restore lock and the daily backups (services/crm/transfer/daily.py).
    background: daily.Background | None = None
    # Sends the webhooks' deliveries (services/webhooks/delivery.py).
    deliverer: Deliverer | None = None

    def deliver(self) -> None:
        """Starts sending the webhooks' deliveries (a serving process; never a CLI command,
        whose runtime closes at once)."""
        if self.deliverer is None:
            from halcrm.services.webhooks.delivery import Deliverer

            self.deliverer = Deliverer(self.services.db)
            self.deliverer.start()

    async def close(self) -> None:
        if self.deliverer is not None:
            await self.deliverer.close()
        if self.background is not None:
            await self.background.close()
        self.bus.close()
        # Waits for queued writes to commit, then stops the database threads.
        await asyncio.to_thread(self.services.db.close)


async def open_runtime(
    settings: Settings,
    clock: Clock = utc_now,
    stall_defaults: Mapping[str, int] | None = None,
    *,
    serving: bool = False,
) -> Runtime:
    """Migrates the database, makes sure the project exists, and wires the services.

    ``serving`` (a board or a server): the daily backup is taken at once when today's is
    missing; a short-lived command's runtime leaves it to them."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(database_url(settings.db))
    await asyncio.to_thread(migrate, engine)
    bus = EventBus()
    services = Services(Database(engine, bus, clock), settings.project_id)
    # Every process's committed events reach this bus from here on (db/events.py).
    await asyncio.to_thread(services.db.follow, asyncio.get_running_loop())
    # Read through Core first: a server on an existing project starts without the ORM, which
    # the project's creation uses (and its first call that needs a session loads).
    if not await services.db.read(lambda tx: tx.knows(settings.project_id)):
        await services.projects.ensure(stall_defaults=stall_defaults)
    delay = 0.0 if serving else daily.FIRST_DELAY
    background = daily.start(
        database_url(settings.db), settings.data_dir, settings.backup_days, first_delay=delay
    )
    return Runtime(settings, engine, bus, services, background)


@dataclass
class Running:
    """A runtime with its HTTP server serving: what ``running()`` hands its caller."""

    runtime: Runtime
    server: EmbeddedServer
    task: asyncio.Task[None]
    sock: socket.socket

    @property
    def services(self) -> Services:
        return self.runtime.services

    @property
    def bus(self) -> EventBus:
        return self.runtime.bus

    @property
    def port(self) -> int:
        from halcrm.server.embedded import bound_port

        return bound_port(self.sock)

    @property
    def url(self) -> str:
        host = self.runtime.settings.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    def state(self) -> str:
        """``serving`` while the server task runs, else why it stopped."""
        if not self.task.done():
            return "serving"
        if self.task.cancelled():
            return "stopped"
        return "failed" if self.task.exception() is not None else "stopped"

    async def started(self, limit: float = 10.0) -> None:
        """Waits (bounded) until uvicorn has started; the socket listens from the start."""
        deadline = asyncio.get_running_loop().time() + limit
        while not self.server.started and not self.task.done():
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("the HTTP server did not start")
            await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def running(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    stall_defaults: Mapping[str, int] | None = None,
    config: ServerConfig | None = None,
) -> AsyncIterator[Running]:
    """The runtime and its server, from the bound socket to the ordered stop.

    The socket is bound first, so a port in use is an ``OSError`` raised before anything opens
    (and before a board takes the screen). The server runs as a plain task, not a Textual
    worker: Textual cancels its workers before unmount, which would cut uvicorn's graceful
    shutdown short. On the way out the bus closes first (open event streams end, so the
    server can finish gracefully), then the server stops, then the runtime.

    Args:
        settings: Where to listen and which database to open.
        clock: The time source (fixed in screenshots).
        stall_defaults: Stall limits for a project made now (the board's config file).
        config: The HTTP layer's configuration (default: from ``settings``).
    """
    from halcrm.server.app import create_app, server_config
    from halcrm.server.embedded import bind_socket, make_server, stop

    sock = bind_socket(settings.host, settings.port)
    try:
        runtime = await open_runtime(settings, clock, stall_defaults=stall_defaults, serving=True)
    except BaseException:
        sock.close()
        raise
    task: asyncio.Task[None] | None = None
    try:
        runtime.deliver()
        server = make_server(create_app(runtime.services, config or server_config(settings)))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        yield Running(runtime, server, task, sock)
    finally:
        runtime.bus.close()
        if task is not None:
            await stop(server, task)
        await runtime.close()
        sock.close()
