"""``halcrm serve``: the HTTP server alone, headless, stopping cleanly on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from halcrm.cli import attach
from halcrm.collector import freeze_long_lived
from halcrm.embed import playground_url
from halcrm.runtime import running
from halcrm.settings import Settings

log = logging.getLogger("halcrm")


def warn_if_public(settings: Settings) -> None:
    if settings.host not in ("127.0.0.1", "localhost", "::1"):
        message = (
            f"WARNING: halcrm is listening on {settings.host}, not only on this machine. "
            "Anyone who can reach it can call the widget routes."
        )
        log.warning(message)
        print(message, file=sys.stderr)


async def serve(settings: Settings, *, demo: bool = False) -> int:
    """Serves until SIGINT, SIGTERM or SIGHUP (or the server fails), then stops in order;
    ``demo`` seeds the demo companies first when the project has none."""
    if demo:
        # Loaded only here: a plain serve never imports the demo's rules.
        from halcrm.cli.demo_once import seed_before_serving

        print(await seed_before_serving(settings), file=sys.stderr)
    async with running(settings) as rt:
        freeze_long_lived()
        done = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, done.set)
        rt.task.add_done_callback(lambda _: done.set())
        warn_if_public(settings)
        print(
            f"halcrm serving project {settings.project_id!r} on {rt.url} "
            f"(database: {settings.db}); widget playground: {playground_url(rt.url)}",
            file=sys.stderr,
        )
        local = attach.local_url(settings.host, rt.port)
        print(attach.board_hint(local), file=sys.stderr, flush=True)
        # A `halcrm board` on this data folder attaches here instead of failing on the port.
        attach.announce(settings, local)
        try:
            await done.wait()
        finally:
            attach.withdraw(settings)
        task = rt.task
    if task.done() and not task.cancelled() and task.exception() is not None:
        raise task.exception()  # type: ignore[misc]
    return 0
