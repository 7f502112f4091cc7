"""Every key of the board, grouped by screen, with what it does (after the config's remaps)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEY_NAMES = {"slash": "/", "plus": "+", "question_mark": "?", "escape": "esc", "backspace": "⌫"}


def key_text(keys: str) -> str:
    return ", ".join(KEY_NAMES.get(k, k) for k in keys.split(","))


def binding_ids(sections: Iterable[tuple[str, Iterable[BindingType]]]) -> set[str]:
    """The ids a config file may remap."""
    return {b.id for _, bindings in sections for b in bindings if isinstance(b, Binding) and b.id}


def describe(
    title: str, bindings: Iterable[BindingType], keymap: Mapping[str, str] | None = None
) -> str:
    """A titled block of ``key  description`` lines; ``keymap`` (binding id -> keys) wins."""
    lines = [f"[b $accent]{title}[/]"]
    for binding in bindings:
        if isinstance(binding, Binding) and binding.description:
            keys = (keymap or {}).get(binding.id or "", binding.key)
            text = f"  [b]{escape(key_text(keys)):<20}[/b] {escape(binding.description):<24}"
            lines.append(f"{text} [dim]{binding.id or ''}[/dim]")
    return "\n".join(lines)


class HelpScreen(ModalScreen[None]):
    """All keys; escape, q or ? closes."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 84; max-width: 100%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 2;
    }
    HelpScreen Static { margin-bottom: 1; }
    """

    def __init__(
        self,
        sections: Sequence[tuple[str, Iterable[BindingType]]],
        keymap: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.sections = sections
        self.keymap = dict(keymap or {})

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "Keys"
            closing = self.keymap.get("help.close", "escape,q,question_mark").split(",")
            box.border_subtitle = f"{' or '.join(key_text(k) for k in closing)} closes"
            for title, bindings in self.sections:
                yield Static(describe(title, bindings, self.keymap))
            yield Static("[dim]ctrl+p opens the command palette: every action, jump, move.[/]")

    def action_close(self) -> None:
        self.dismiss(None)
