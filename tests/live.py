"""Real uvicorn servers on 127.0.0.1 port 0, run in the test's own event loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from halcrm.server.app import ServerConfig, create_app
from halcrm.server.embedded import bind_socket, bound_port, make_server, stop
from halcrm.services.container import Services

Scope = dict[str, Any]


@asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """Serves the ASGI ``app`` on a free port; yields its base URL."""
    sock = bind_socket("127.0.0.1", 0)
    server = make_server(app)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    # Bounded wait for start-up (the socket already listens; this surfaces start-up errors).
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    if task.done():
        task.result()
    try:
        yield f"http://127.0.0.1:{bound_port(sock)}"
    finally:
        await stop(server, task)
        sock.close()


@asynccontextmanager
async def halcrm_server(services: Services, token: str, wrap: Any = None) -> AsyncIterator[str]:
    """halcrm's real app on a free port (``wrap`` may wrap it, e.g. to record requests)."""
    app = create_app(services, ServerConfig(account_token=token))
    async with serving(wrap(app) if wrap else app) as url:
        yield url


def static_pages(pages: dict[str, str]) -> Any:
    """A minimal ASGI app answering GET ``path`` with ``pages[path]`` (HTML, or JavaScript for
    ``.js``): the founder's own website, on another port than halcrm."""

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                kind = message["type"].rsplit(".", 1)[-1]
                await send({"type": f"lifespan.{kind}.complete"})
                if kind == "shutdown":
                    return
        body = pages.get(scope["path"])
        status = 200 if body is not None else 404
        kind = b"text/javascript" if scope["path"].endswith(".js") else b"text/html"
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", kind + b"; charset=utf-8")],
            }
        )
        await send({"type": "http.response.body", "body": (body or "not found").encode()})

    return app


def recording(requests: list[tuple[str, str, str | None]], slow_post: str | None = None) -> Any:
    """Wraps an ASGI app so each request's (method, path, Origin) is appended to ``requests``;
    the first POST to ``slow_post`` is held back a little, as a slow network would."""

    def wrap(app: Any) -> Any:
        held = False

        async def recorder(scope: Scope, receive: Any, send: Any) -> None:
            nonlocal held
            if scope["type"] == "http":
                headers = dict(scope["headers"])
                origin = headers.get(b"origin")
                requests.append((scope["method"], scope["path"], origin and origin.decode()))
                if scope["method"] == "POST" and scope["path"] == slow_post and not held:
                    held = True
                    await asyncio.sleep(0.5)
            await app(scope, receive, send)

        return recorder

    return wrap
