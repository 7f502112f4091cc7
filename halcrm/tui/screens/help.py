"""Every key of the board, grouped by screen, with what it does."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEY_NAMES = {"slash": "/", "question_mark": "?", "escape": "esc", "backspace": "⌫"}


def key_text(keys: str) -> str:
    return ", ".join(KEY_NAMES.get(k, k) for k in keys.split(","))


def describe(title: str, bindings: Iterable[BindingType]) -> str:
    """A titled block of ``key  description`` lines."""
    lines = [f"[b $accent]{title}[/]"]
    for binding in bindings:
        if isinstance(binding, Binding) and binding.description:
            lines.append(f"  [b]{escape(key_text(binding.key)):<22}[/b] {binding.description}")
    return "\n".join(lines)


class HelpScreen(ModalScreen[None]):
    """All keys; escape, q or ? closes."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 72; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 2;
    }
    HelpScreen Static { margin-bottom: 1; }
    """

    def __init__(self, sections: Sequence[tuple[str, Iterable[BindingType]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "Keys"
            for title, bindings in self.sections:
                yield Static(describe(title, bindings))
            yield Static("[dim]ctrl+p opens the command palette: every action, jump, move.[/]")

    def action_close(self) -> None:
        self.dismiss(None)
