"""Snooze a focus item until ``3d``, ``1w``, ``12h`` from now or a ``YYYY-MM-DD`` date."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from halcrm.tui.modals.dialog import keys_line

UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
RELATIVE = re.compile(r"^(\d{1,4})\s*([hdw])$")


def parse_until(text: str, now: datetime) -> datetime:
    """The moment ``text`` names: ``3d`` (from now), ``1w``, ``12h``, or a date (its start, UTC).

    Raises:
        ValueError: with a sentence for the user, when the text is not a date or not in the
            future.
    """
    text = text.strip().casefold()
    if match := RELATIVE.match(text):
        amount = int(match.group(1))
        if amount == 0:
            raise ValueError("Snooze for at least one hour or day.")
        return now + amount * UNITS[match.group(2)]
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError("Give 3d, 1w, 12h or a date such as 2026-12-24.") from None
    until = datetime.combine(day, time(0, 0), tzinfo=UTC)
    if until <= now:
        raise ValueError(f"{day.isoformat()} is not in the future.")
    return until


class SnoozeUntil(ModalScreen[datetime | None]):
    """One input (``3d`` preset); enter snoozes, escape cancels; bad input is shown, not sent."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="snooze.cancel")]

    DEFAULT_CSS = """
    SnoozeUntil { align: center middle; }
    SnoozeUntil > Vertical {
        width: 56; height: auto; border: thick $primary; background: $surface; padding: 0 1;
    }
    SnoozeUntil #error { color: $error; height: auto; }
    SnoozeUntil .hint { color: $text-muted; }
    """

    def __init__(self, what: str, now: Callable[[], datetime]) -> None:
        super().__init__()
        self.what = what
        self.now = now

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Snooze [b]{escape(self.what)}[/b] until…", markup=True)
            yield Input("3d", id="until", placeholder="3d, 1w, 12h or 2026-12-24")
            yield Label("3d, 1w, 12h from now, or a date (YYYY-MM-DD)", classes="hint")
            yield Label("", id="error")
            yield keys_line(("enter", "snooze"), ("esc", "cancel"))

    def on_mount(self) -> None:
        self.query_one("#until", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            until = parse_until(event.value, self.now())
        except ValueError as exc:
            self.query_one("#error", Label).update(str(exc))
            return
        self.dismiss(until)

    def action_cancel(self) -> None:
        self.dismiss(None)
