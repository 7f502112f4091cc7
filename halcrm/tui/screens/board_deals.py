"""Deal handling on the board: placeholder merge (undoable), reopen, won/lost and stalled views.

The rules (what moves in a merge, where a reopened deal goes, what is stalled) live in the
services; these actions call them and show the result.
"""

from __future__ import annotations

from rich.markup import escape

from halcrm.domain.errors import DomainError
from halcrm.services.crm.inputs import StagePatch
from halcrm.services.crm.merge import MergeUndo
from halcrm.tui.modals.company_picker import CompanyPicker
from halcrm.tui.modals.edit_stage import EditStage
from halcrm.tui.screens.board_focus import FocusActions


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

        async def picked(into_id: str | None) -> None:
            if into_id is not None:
                await self.merge_into(card.id, into_id)

        title = f"Merge placeholder [b]{escape(card.name)}[/b] into…"
        self.app.push_screen(CompanyPicker(title, choices), picked)

    async def merge_into(self, source_id: str, into_id: str) -> bool:
        """Merges a placeholder into a real company; `u` puts it back while the board is open."""
        name = self.board.model.cards[source_id].name if source_id in self.board.model.cards else ""
        try:
            result = await self.services.merge_companies(source_id, into_id)
        except DomainError as exc:
            self.notify(exc.detail, severity="error")
            return False
        self.undo_stack.append(result.undo)
        await self._refresh_cards([source_id, into_id])
        self.board.focus_card(into_id)
        self.notify(f"Merged {name} into {result.company.name} (u undoes).")
        return True

    async def undo_merge(self, undo: MergeUndo) -> None:
        source_id = str(undo.source["id"])
        try:
            await self.services.undo_merge(undo)
        except DomainError as exc:
            self.notify(exc.detail, severity="error")
            return
        await self._refresh_cards([source_id, undo.into_id])
        self.board.focus_card(source_id)
        self.notify(f"Undone: {undo.source.get('name', source_id)} is back.")

    async def action_reopen(self) -> None:
        card = self._focused()
        if card is None:
            return
        try:
            result = await self.services.reopen(card.id)
        except DomainError as exc:
            self.notify(exc.detail, severity="warning")
            return
        self.undo_stack.append((card.id, card.stage_id))
        await self._refresh_cards([card.id])
        self.board.focus_card(card.id)
        self.notify(f"Reopened {card.name} in {result.stage}.")

    def action_edit_stage(self) -> None:
        key = self.board.focus_key
        if not key:
            self.notify("Unstaged is not a stage.", severity="warning", timeout=2)
            return
        stage = self.board.model.stage(key)

        async def saved(patch: StagePatch | None) -> None:
            if patch is None:
                return
            try:
                await self.services.update_stage(stage.id, patch)
            except DomainError as exc:
                self.notify(exc.detail, severity="error")
                return
            # The stages-changed event reloads the board and its figures (one reload at a time).
            self.notify(f"Stage {stage.name} saved.", timeout=2)

        self.app.push_screen(EditStage(stage), saved)

    def action_toggle_collapsed(self) -> None:
        collapsed = self.board.toggle_collapsed()
        self.notify("Won/lost collapsed." if collapsed else "All columns expanded.", timeout=2)

    def action_stalled_first(self) -> None:
        model = self.board.model
        self.board.set_view(stalled_first=not model.stalled_first, stalled_only=model.stalled_only)
        self.show_status()

    def action_stalled_only(self) -> None:
        model = self.board.model
        self.board.set_view(stalled_first=model.stalled_first, stalled_only=not model.stalled_only)
        self.show_status()
