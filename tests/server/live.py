"""The real embedded uvicorn on 127.0.0.1 port 0, in the test's loop, and an SSE reader."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from halcrm.runtime import Runtime
from halcrm.server.app import ServerConfig, create_app
from halcrm.server.embedded import EmbeddedServer, bind_socket, bound_port, make_server, stop
from halcrm.services.container import Services


@dataclass
class LiveServer:
    base_url: str
    server: EmbeddedServer
    task: asyncio.Task[None]


@contextlib.asynccontextmanager
async def live_server(
    runtime: Runtime, config: ServerConfig, services: Services | None = None
) -> AsyncIterator[LiveServer]:
    """Serves an app of the runtime's services (or of ``services``, e.g. another project's) for
    real; on exit closes the bus, then stops the server."""
    sock = bind_socket("127.0.0.1", 0)
    server = make_server(create_app(services or runtime.services, config))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield LiveServer(f"http://127.0.0.1:{bound_port(sock)}", server, task)
    finally:
        runtime.bus.close()
        await stop(server, task)
        sock.close()


@dataclass
class SseEvent:
    id: str | None = None
    event: str | None = None
    data: str = ""
    comments: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.data)

    def number(self) -> int:
        """The ``id:`` as the event id it is (a data event without one fails the test)."""
        assert self.id is not None, f"an event without an id: {self.data}"
        return int(self.id)


async def sse_events(response: httpx.Response) -> AsyncIterator[SseEvent]:
    """Parses an event stream into events (comment-only blocks come as events without data)."""
    current = SseEvent()
    async for line in response.aiter_lines():
        if line == "":
            yield current
            current = SseEvent()
            continue
        current.lines.append(line)
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "":
            current.comments.append(value)
        elif name == "data":
            current.data = f"{current.data}\n{value}" if current.data else value
        elif name in ("id", "event"):
            setattr(current, name, value)


async def next_data_event(events: AsyncIterator[SseEvent]) -> SseEvent:
    """The next event that carries data (keep-alive comments are skipped)."""
    async for event in events:
        if event.data:
            return event
    raise AssertionError("the stream ended")
