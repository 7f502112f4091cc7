"""The reference for the HTTP figures: one bare Litestar JSON route served like halcrm serves.

It uses halcrm's own ``make_server`` (same uvicorn settings: no access log, loop "none" in an
``asyncio.run`` loop as ``halcrm serve`` does), so the ratio isolates what halcrm does per call.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import Any

from litestar import Litestar, get, post

from halcrm.server.embedded import bind_socket, make_server, stop


@post("/ref", status_code=200)
async def ref(data: dict[str, Any]) -> dict[str, Any]:
    """Decodes the same JSON body a widget call carries and answers a small JSON object."""
    return {"ok": True, "visitor_id": data.get("visitor_id")}


@get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


def build_app() -> Litestar:
    return Litestar(route_handlers=[ref, health], debug=False, logging_config=None)


async def serve(port: int) -> None:
    sock = bind_socket("127.0.0.1", port)
    server = make_server(build_app())
    task = asyncio.create_task(server.serve(sockets=[sock]))
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, done.set)
    task.add_done_callback(lambda _: done.set())
    try:
        await done.wait()
    finally:
        await stop(server, task)
        sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(serve(parser.parse_args().port))


if __name__ == "__main__":
    main()
