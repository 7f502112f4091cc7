"""``halcrm board --connect URL``: the board over a running server's account API.

Nothing is opened here but the log file and the board's view toggles: no database, and so no
SQLAlchemy (tests/tui/client/test_connect_imports.py). ``cli/board.py`` runs the board that
holds the database, and attaches through here when a ``halcrm serve`` already holds it.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from halcrm.config import BoardConfig, ConfigError, load_config
from halcrm.domain.clock import Clock, utc_now
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
