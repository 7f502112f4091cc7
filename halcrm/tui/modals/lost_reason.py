"""Ask why a deal was lost before moving it to a lost stage (answers the reason, "" for none)."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

MAX_REASON = 500


class LostReason(ModalScreen[str | None]):
    """An optional one-line reason: enter moves (empty: no reason), escape cancels the move."""

    BINDINGS = [Binding("escape", "cancel", "Cancel the move", id="lost.cancel")]

    DEFAULT_CSS = """
    LostReason { align: center middle; }
    LostReason > Vertical {
        width: 64; height: auto; border: thick $error; background: $surface; padding: 0 1;
    }
    LostReason .hint { color: $text-muted; }
    """

    def __init__(self, company: str, stage: str) -> None:
        super().__init__()
        self.company = company
        self.stage = stage

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                f"Move [b]{escape(self.company)}[/b] to {escape(self.stage)}. Why was it lost?",
                markup=True,
            )
            yield Input(id="reason", placeholder="optional, e.g. went with a competitor")
            yield Label(
                "enter: move (the reason goes into its history) · esc: cancel", classes="hint"
            )

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip()[:MAX_REASON])

    def action_cancel(self) -> None:
        self.dismiss(None)
