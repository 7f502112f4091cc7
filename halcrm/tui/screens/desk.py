"""What the board's collaborators (moves, edits, deals, figures, navigation) share: the
services, the board widget, the clock, the undo stack, and the screen for toasts and dialogs.

The board screen makes one ``Desk`` and hands it to each collaborator: they call it, never the
screen, and nothing is reached by overriding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual.app import App
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.signal import Signal

from halcrm.services.board.records import Card
from halcrm.tui.client import BoardServices
from halcrm.tui.messages import Changed
from halcrm.tui.screens.help import key_text
from halcrm.tui.undo import UndoStack
from halcrm.tui.widgets.board import BoardView


@dataclass
class Desk:
    screen: Screen[None]
    services: BoardServices
    board: BoardView
    clock: Callable[[], datetime]
    undo_stack: UndoStack
    # Asks for fresh summary figures and focus lane (coalesced by the figures collaborator).
    request_figures: Callable[[], None]
    # Open company, conversation and inbox screens listen: they read what changed again.
    changed: Signal[Changed]

    @property
    def app(self) -> App[Any]:
        return self.screen.app

    def notify(
        self, text: str, *, severity: SeverityLevel = "information", timeout: float = 3
    ) -> None:
        self.screen.notify(text, severity=severity, timeout=timeout)

    def key(self, binding_id: str, default: str) -> str:
        """The first key of a binding as the user has it (the config file may remap it)."""
        keymap: dict[str, str] = getattr(self.app, "keymap", {})
        return key_text(keymap.get(binding_id, default).split(",")[0])

    def done(self, text: str) -> None:
        """Announces an undoable write, with the key that takes it back."""
        self.notify(f"{text} ({self.key('board.undo', 'u')} undoes)", timeout=4)

    def focused(self) -> Card | None:
        """The focused card, or a toast saying there is none."""
        card = self.board.focused_card
        if card is None:
            self.notify("No company here.", severity="warning", timeout=2)
        return card

    async def refresh_cards(self, ids: Iterable[str], flash: bool = True) -> None:
        """Reads the cards again and draws them (those gone are taken off)."""
        wanted = set(ids)
        cards = await self.services.board.cards(sorted(wanted))
        gone = wanted - {card.id for card in cards}
        self.board.apply(cards, gone, wanted if flash else ())
        self.request_figures()


class Part:
    """A collaborator of the board screen: it works through the desk (and its actions run as
    the board's action workers, which need ``app``)."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    @property
    def app(self) -> App[Any]:
        return self.desk.app
