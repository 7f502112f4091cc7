"""Pick a real company to merge a placeholder into: type to filter (answers its id, or None)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from halcrm.domain.search import fold, terms
from halcrm.tui.modals.dialog import keys_line

# An OptionList of 50k rows is slow to build; the filter narrows long before that matters.
MAX_SHOWN = 50


class CompanyPicker(ModalScreen[str | None]):
    """An input over a list of ``(id, name)`` choices; up/down pick, enter answers."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="company_picker.cancel"),
        Binding("down", "cursor(1)", "Next", show=False, id="company_picker.down"),
        Binding("up", "cursor(-1)", "Previous", show=False, id="company_picker.up"),
    ]

    DEFAULT_CSS = """
    CompanyPicker { align: center middle; }
    CompanyPicker > Vertical {
        width: 60; height: auto; max-height: 80%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    CompanyPicker OptionList { height: auto; max-height: 14; border: none; }
    CompanyPicker .hint { color: $text-muted; }
    """

    def __init__(self, title: str, choices: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = sorted(choices, key=lambda c: (c[1].casefold(), c[0]))
        # Folded once: each keystroke matches words against these.
        self.folded = [fold(f"{name} {cid}") for cid, name in self.choices]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, markup=True)
            yield Input(id="query", placeholder="type to filter companies")
            yield OptionList()
            yield Label("", id="more", classes="hint")
            yield keys_line(
                ("type", "filter"), ("↑↓", "choose"), ("enter", "merge"), ("esc", "cancel")
            )

    def on_mount(self) -> None:
        self.fill("")
        self.query_one("#query", Input).focus()

    def fill(self, query: str) -> None:
        """Lists the companies whose name or id contains each of ``query``'s words."""
        words = terms(fold(query))
        found = [
            c
            for c, text in zip(self.choices, self.folded, strict=True)
            if all(w in text for w in words)
        ]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            Option(f"{escape(name)}  [dim]{escape(cid)}[/dim]", id=cid)
            for cid, name in found[:MAX_SHOWN]
        )
        if found:
            options.highlighted = 0
        more = len(found) - MAX_SHOWN
        hint = f"{more} more: type to narrow" if more > 0 else ("" if found else "no match")
        self.query_one("#more", Label).update(hint)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.fill(event.value)

    def action_cursor(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            at = (options.highlighted or 0) + step
            options.highlighted = max(0, min(options.option_count - 1, at))

    def on_input_submitted(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
