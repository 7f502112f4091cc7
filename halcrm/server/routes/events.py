"""``GET /api/events``: every committed change of the project as Server-Sent Events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from litestar import Request, get
from litestar.response import ServerSentEvent, ServerSentEventMessage

from halcrm.domain.errors import InvalidRequest
from halcrm.domain.events import DomainEvent
from halcrm.services.facade import Services

REPLAY_BATCH = 1000


def _message(event: DomainEvent) -> ServerSentEventMessage:
    # Events that are not stored (id 0: refused widget calls) go out without an ``id:`` line,
    # so a client's Last-Event-ID always names an event it can resume from.
    return ServerSentEventMessage(
        data=json.dumps(event.to_dict(), separators=(",", ":"), ensure_ascii=False),
        event=event.kind.value,
        id=event.id or None,
    )


def _last_event_id(request: Request[Any, Any, Any]) -> int | None:
    raw = request.headers.get("last-event-id", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise InvalidRequest("Last-Event-ID must be an event id sent by this stream")
    return int(raw)


async def event_stream(
    services: Services, after: int | None, keepalive: float
) -> AsyncIterator[ServerSentEventMessage]:
    """Replays the events after ``after``, then the live ones, each once, until the bus closes.

    The subscription is taken before the replay query, so an event committed in between is
    both replayed and queued: the ids sent during the replay are skipped when they come live.
    It is taken here, not in the handler, so a stream that never starts leaves none behind.
    """
    sub = services.bus.subscribe()
    try:
        # Comments carry no data line (data=None): an empty "data:" would make browsers fire
        # an empty message event.
        yield ServerSentEventMessage(data=None, comment="halcrm events", retry=3000)
        sent: set[int] = set()
        while after is not None:
            batch = await services.events_after(after)
            for event in batch:
                sent.add(event.id)
                yield _message(event)
                after = event.id
            if len(batch) < REPLAY_BATCH:
                break
        while True:
            try:
                live = await asyncio.wait_for(sub.get(), keepalive)
            except TimeoutError:
                # A comment line keeps proxies and clients from timing the stream out.
                yield ServerSentEventMessage(data=None, comment="keep-alive")
                continue
            if live is None:
                return
            if live.project_id != services.project_id or live.id in sent:
                continue
            yield _message(live)
    finally:
        sub.close()


@get("/api/events", tags=["events"])
async def events(request: Request[Any, Any, Any], services: Services) -> ServerSentEvent:
    """A stream of every change (``id``: the event id, ``event``: its kind, ``data``: JSON).

    A client that reconnects with ``Last-Event-ID`` first gets the events it missed.
    """
    after = _last_event_id(request)
    keepalive: float = request.app.state.sse_keepalive
    return ServerSentEvent(
        event_stream(services, after, keepalive),
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
