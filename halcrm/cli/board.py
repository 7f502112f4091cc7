"""``halcrm`` / ``halcrm board``: the board and the HTTP server in one process and one loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator

from halcrm.config import BoardConfig, ConfigError, load_config
from halcrm.runtime import open_runtime
from halcrm.server.app import create_app, server_config
from halcrm.server.embedded import bind_socket, bound_port, make_server, stop
from halcrm.services.board.demo import is_empty, seed_demo
from halcrm.services.clock import Clock, utc_now
from halcrm.services.facade import Services
from halcrm.settings import Settings
from halcrm.tui.app import HalcrmApp

log = logging.getLogger("halcrm")


def server_state(task: asyncio.Task[None]) -> str:
    """``serving`` while the server task runs, else why it stopped."""
    if not task.done():
        return "serving"
    if task.cancelled():
        return "stopped"
    return "failed" if task.exception() is not None else "stopped"


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
    The socket is bound next, so a port in use is an ``OSError`` raised before the screen
    opens. The server runs as a plain task, not a Textual worker: Textual cancels its workers
    before unmount, which would cut uvicorn's graceful shutdown short.

    Args:
        settings: Where to listen and which database to open.
        clock: The time source (fixed in screenshots).
        demo: Seed demo data when the database holds no company yet.
        config: The board's config (default: ``config.toml`` in the user's config folder).
    """
    loaded = board_config(config)
    if loaded is None:
        return 2
    sock = bind_socket(settings.host, settings.port)
    try:
        runtime = await open_runtime(settings, clock, stall_defaults=loaded.stall_defaults)
    except BaseException:
        sock.close()
        raise
    loop = asyncio.get_running_loop()
    server = make_server(
        create_app(
            runtime.services,
            server_config(settings),
        )
    )
    task: asyncio.Task[None] | None = None
    try:
        if demo and await is_empty(runtime.services):
            await seed_demo(runtime.services)
        task = asyncio.create_task(server.serve(sockets=[sock]))
        host = f"[{settings.host}]" if ":" in settings.host else settings.host
        url = f"http://{host}:{bound_port(sock)}"
        log.info("board starting; serving %s (database %s)", url, settings.db)
        running = task
        app = HalcrmApp(
            runtime.services,
            runtime.bus,
            server_url=url,
            server_state=lambda: server_state(running),
            clock=clock,
            offer_demo=not demo,
            log_file=settings.log_file,
            config=loaded,
        )
        for sig in (signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, app.exit)
        await app.run_async()
    finally:
        for sig in (signal.SIGTERM, signal.SIGHUP):
            loop.remove_signal_handler(sig)
        # Close the bus first: open SSE streams end, so the server can finish gracefully.
        runtime.bus.close()
        if task is not None:
            await stop(server, task)
        await runtime.close()
        sock.close()
        log.info("board stopped")
    return 0


@contextlib.asynccontextmanager
async def board_services(settings: Settings, clock: Clock = utc_now) -> AsyncIterator[Services]:
    """Services opened (and closed) inside the running loop, for ``HalcrmApp(connect=...)``."""
    runtime = await open_runtime(settings, clock)
    try:
        yield runtime.services
    finally:
        await runtime.close()
