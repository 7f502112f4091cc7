"""The board's view toggles: focus strip, activity panel, won/lost collapsed, stalled first or
only; each is kept for the next start (``ViewState``)."""

from __future__ import annotations

from collections.abc import Callable

from halcrm.tui.screens.desk import Desk, Part
from halcrm.tui.view_state import ViewState


class Views(Part):
    """Toggles the screen's classes and the board's view, and saves them."""

    def __init__(self, desk: Desk, view: ViewState, show_status: Callable[[], None]) -> None:
        super().__init__(desk)
        self.view, self.show_status = view, show_status

    def toggle_focus_strip(self) -> None:
        self.desk.screen.toggle_class("-focus-strip")
        self.save()
        self.desk.screen.call_after_refresh(self.desk.board.show_focus)

    def toggle_collapsed(self) -> None:
        collapsed = self.desk.board.toggle_collapsed()
        self.save()
        self.desk.notify("Won/lost collapsed." if collapsed else "All columns expanded.", timeout=2)

    def stalled(self, *, first: bool = False, only: bool = False) -> None:
        """Flips stalled-first (``first``) or stalled-only (``only``)."""
        board = self.desk.board
        model = board.model
        board.set_view(
            stalled_first=model.stalled_first != first, stalled_only=model.stalled_only != only
        )
        self.save()
        self.show_status()

    def toggle_activity(self) -> None:
        screen = self.desk.screen
        screen.toggle_class("-activity")
        self.view.activity = screen.has_class("-activity")
        self.view.save()
        screen.call_after_refresh(self.desk.board.show_focus)

    def save(self) -> None:
        """Keeps the toggles for the next start."""
        board = self.desk.board
        self.view.focus_strip = self.desk.screen.has_class("-focus-strip")
        self.view.stalled_first = board.model.stalled_first
        self.view.stalled_only = board.model.stalled_only
        self.view.collapsed = sorted(board.collapsed)
        self.view.save()
