"""``halcrm`` / ``halcrm board``: the board and the HTTP server in one process and one loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator

from halcrm.cli import attach
from halcrm.config import BoardConfig, ConfigError, load_config
from halcrm.domain.clock import Clock, utc_now
from halcrm.runtime import open_runtime, running
from halcrm.services.board.demo import is_empty, seed_demo
from halcrm.services.facade import Services
from halcrm.settings import Settings
from halcrm.tui.app import HalcrmApp
from halcrm.tui.client.login import connected

log = logging.getLogger("halcrm")


def board_config(config: BoardConfig | None = None) -> BoardConfig | None:
    """The config to run with: the one given, else ``config.toml`` from the user's config
    folder; a broken file is reported in one line on stderr and answers None."""
    if config is not None:
        return config
    try:
        return load_config()
    except ConfigError as exc:
        print(f"halcrm: the config file cannot be used: {exc}", file=sys.stderr)
        return None


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
        if demo and await is_empty(rt.services):
            await seed_demo(rt.services)
        log.info("board starting; serving %s (database %s)", rt.url, settings.db)
        app = HalcrmApp(
            rt.services,
            rt.bus,
            server_url=rt.url,
            server_state=rt.state,
            clock=clock,
            offer_demo=not demo,
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


async def run_connected(
    settings: Settings,
    url: str,
    token: str,
    *,
    project_id: str | None = None,
    clock: Clock = utc_now,
    config: BoardConfig | None = None,
) -> int:
    """The board over a running server's account API and event stream (``--connect``).

    Nothing is opened locally but the log file and the board's view toggles (data folder).
    """
    loaded = board_config(config)
    if loaded is None:
        return 2
    async with connected(url, token, project_id) as link:
        log.info("board attached to %s (project %s)", link.url, link.services.project_id)
        app = HalcrmApp(
            link.services,
            link.services.bus,
            server_url=link.url,
            server_state=link.state,
            clock=clock,
            log_file=settings.log_file,
            config=loaded,
        )
        await run_app(app, asyncio.get_running_loop())
    log.info("board detached from %s", url)
    return 0


async def run_app(app: HalcrmApp, loop: asyncio.AbstractEventLoop) -> None:
    """Runs the board until it quits; SIGTERM and SIGHUP quit it as ``q`` does."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, app.exit)
    try:
        await app.run_async()
    finally:
        for sig in (signal.SIGTERM, signal.SIGHUP):
            loop.remove_signal_handler(sig)


@contextlib.asynccontextmanager
async def board_services(settings: Settings, clock: Clock = utc_now) -> AsyncIterator[Services]:
    """Services opened (and closed) inside the running loop, for ``HalcrmApp(connect=...)``."""
    runtime = await open_runtime(settings, clock)
    try:
        yield runtime.services
    finally:
        await runtime.close()
