"""Deal handling on the board: placeholder merge (undoable), reopen, stage edits.

The rules (what moves in a merge, where a reopened deal goes, what is stalled) live in the
services; these actions call them and show the result.
"""

from __future__ import annotations

from rich.markup import escape

from halcrm.domain.stages import Source
from halcrm.services.crm.inputs import StageCreate, StagePatch
from halcrm.tui.errors import board_action
from halcrm.tui.modals.company_picker import CompanyPicker
from halcrm.tui.modals.edit_stage import EditStage
from halcrm.tui.screens.desk import Part
from halcrm.tui.undo import Kept, Merged, Moved, Unmerged


class Deals(Part):
    """Merge a placeholder, reopen a won or lost deal, edit a stage."""

    def merge_focused(self) -> None:
        card = self.desk.focused()
        if card is None:
            return
        if not card.is_placeholder:
            self.desk.notify(f"{card.name} is not a placeholder.", severity="warning", timeout=3)
            return
        choices = [
            (c.id, c.name) for c in self.desk.board.model.cards.values() if not c.is_placeholder
        ]
        if not choices:
            self.desk.notify("There is no real company to merge into.", severity="warning")
            return

        def picked(into_id: str | None) -> None:
            if into_id is not None:
                self.merge(card.id, into_id)

        title = f"Merge placeholder [b]{escape(card.name)}[/b] into…"
        self.app.push_screen(CompanyPicker(title, choices), picked)

    @board_action
    async def merge(self, source_id: str, into_id: str) -> None:
        await self.merge_into(source_id, into_id)

    async def merge_into(self, source_id: str, into_id: str) -> bool:
        """Merges a placeholder into a real company; `u` puts it back while the board is open."""
        name = (
            self.desk.board.model.cards[source_id].name
            if source_id in self.desk.board.model.cards
            else ""
        )
        result = await self.desk.services.companies.merge(source_id, into_id)
        self.desk.undo_stack.push(Merged(source_id, name, result.undo))
        await self.desk.refresh_cards([source_id, into_id])
        self.desk.board.focus_card(into_id)
        self.desk.done(f"Merged {name} into {result.company.name}.")
        return True

    async def undo_merge(self, undo: Merged, word: str) -> Unmerged:
        """Puts the placeholder back; answers what merges it again (redo)."""
        source_id = str(undo.undo.source["id"])
        await self.desk.services.companies.undo_merge(undo.undo)
        await self.desk.refresh_cards([source_id, undo.undo.into_id])
        self.desk.board.focus_card(source_id)
        name = str(undo.undo.source.get("name", source_id))
        self.desk.notify(f"{word}: {name} is back.")
        return Unmerged(source_id, name, undo.undo.into_id)

    async def redo_merge(self, undo: Unmerged, word: str) -> Merged:
        """Merges the placeholder again; answers what takes it back."""
        result = await self.desk.services.companies.merge(undo.company_id, undo.into_id)
        await self.desk.refresh_cards([undo.company_id, undo.into_id])
        self.desk.board.focus_card(undo.into_id)
        self.desk.notify(f"{word}: {undo.name} merged into {result.company.name}.")
        return Merged(undo.company_id, undo.name, result.undo)

    @board_action
    async def reopen(self) -> None:
        card = self.desk.focused()
        if card is None:
            return
        result = await self.desk.services.companies.reopen(card.id)
        self.desk.undo_stack.push(Moved(card.id, card.name, card.stage_id))
        await self.desk.refresh_cards([card.id])
        self.desk.board.focus_card(card.id)
        self.desk.done(f"Reopened {card.name} in {result.stage}.")

    def edit_stage(self) -> None:
        key = self.desk.board.focus_key
        if not key:
            self.desk.notify("Unstaged is not a stage.", severity="warning", timeout=2)
            return
        stage = self.desk.board.model.stage(key)

        def saved(patch: StagePatch | StageCreate | None) -> None:
            if isinstance(patch, StagePatch):
                self.save_stage(stage.id, stage.name, patch)

        self.app.push_screen(EditStage(stage), saved)

    def add_stage(self) -> None:
        """A new open stage, right after the focused column."""
        key = self.desk.board.focus_key
        position = self.desk.board.model.stage(key).position + 1 if key else 0

        def made(body: StagePatch | StageCreate | None) -> None:
            if isinstance(body, StageCreate):
                self.create_stage(body)

        self.app.push_screen(EditStage(None, position), made)

    @board_action
    async def create_stage(self, body: StageCreate) -> None:
        await self.desk.services.stages.create(body)
        self.desk.undo_stack.push(Kept(f"stage {body.name} added"))
        # The stages-changed event reloads the board with the new column.
        self.desk.notify(f"Stage {body.name} added.", timeout=3)

    @board_action
    async def save_stage(self, stage_id: str, name: str, patch: StagePatch) -> None:
        await self.desk.services.stages.update(stage_id, patch, source=Source.BOARD)
        self.desk.undo_stack.push(Kept(f"stage {name} edited"))
        # The stages-changed event reloads the board and its figures (one reload at a time).
        self.desk.notify(
            f"Stage {patch.name if isinstance(patch.name, str) else name} saved.", timeout=2
        )
