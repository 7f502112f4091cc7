"""Pick one of the database's projects for the board (answers its id, or None)."""

from __future__ import annotations

from textual.binding import Binding

from halcrm.services.crm.records import ProjectRecord
from halcrm.tui.modals.choice import ChoicePicker


class ProjectPicker(ChoicePicker):
    """The projects by name; the board's current one is marked and preselected."""

    BINDINGS = [Binding("escape,q", "cancel", "Cancel", id="projects.cancel")]

    DEFAULT_CSS = """
    ProjectPicker > Vertical { width: 50; }
    """

    def __init__(self, projects: list[ProjectRecord], current: str) -> None:
        choices = [(p.id, p.name if p.name == p.id else f"{p.name} ({p.id})") for p in projects]
        super().__init__("Show the board of…", choices, current, "switch")
