"""In-process pub/sub of committed domain events (board, SSE and tests subscribe)."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Iterable, Sequence

from halcrm.domain.events import DomainEvent


class Subscription:
    """A bounded queue of events for one consumer; a slow subscriber loses its oldest events,
    never blocks the publisher. A deque and one waiter future, not ``asyncio.Queue``: a
    publish reaches every open stream, and the queue's bookkeeping cost more than the event."""

    def __init__(self, bus: EventBus, maxsize: int) -> None:
        self._bus = bus
        self._items: deque[DomainEvent | None] = deque()
        self._maxsize = maxsize
        self._waiter: asyncio.Future[None] | None = None
        self.dropped = 0

    def put(self, event: DomainEvent | None) -> None:
        self.put_many((event,))

    def put_many(self, events: Sequence[DomainEvent | None]) -> None:
        items = self._items
        items.extend(events)
        over = len(items) - self._maxsize
        if over > 0:
            for _ in range(over):
                items.popleft()
            self.dropped += over
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> DomainEvent | None:
        while not self._items:
            waiter = asyncio.get_running_loop().create_future()
            self._waiter = waiter
            try:
                await waiter
            finally:
                self._waiter = None
        return self._items.popleft()

    def get_nowait(self) -> DomainEvent | None:
        """The oldest queued event; ``asyncio.QueueEmpty`` when there is none."""
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.popleft()

    def pending(self) -> int:
        return len(self._items)

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

    @property
    def subscribers(self) -> int:
        return len(self._subs)

    def publish(self, events: Iterable[DomainEvent]) -> None:
        batch = tuple(events)
        if batch:
            for sub in tuple(self._subs):
                sub.put_many(batch)

    def close(self) -> None:
        """Ends every subscription (their iterators stop), e.g. on shutdown."""
        self.closed = True
        for sub in tuple(self._subs):
            sub.put(None)
