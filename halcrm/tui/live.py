"""Live signals: drain the bus in batches so a burst costs one board refresh, not thousands."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from halcrm.bus import Subscription
from halcrm.domain.events import DomainEvent, EventKind

# The first event after a quiet spell is applied at once. In a burst the next batch waits
# until APPLY_SHARE times what the last one took has passed since it began, within the
# bounds: the board then spends at most about a third of the loop on signals, and a cheap
# batch (the usual case) is followed within MIN_GAP rather than a fixed long interval.
MIN_GAP = 0.015
INTERVAL = 0.05
APPLY_SHARE = 3.0
MAX_BATCH = 5_000
FLASHING = {EventKind.STAGE_CHANGE, EventKind.DEAL_VALUE}
# A bulk import is one event for many rows: the board reloads once, as `R` does.
RELOADING = {EventKind.STAGES_CHANGED, EventKind.IMPORTED}
TALKING = {EventKind.MESSAGE, EventKind.CONVERSATION}

log = logging.getLogger("halcrm.tui")


@dataclass
class Batch:
    """What a run of events asks of the board."""

    events: list[DomainEvent] = field(default_factory=list)
    company_ids: set[str] = field(default_factory=set)
    flash: set[str] = field(default_factory=set)
    # Conversations a message or a status change touched (the inbox and an open chat redraw).
    conversation_ids: set[str] = field(default_factory=set)
    # Messages a visitor or a contact wrote (identified or not): each is announced at once.
    incoming: list[DomainEvent] = field(default_factory=list)
    reload: bool = False

    def of_project(self, project_id: str) -> Batch:
        """The part of the batch about one project (the bus carries every project's)."""
        if all(event.project_id == project_id for event in self.events):
            return self
        kept = Batch()
        for event in self.events:
            if event.project_id == project_id:
                kept.add(event)
        return kept

    def add(self, event: DomainEvent) -> None:
        self.events.append(event)
        ids = {event.company_id} if event.company_id else set()
        ids.update(event.company_ids or (), event.deleted_company_ids or ())
        self.company_ids |= ids
        if event.kind in FLASHING and event.company_id:
            self.flash.add(event.company_id)
        if event.kind in RELOADING:
            self.reload = True
        if event.kind in TALKING and event.conversation_id is not None:
            self.conversation_ids.add(event.conversation_id)
        if event.kind is EventKind.MESSAGE and event.data.get("author") == "contact":
            self.incoming.append(event)


async def listen(sub: Subscription, apply: Callable[[Batch], Awaitable[None]]) -> None:
    """Feeds ``apply`` with batches of events until the bus closes (or the task is cancelled)."""
    loop = asyncio.get_running_loop()
    try:
        while True:
            event = await sub.get()
            if event is None:
                return
            batch = Batch()
            batch.add(event)
            ended = False
            while len(batch.events) < MAX_BATCH:
                try:
                    more = sub.get_nowait()
                except asyncio.QueueEmpty:
                    break
                if more is None:
                    ended = True
                    break
                batch.add(more)
            started = loop.time()
            try:
                await apply(batch)
            except Exception:  # a failed read must not end the feed (nor the board)
                log.exception("live batch of %d events", len(batch.events))
            if ended:
                return
            took = loop.time() - started
            rest = min(max(APPLY_SHARE * took, MIN_GAP), INTERVAL) - took
            if rest > 0:
                await asyncio.sleep(rest)
    finally:
        with contextlib.suppress(Exception):
            sub.close()
