"""Pick a stage to move a company to (answers the stage id, or None when cancelled)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from halcrm.domain.stages import StageInfo
from halcrm.tui.modals.dialog import keys_line

UNSTAGE = "\x00unstaged"  # the option id meaning "no stage"; stage ids are never this


class StagePicker(ModalScreen[str | None]):
    """A list of the stages (and Unstaged); the current one is marked and preselected."""

    # `q` closes the picker rather than reaching the app's quit binding.
    BINDINGS = [Binding("escape,q", "cancel", "Cancel", id="picker.cancel")]

    DEFAULT_CSS = """
    StagePicker { align: center middle; }
    StagePicker > Vertical {
        width: 40; height: auto; max-height: 80%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    StagePicker OptionList { height: auto; max-height: 16; border: none; }
    """

    def __init__(self, company: str, stages: list[StageInfo], current: str | None) -> None:
        super().__init__()
        self.company = company
        self.stages = stages
        self.current = current

    def compose(self) -> ComposeResult:
        options = [Option("Unstaged" + ("  (now)" if not self.current else ""), id=UNSTAGE)]
        for stage in self.stages:
            mark = "  (now)" if stage.id == self.current else ""
            options.append(Option(f"{stage.name}{mark}", id=stage.id))
        with Vertical():
            yield Label(f"Move [b]{self.company}[/b] to…", markup=True)
            yield OptionList(*options)
            yield keys_line(("↑↓", "choose"), ("enter", "move"), ("esc", "cancel"))

    def on_mount(self) -> None:
        picker = self.query_one(OptionList)
        ids = [UNSTAGE, *(s.id for s in self.stages)]
        picker.highlighted = ids.index(self.current) if self.current in ids else 0
        picker.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
