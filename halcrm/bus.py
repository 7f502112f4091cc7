"""In-process pub/sub of committed domain events (board, SSE and tests subscribe)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable

from halcrm.domain.events import DomainEvent


class Subscription:
    """A bounded queue of events; a slow subscriber loses its oldest events, never blocks."""

    def __init__(self, bus: EventBus, maxsize: int) -> None:
        self._bus = bus
        self._queue: asyncio.Queue[DomainEvent | None] = asyncio.Queue(maxsize)
        self.dropped = 0

    def put(self, event: DomainEvent | None) -> None:
        while True:
            try:
                self._queue.put_nowait(event)
                return
            except asyncio.QueueFull:
                with contextlib.suppress(asyncio.QueueEmpty):
                    self._queue.get_nowait()
                    self.dropped += 1

    async def get(self) -> DomainEvent | None:
        return await self._queue.get()

    def get_nowait(self) -> DomainEvent | None:
        return self._queue.get_nowait()

    def pending(self) -> int:
        return self._queue.qsize()

    def close(self) -> None:
        self._bus.unsubscribe(self)

    async def __aiter__(self) -> AsyncIterator[DomainEvent]:
        while True:
            event = await self.get()
            if event is None:
                return
            yield event


class EventBus:
    """Fans committed events out to subscribers; publishing never awaits."""

    def __init__(self, maxsize: int = 10_000) -> None:
        self._subs: set[Subscription] = set()
        self._maxsize = maxsize
        self.closed = False

    def subscribe(self) -> Subscription:
        sub = Subscription(self, self._maxsize)
        if self.closed:
            sub.put(None)
        self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subs.discard(sub)

    def publish(self, events: Iterable[DomainEvent]) -> None:
        for event in events:
            for sub in tuple(self._subs):
                sub.put(event)

    def close(self) -> None:
        """Ends every subscription (their iterators stop), e.g. on shutdown."""
        self.closed = True
        for sub in tuple(self._subs):
            sub.put(None)
