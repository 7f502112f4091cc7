"""Deal handling on the board: placeholder merge (undoable), reopen, won/lost and stalled views.

The rules (what moves in a merge, where a reopened deal goes, what is stalled) live in the
services; these actions call them and show the result.
"""

from __future__ import annotations

from rich.markup import escape

from halcrm.domain.stages import Source
from halcrm.services.crm.inputs import StagePatch
from halcrm.tui.errors import board_action
from halcrm.tui.modals.company_picker import CompanyPicker
from halcrm.tui.modals.edit_stage import EditStage
from halcrm.tui.screens.board_focus import FocusActions
from halcrm.tui.undo import Merged, Moved


class DealActions(FocusActions):
    """Merge, reopen, collapse closed columns, stalled-first and stalled-only."""

    def action_merge(self) -> None:
        card = self._focused()
        if card is None:
            return
        if not card.is_placeholder:
            self.notify(f"{card.name} is not a placeholder.", severity="warning", timeout=3)
            return
        choices = [(c.id, c.name) for c in self.board.model.cards.values() if not c.is_placeholder]
        if not choices:
            self.notify("There is no real company to merge into.", severity="warning")
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
        name = self.board.model.cards[source_id].name if source_id in self.board.model.cards else ""
        result = await self.services.merge_companies(source_id, into_id)
        self.undo_stack.push(Merged(source_id, name, result.undo))
        await self._refresh_cards([source_id, into_id])
        self.board.focus_card(into_id)
        self.done(f"Merged {name} into {result.company.name}.")
        return True

    async def undo_merge(self, undo: Merged) -> None:
        source_id = str(undo.undo.source["id"])
        await self.services.undo_merge(undo.undo)
        await self._refresh_cards([source_id, undo.undo.into_id])
        self.board.focus_card(source_id)
        self.notify(f"Undone: {undo.undo.source.get('name', source_id)} is back.")

    @board_action
    async def action_reopen(self) -> None:
        card = self._focused()
        if card is None:
            return
        result = await self.services.reopen(card.id)
        self.undo_stack.push(Moved(card.id, card.name, card.stage_id))
        await self._refresh_cards([card.id])
        self.board.focus_card(card.id)
        self.done(f"Reopened {card.name} in {result.stage}.")

    def action_edit_stage(self) -> None:
        key = self.board.focus_key
        if not key:
            self.notify("Unstaged is not a stage.", severity="warning", timeout=2)
            return
        stage = self.board.model.stage(key)

        def saved(patch: StagePatch | None) -> None:
            if patch is not None:
                self.save_stage(stage.id, stage.name, patch)

        self.app.push_screen(EditStage(stage), saved)

    @board_action
    async def save_stage(self, stage_id: str, name: str, patch: StagePatch) -> None:
        await self.services.update_stage(stage_id, patch, source=Source.BOARD)
        # The stages-changed event reloads the board and its figures (one reload at a time).
        self.notify(f"Stage {name} saved.", timeout=2)

    def action_toggle_collapsed(self) -> None:
        collapsed = self.board.toggle_collapsed()
        self.save_view()
        self.notify("Won/lost collapsed." if collapsed else "All columns expanded.", timeout=2)

    def action_stalled_first(self) -> None:
        model = self.board.model
        self.board.set_view(stalled_first=not model.stalled_first, stalled_only=model.stalled_only)
        self.save_view()
        self.show_status()

    def action_stalled_only(self) -> None:
        model = self.board.model
        self.board.set_view(stalled_first=model.stalled_first, stalled_only=not model.stalled_only)
        self.save_view()
        self.show_status()
