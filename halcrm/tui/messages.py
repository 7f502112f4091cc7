"""Messages the board posts about itself (tests and other widgets listen for them)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass(frozen=True)
class Changed:
    """What a write or a batch of signals touched: the screens showing one of these companies
    or conversations (company, conversation, inbox) read them again. Published on the board's
    ``changed`` signal, which those screens subscribe to once composed."""

    company_ids: frozenset[str] = frozenset()
    conversation_ids: frozenset[str] = frozenset()


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
