"""New chat messages on the board: a toast for each at once, and how many conversations wait
on a reply in the status line (a website visitor nobody identified yet included)."""

from __future__ import annotations

from datetime import timedelta

from halcrm.tui.live import Batch
from halcrm.tui.screens.desk import Part

TOASTS = 3  # a burst beyond this many messages is one toast with the count
# A toast is for what just arrived. A message written before (the demo's seeded chats, dated
# hours back) is counted in the status line and listed in the inbox, not announced. The age is
# the board's clock against the server's: the margin leaves room for a few minutes of skew.
FRESH = timedelta(minutes=10)


class Chats(Part):
    """Counts the conversations waiting on the founder; announces each new message."""

    waiting = 0

    async def load(self) -> None:
        talks = await self.desk.services.support.inbox()
        self.waiting = sum(1 for t in talks if t.waiting_since is not None)

    async def apply(self, batch: Batch) -> None:
        if batch.conversation_ids:
            await self.load()
        if not batch.incoming:
            return
        now = self.desk.clock()
        incoming = [event for event in batch.incoming if now - event.at <= FRESH]
        if not incoming:
            return
        inbox = self.desk.key("board.inbox", "i")
        for event in incoming[:TOASTS]:
            self.desk.notify(f"✉ {event.summary}  ({inbox}: inbox)", timeout=8)
        if len(incoming) > TOASTS:
            more = len(incoming) - TOASTS
            self.desk.notify(f"✉ {more} more new message{'s' * (more > 1)}.", timeout=8)

    def status(self) -> str:
        """The status line's part: empty when nobody waits."""
        return f"✉ {self.waiting} waiting on a reply" if self.waiting else ""
