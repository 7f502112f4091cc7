"""``halcrm serve``: the HTTP server alone, headless, stopping cleanly on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from halcrm.collector import freeze_long_lived
from halcrm.embed import playground_url
from halcrm.runtime import open_runtime
from halcrm.server.app import create_app, server_config
from halcrm.server.embedded import bind_socket, bound_port, make_server, stop
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


async def serve(settings: Settings) -> int:
    sock = bind_socket(settings.host, settings.port)
    runtime = await open_runtime(settings)
    app = create_app(runtime.services, server_config(settings))
    freeze_long_lived()
    server = make_server(app)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, done.set)
    task.add_done_callback(lambda _: done.set())
    port = bound_port(sock)
    warn_if_public(settings)
    print(
        f"halcrm serving project {settings.project_id!r} on http://{settings.host}:{port} "
        f"(database: {settings.db}); widget playground: "
        f"{playground_url(f'http://{settings.host}:{port}')}",
        file=sys.stderr,
        flush=True,
    )
    try:
        await done.wait()
    finally:
        # Closing the bus first ends every open event stream, so uvicorn's graceful shutdown
        # is not held up waiting for them.
        runtime.bus.close()
        await stop(server, task)
        await runtime.close()
        sock.close()
    if task.done() and not task.cancelled() and task.exception() is not None:
        raise task.exception()  # type: ignore[misc]
    return 0
