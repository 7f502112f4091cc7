"""A short list to pick one of (a stage, a project): the current one marked and preselected."""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from halcrm.tui.modals.dialog import keys_line

NOW = "  (now)"


class ChoicePicker(ModalScreen[str | None]):
    """Answers the chosen option's id, or None when cancelled (escape, or `q`: it closes the
    picker rather than reaching the app's quit binding). Subclasses give the heading and the
    choices, and their own binding id (what a keymap names)."""

    BINDINGS = [Binding("escape,q", "cancel", "Cancel", id="choice.cancel")]

    DEFAULT_CSS = """
    ChoicePicker { align: center middle; }
    ChoicePicker > Vertical {
        width: 40; height: auto; max-height: 80%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ChoicePicker > Vertical > Label { width: 100%; }
    ChoicePicker OptionList { height: auto; max-height: 16; border: none; }
    """

    def __init__(
        self,
        heading: str,
        choices: Sequence[tuple[str, str]],
        current: str,
        verb: str,
        start: str | None = None,
    ) -> None:
        """``heading``: console markup; ``choices``: (id, plain label) pairs; ``current``: the
        id marked "(now)"; ``start``: the one highlighted first (else ``current``)."""
        super().__init__()
        self.heading = heading
        self.choices = list(choices)
        self.current = current
        self.verb = verb
        self.start = start or current

    def compose(self) -> ComposeResult:
        options = [
            Option(escape(label) + (NOW if key == self.current else ""), id=key)
            for key, label in self.choices
        ]
        with Vertical():
            yield Label(self.heading, markup=True)
            yield OptionList(*options)
            yield keys_line(("↑↓", "choose"), ("enter", self.verb), ("esc", "cancel"))

    def on_mount(self) -> None:
        picker = self.query_one(OptionList)
        ids = [key for key, _ in self.choices]
        picker.highlighted = ids.index(self.start) if self.start in ids else 0
        picker.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
