"""``halcrm`` / ``halcrm board``: the board and the HTTP server in one process and one loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from halcrm.cli import attach
from halcrm.cli.connect import board_config, run_app, run_connected
from halcrm.cli.demo import seed_demo
from halcrm.cli.demo_once import seed_if_empty
from halcrm.config import BoardConfig
from halcrm.domain.clock import Clock, utc_now
from halcrm.runtime import open_runtime, running
from halcrm.services.container import Services
from halcrm.settings import Settings
from halcrm.tui.app import HalcrmApp, SeedDemo

log = logging.getLogger("halcrm")


async def run_board(
    settings: Settings,
    clock: Clock = utc_now,
    demo: bool = False,
    config: BoardConfig | None = None,
) -> int:
    """Runs the board with the server beside it until the board quits or a signal ends it.

    The config file is read first (a broken one ends here with a message and exit code 2).
    Then ``running()`` binds the socket (a port in use is an ``OSError`` raised before the
    screen opens), opens the runtime and serves; it stops them in order when the board quits.

    Args:
        settings: Where to listen and which database to open.
        clock: The time source (fixed in screenshots).
        demo: Seed demo data when the database holds no company yet.
        config: The board's config (default: ``config.toml`` in the user's config folder).
    """
    loaded = board_config(config)
    if loaded is None:
        return 2
    served = attach.serving(settings)
    if served is not None:
        # A `halcrm serve` already serves this database: the board attaches to it.
        log.info("attaching to %s, which serves %s", served, settings.db)
        return await run_connected(settings, served, settings.account_token(), config=loaded)
    loop = asyncio.get_running_loop()
    async with running(settings, clock=clock, stall_defaults=loaded.stall_defaults) as rt:
        if demo:
            await seed_if_empty(rt.services)
        log.info("board starting; serving %s (database %s)", rt.url, settings.db)
        app = HalcrmApp(
            rt.services,
            rt.bus,
            server_url=rt.url,
            server_state=rt.state,
            clock=clock,
            seed_demo=None if demo else demo_seeder(rt.services),
            log_file=settings.log_file,
            config=loaded,
            serves_widget=True,
        )
        # A second `halcrm board` on this data folder attaches to this one's server.
        attach.announce(settings, attach.local_url(settings.host, rt.port))
        try:
            await run_app(app, loop)
        finally:
            attach.withdraw(settings)
    log.info("board stopped")
    return 0


def demo_seeder(services: Services) -> SeedDemo:
    """What the board runs when its first empty board's demo offer is taken."""

    async def seed(project_id: str) -> int:
        return await seed_demo(services.for_project(project_id))

    return seed


@contextlib.asynccontextmanager
async def board_services(settings: Settings, clock: Clock = utc_now) -> AsyncIterator[Services]:
    """Services opened (and closed) inside the running loop, for ``HalcrmApp(connect=...)``."""
    runtime = await open_runtime(settings, clock)
    try:
        yield runtime.services
    finally:
        await runtime.close()
