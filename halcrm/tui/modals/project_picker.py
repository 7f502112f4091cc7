"""Pick one of the database's projects for the board (answers its id, or None)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from halcrm.services.crm.records import ProjectRecord
from halcrm.tui.modals.dialog import keys_line


class ProjectPicker(ModalScreen[str | None]):
    """The projects by name; the board's current one is marked and preselected."""

    BINDINGS = [Binding("escape,q", "cancel", "Cancel", id="projects.cancel")]

    DEFAULT_CSS = """
    ProjectPicker { align: center middle; }
    ProjectPicker > Vertical {
        width: 50; height: auto; max-height: 80%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ProjectPicker OptionList { height: auto; max-height: 16; border: none; }
    """

    def __init__(self, projects: list[ProjectRecord], current: str) -> None:
        super().__init__()
        self.projects = projects
        self.current = current

    def compose(self) -> ComposeResult:
        options = []
        for project in self.projects:
            mark = "  (now)" if project.id == self.current else ""
            label = project.name if project.name == project.id else f"{project.name} ({project.id})"
            options.append(Option(f"{label}{mark}", id=project.id))
        with Vertical():
            yield Label("Show the board of…")
            yield OptionList(*options)
            yield keys_line(("↑↓", "choose"), ("enter", "switch"), ("esc", "cancel"))

    def on_mount(self) -> None:
        picker = self.query_one(OptionList)
        ids = [p.id for p in self.projects]
        picker.highlighted = ids.index(self.current) if self.current in ids else 0
        picker.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
