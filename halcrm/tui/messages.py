"""Messages the board posts about itself (tests and other widgets listen for them)."""

from __future__ import annotations

from textual.message import Message


class BoardLoaded(Message):
    """The board has its stages and cards on screen."""

    def __init__(self, cards: int) -> None:
        super().__init__()
        self.cards = cards


class SignalsApplied(Message):
    """A coalesced batch of bus events has been applied to the board and the feed."""

    def __init__(self, last_event_id: int, events: int, cards: int) -> None:
        super().__init__()
        self.last_event_id = last_event_id
        self.events = events
        self.cards = cards
