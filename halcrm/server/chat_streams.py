"""The widget chat's live streams: one bus subscription, fanned out by visitor.

Every subscriber of the bus receives every event, so one subscription per open visitor page
would make each event of the whole server wake every page's stream (200 open pages: 200
wake-ups per identify). Here one pump reads the bus and hands a chat message only to the
streams of its own (project, visitor): the data of a chat's ``message`` event names the
visitor and carries the body (services/support/conversations.py), so nothing is read from
the database per event, and a visitor's stream can only ever receive its own chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from litestar.response import ServerSentEventMessage

from halcrm.bus import EventBus
from halcrm.domain.errors import RateLimited
from halcrm.domain.events import DomainEvent, EventKind
from halcrm.server.stream_slots import Lease, RedisSlots

# Tabs of one visitor that may follow its chat at once; more is a script, not a person.
PER_VISITOR = 10
# A page that stops reading loses its oldest lines (it reloads its history on reconnect).
QUEUE = 100
AUTHORS = {"contact": "visitor", "agent": "agent"}

Key = tuple[str, str]


class VisitorStream:
    """One open page's queue of its chat's messages (``None``: the server is stopping)."""

    def __init__(self, hub: ChatStreams, key: Key) -> None:
        self.hub = hub
        self.key = key
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(QUEUE)

    def put(self, line: dict[str, Any] | None) -> None:
        while True:
            try:
                self.queue.put_nowait(line)
                return
            except asyncio.QueueFull:
                with contextlib.suppress(asyncio.QueueEmpty):
                    self.queue.get_nowait()

    def close(self) -> None:
        self.hub.remove(self)


class ChatStreams:
    """The open visitor streams of one app, fed by one pump task."""

    def __init__(
        self, bus: EventBus, per_visitor: int = PER_VISITOR, slots: RedisSlots | None = None
    ) -> None:
        self._bus = bus
        self._per_visitor = per_visitor
        # With Redis, the cap counts the visitor's streams in every process (stream_slots).
        self.slots = slots
        self._streams: dict[Key, set[VisitorStream]] = {}
        self._task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return sum(len(found) for found in self._streams.values())

    async def reserve(self, project_id: str, visitor_id: str) -> Lease | None:
        """Refuses a stream over the visitor's limit of open pages (429), counted in this
        process and, with Redis, in every process; answers the Redis lease to release."""
        full = len(self._streams.get((project_id, visitor_id), ())) >= self._per_visitor
        lease: Lease | bool = True
        if not full and self.slots is not None:
            lease = await self.slots.acquire(project_id, visitor_id, self._per_visitor)
        if full or lease is False:
            raise RateLimited(
                f"this visitor already has {self._per_visitor} chat streams open",
                retry_after=30,
                limit="chat streams",
            )
        return lease if isinstance(lease, Lease) else None

    def open(self, project_id: str, visitor_id: str) -> VisitorStream:
        stream = VisitorStream(self, (project_id, visitor_id))
        if self._bus.closed:
            stream.put(None)
            return stream
        self._streams.setdefault(stream.key, set()).add(stream)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._pump())
        return stream

    def remove(self, stream: VisitorStream) -> None:
        found = self._streams.get(stream.key)
        if found is not None:
            found.discard(stream)
            if not found:
                del self._streams[stream.key]

    async def close(self) -> None:
        """Ends every stream and the pump (app shutdown)."""
        self._end_all()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _end_all(self) -> None:
        for streams in list(self._streams.values()):
            for stream in list(streams):
                stream.put(None)
        self._streams.clear()

    async def _pump(self) -> None:
        sub = self._bus.subscribe()
        try:
            while True:
                event = await sub.get()
                if event is None:
                    self._end_all()
                    return
                self._deliver(event)
        finally:
            sub.close()

    def _deliver(self, event: DomainEvent) -> None:
        if event.kind is not EventKind.MESSAGE:
            return
        visitor_id = event.data.get("visitor_id")
        if not isinstance(visitor_id, str):
            return
        streams = self._streams.get((event.project_id, visitor_id))
        if not streams:
            return
        line = visitor_line(event)
        for stream in tuple(streams):
            stream.put(line)


def visitor_line(event: DomainEvent) -> dict[str, Any]:
    """What a visitor's page is told of a message: the line itself, nothing of the CRM."""
    data = event.data
    return {
        "id": data.get("message_id"),
        "conversation_id": event.conversation_id,
        "author": AUTHORS.get(str(data.get("author")), "agent"),
        "body": data.get("body", ""),
        "created_at": data.get("created_at"),
    }


async def sse(
    hub: ChatStreams, project_id: str, visitor_id: str, keepalive: float, lease: Lease | None
) -> AsyncIterator[ServerSentEventMessage]:
    """The visitor's chat as SSE: ``ready`` once it follows the chat (the page loads its
    history then, so nothing falls between the two), then one ``message`` per line.

    The stream is opened here, not in the handler, so a response that never starts leaves
    none behind.
    """
    stream = hub.open(project_id, visitor_id)
    try:
        yield ServerSentEventMessage(event="ready", data="{}", retry=3000)
        while True:
            if lease is not None and hub.slots is not None:
                await hub.slots.renew(lease)
            try:
                line = await asyncio.wait_for(stream.queue.get(), keepalive)
            except TimeoutError:
                yield ServerSentEventMessage(data=None, comment="keep-alive")
                continue
            if line is None:
                return
            text = json.dumps(line, separators=(",", ":"), ensure_ascii=False)
            yield ServerSentEventMessage(event="message", data=text)
    finally:
        stream.close()
        if lease is not None and hub.slots is not None:
            await hub.slots.release(lease)
