"""Snooze a focus item or a conversation: until ``12h`` from now, or a day in the board's forms
(``tomorrow``, ``fri``, ``3d``, ``2026-12-24``, ``fri 9:00``), read by ``domain.when``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from halcrm.domain.errors import InvalidRequest
from halcrm.domain.when import UNTIL_HINT, When, describe, parse_until
from halcrm.tui.modals.dialog import keys_line


class SnoozeUntil(ModalScreen[datetime | None]):
    """One input (``3d`` preset) and the moment it names under it; enter snoozes, escape
    cancels; bad input is shown, not sent."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="snooze.cancel")]

    DEFAULT_CSS = """
    SnoozeUntil { align: center middle; }
    SnoozeUntil > Vertical {
        width: 60; max-width: 100%; height: auto;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    SnoozeUntil > Vertical > Label { width: 100%; }
    SnoozeUntil #error { color: $error; height: auto; }
    SnoozeUntil #when { color: $text-muted; }
    """

    def __init__(self, what: str, now: Callable[[], datetime], tz: ZoneInfo) -> None:
        super().__init__()
        self.what = what
        self.now = now
        self.tz = tz

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Snooze [b]{escape(self.what)}[/b] until…", markup=True)
            yield Input("3d", id="until", placeholder=UNTIL_HINT)
            yield Label("", id="when")
            yield Label("", id="error", markup=False)
            yield keys_line(("enter", "snooze"), ("esc", "cancel"))

    def on_mount(self) -> None:
        self.query_one("#until", Input).focus()
        self.show_when("3d")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_when(event.value)

    def show_when(self, text: str) -> None:
        """Under the box, the moment the text names ("Fri 11 Dec 2026 (in 4 days) 00:00")."""
        try:
            said = self.said(parse_until(text, self.now(), self.tz))
        except InvalidRequest:
            said = UNTIL_HINT
        self.query_one("#when", Label).update(said)

    def said(self, until: datetime) -> str:
        local = until.astimezone(self.tz)
        today = self.now().astimezone(self.tz).date()
        return describe(When(local.date(), local.time(), ""), today)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            until = parse_until(event.value, self.now(), self.tz)
        except InvalidRequest as exc:
            self.query_one("#error", Label).update(exc.detail)
            return
        self.dismiss(until)

    def action_cancel(self) -> None:
        self.dismiss(None)
