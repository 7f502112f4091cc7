"""Edit a stage's name, win probability and stall limit (answers a validated ``StagePatch``, or
None); without a stage, the same fields make a new one (a ``StageCreate``)."""

from __future__ import annotations

import msgspec
from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from halcrm.domain.stages import StageInfo, StageKind
from halcrm.services.crm.inputs import StageCreate, StagePatch
from halcrm.tui.format import plain_words
from halcrm.tui.modals.dialog import FIELD_KEYS, keys_line

LABELS = {
    "name": "the name",
    "probability": "win probability",
    "stall_after_days": "the stall limit",
}


class EditStage(ModalScreen[StagePatch | StageCreate | None]):
    """Two fields; enter (or ctrl+s) saves, escape cancels; bad input is shown, not sent.

    The fields go through ``msgspec.convert`` into the same ``StagePatch`` the stages route
    decodes, so the limits (0-100 %, whole days) are the API's, not the board's own.
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="stage.save"),
        Binding("escape", "cancel", "Cancel", id="stage.cancel"),
        *FIELD_KEYS,
    ]

    DEFAULT_CSS = """
    EditStage { align: center middle; }
    EditStage > Vertical {
        width: 56; height: auto; border: thick $primary; background: $surface; padding: 0 1;
    }
    EditStage Label.field { margin-top: 1; color: $text-muted; }
    EditStage #error { color: $error; height: auto; }
    EditStage .keys { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, stage: StageInfo | None = None, position: int | None = None) -> None:
        super().__init__()
        # None: a new open stage, at ``position`` (after the focused column).
        self.stage = stage or StageInfo("", "", position or 0, StageKind.OPEN, 0, None)
        self.new = stage is None
        self.position = position

    def compose(self) -> ComposeResult:
        stage = self.stage
        stall = "" if stage.stall_after_days is None else str(stage.stall_after_days)
        with Vertical():
            if self.new:
                yield Label("[b]New stage[/b] (open)", markup=True)
            else:
                yield Label(f"Stage [b]{escape(stage.name)}[/b] ({stage.kind.value})", markup=True)
            yield Label("Name", classes="field")
            yield Input(stage.name, id="name")
            yield Label("Win probability, percent (weights the pipeline)", classes="field")
            yield Input(str(stage.probability), id="probability", type="integer")
            if not stage.is_closed:
                yield Label("Stalls after N days without activity (empty: never)", classes="field")
                yield Input(stall, id="stall", type="integer")
            yield Label("", id="error", markup=False)
            yield keys_line(("enter", "save"), ("tab", "next field"), ("esc", "cancel"))

    def on_mount(self) -> None:
        self.query_one("#name" if self.new else "#probability", Input).focus()

    def on_input_submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        fields: dict[str, object] = {}
        name = self.query_one("#name", Input).value.strip()
        if name != self.stage.name:
            fields["name"] = name
        probability = self.query_one("#probability", Input).value.strip()
        if probability:
            fields["probability"] = int(probability)
        if not self.stage.is_closed:
            stall = self.query_one("#stall", Input).value.strip()
            fields["stall_after_days"] = int(stall) if stall else None
        if self.new and self.position is not None:
            fields["position"] = self.position
        try:
            answer: StagePatch | StageCreate = (
                msgspec.convert(fields, StageCreate)
                if self.new
                else msgspec.convert(fields, StagePatch)
            )
        except msgspec.ValidationError as exc:
            self.query_one("#error", Label).update(plain_words(exc, LABELS))
            return
        self.dismiss(answer)

    def action_cancel(self) -> None:
        self.dismiss(None)
