"""``GET /api/events``: every committed change of the project as Server-Sent Events."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from litestar import Request, get
from litestar.response import Stream

from halcrm.bus import Subscription
from halcrm.domain.errors import InvalidRequest
from halcrm.domain.events import DomainEvent
from halcrm.domain.wire import EVENTS, LAST_EVENT_ID
from halcrm.services.container import Services

REPLAY_BATCH = 1000


# A subscriber woken by a burst sends what is queued in one write, not one write per event.
MAX_CHUNK = 256
# In a burst a stream waits this long per open subscriber before its next write, between the
# bounds: the wakes and socket writes of all streams together stay near 1 / LINGER_EACH per
# second however many are open (each write carries more), and one stream alone (an attached
# board) still hears a burst within LINGER_MIN. The first event after a quiet spell is sent
# at once.
LINGER_EACH = 0.002
LINGER_MIN = 0.02
LINGER_MAX = 0.15
_CACHE_SIZE = 8192
# One encoding per event however many streams send it. Keyed by the event object (kept in the
# entry, so its id cannot be reused while the entry lives); every stream gets the same object.
_encoded: dict[int, tuple[DomainEvent, bytes]] = {}


def encode(event: DomainEvent) -> bytes:
    """The event as one SSE message. Events that are not stored (id 0: refused widget calls)
    go out without an ``id:`` line, so a client's Last-Event-ID always names one it can
    resume from. The JSON has no raw line breaks (json escapes them), so one data line."""
    cached = _encoded.get(id(event))
    if cached is not None and cached[0] is event:
        return cached[1]
    data = json.dumps(event.to_dict(), separators=(",", ":"), ensure_ascii=False)
    head = f"id: {event.id}\r\n" if event.id else ""
    wire = f"{head}event: {event.kind.value}\r\ndata: {data}\r\n\r\n".encode()
    if len(_encoded) >= _CACHE_SIZE:
        del _encoded[next(iter(_encoded))]
    _encoded[id(event)] = (event, wire)
    return wire


OPENING = b": halcrm events\r\nretry: 3000\r\n\r\n"
KEEPALIVE = b": keep-alive\r\n\r\n"


def _last_event_id(request: Request[Any, Any, Any]) -> int | None:
    raw = request.headers.get(LAST_EVENT_ID, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise InvalidRequest(f"{LAST_EVENT_ID} must be an event id sent by this stream")
    return int(raw)


async def event_stream(
    services: Services, after: int | None, keepalive: float
) -> AsyncIterator[bytes]:
    """Replays the events after ``after``, then the live ones, each once, until the bus closes.

    The subscription is taken before the replay query, so an event committed in between is
    both replayed and queued: the ids sent during the replay are skipped when they come live.
    It is taken here, not in the handler, so a stream that never starts leaves none behind.
    """
    sub = services.bus.subscribe()
    project_id = services.project_id
    try:
        # Comments carry no data line: an empty "data:" would make browsers fire an empty
        # message event.
        yield OPENING
        sent: set[int] = set()
        while after is not None:
            batch = await services.activity.events_after(after)
            if batch:
                yield b"".join(encode(event) for event in batch)
            for event in batch:
                sent.add(event.id)
                after = event.id
            if len(batch) < REPLAY_BATCH:
                break
        bus = services.bus
        while True:
            if sub.pending():
                live = sub.get_nowait()
            else:
                try:
                    # Not wait_for: on 3.11 it makes a task per call, once per event per stream.
                    async with asyncio.timeout(keepalive):
                        live = await sub.get()
                except TimeoutError:
                    # A comment line keeps proxies and clients from timing the stream out.
                    yield KEEPALIVE
                    continue
            chunk, ended = _drain(sub, live, project_id, sent, after or 0)
            if chunk:
                yield chunk
            if ended:
                return
            await asyncio.sleep(min(max(LINGER_EACH * bus.subscribers, LINGER_MIN), LINGER_MAX))
    finally:
        sub.close()


def _drain(
    sub: Subscription, first: DomainEvent | None, project_id: str, sent: set[int], floor: int
) -> tuple[bytes, bool]:
    """``first`` and whatever else is queued, as one chunk; and whether the bus closed.

    Stored events at or below ``floor`` (the client's last id, or the replay's) are skipped:
    a worker whose follower is behind the one the client came from publishes them late."""
    parts: list[bytes] = []
    event = first
    while True:
        if event is None:
            return b"".join(parts), True
        fresh = not event.id or (event.id > floor and event.id not in sent)
        if event.project_id == project_id and fresh:
            parts.append(encode(event))
        if len(parts) >= MAX_CHUNK:
            return b"".join(parts), False
        try:
            event = sub.get_nowait()
        except asyncio.QueueEmpty:
            return b"".join(parts), False


@get(EVENTS, tags=["events"])
async def events(request: Request[Any, Any, Any], services: Services) -> Stream:
    """A stream of every change (``id``: the event id, ``event``: its kind, ``data``: JSON).

    A client that reconnects with ``Last-Event-ID`` first gets the events it missed.
    """
    after = _last_event_id(request)
    keepalive: float = request.app.state.sse_keepalive
    return Stream(
        event_stream(services, after, keepalive),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
