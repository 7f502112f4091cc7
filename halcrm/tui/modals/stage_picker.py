"""Pick a stage to move a company to (answers the stage id, or None when cancelled)."""

from __future__ import annotations

from rich.markup import escape
from textual.binding import Binding

from halcrm.domain.stages import StageInfo
from halcrm.tui.modals.choice import ChoicePicker

UNSTAGE = "\x00unstaged"  # the option id meaning "no stage"; stage ids are never this


class StagePicker(ChoicePicker):
    """A list of the stages (and Unstaged); the current one is marked and preselected."""

    BINDINGS = [Binding("escape,q", "cancel", "Cancel", id="picker.cancel")]

    def __init__(
        self,
        company: str,
        stages: list[StageInfo],
        current: str | None,
        suggested: str | None = None,
    ) -> None:
        """``suggested``: a stage the focus lane suggests, highlighted (not chosen) first."""
        choices = [(UNSTAGE, "Unstaged"), *((stage.id, stage.name) for stage in stages)]
        heading = f"Move [b]{escape(company)}[/b] to…"
        super().__init__(heading, choices, current or UNSTAGE, "move", suggested)
