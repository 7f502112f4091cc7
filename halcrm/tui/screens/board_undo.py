"""`u` and `U` on the board: take the newest write back, or put the newest undo forward again,
through the collaborator that made the write. A write `u` cannot take back stops it there."""

from __future__ import annotations

from halcrm.tui.errors import board_action
from halcrm.tui.screens.board_actions import Moves
from halcrm.tui.screens.board_contacts import ContactUndo
from halcrm.tui.screens.board_deals import Deals
from halcrm.tui.screens.board_edits import Edits
from halcrm.tui.screens.board_tasks import NextSteps
from halcrm.tui.screens.desk import Desk, Part
from halcrm.tui.undo import (
    ContactEdited,
    ContactMade,
    ContactRemoved,
    Created,
    Edited,
    Kept,
    Merged,
    Moved,
    Removed,
    StepWritten,
    Undo,
    Unmerged,
)


class Undoing(Part):
    """Undo and redo; a step that fails stays where it was, for the next press."""

    def __init__(
        self, desk: Desk, moves: Moves, edits: Edits, deals: Deals, steps: NextSteps
    ) -> None:
        super().__init__(desk)
        self.moves, self.edits, self.deals, self.steps = moves, edits, deals, steps
        self.contacts = ContactUndo(desk)

    @board_action
    async def undo(self) -> None:
        stack = self.desk.undo_stack
        last = stack.peek()
        if last is None:
            self.desk.notify("Nothing to undo.", timeout=2)
            return
        if isinstance(last, Kept):
            self.desk.notify(
                f"The last change ({last.what}) cannot be undone with "
                f"{self.desk.key('board.undo', 'u')}: nothing changed.",
                severity="warning",
                timeout=6,
            )
            return
        stack.pop()
        try:
            forward = await self.revert(last, "Undone")
        except BaseException:
            stack.items.append(last)  # not undone: it stays the next thing `u` takes back
            raise
        if forward is not None:
            stack.redos.append(forward)

    @board_action
    async def redo(self) -> None:
        stack = self.desk.undo_stack
        if not stack.redos:
            self.desk.notify("Nothing to redo.", timeout=2)
            return
        step = stack.redos.pop()
        try:
            back = await self.revert(step, "Redone")
        except BaseException:
            stack.redos.append(step)
            raise
        if back is not None:
            stack.items.append(back)  # not a new write: the other redos stay

    async def revert(self, item: Undo, word: str) -> Undo | None:
        """Applies the inverse of ``item``; answers the inverse of that (None: none)."""
        if isinstance(item, StepWritten):
            await self.steps.undo(item)  # a next step's undo has no redo
            return None
        if isinstance(item, Merged):
            return await self.deals.undo_merge(item, word)
        if isinstance(item, Unmerged):
            return await self.deals.redo_merge(item, word)
        if isinstance(item, Edited):
            return await self.edits.undo_edit(item, word)
        if isinstance(item, Removed):
            return await self.edits.undo_delete(item, word)
        if isinstance(item, Created):
            return await self.edits.undo_create(item, word)
        if isinstance(item, Moved):
            return await self.moves.undo_move(item, word)
        if isinstance(item, ContactEdited):
            return await self.contacts.undo_edit(item, word)
        if isinstance(item, ContactRemoved):
            return await self.contacts.undo_delete(item, word)
        if isinstance(item, ContactMade):
            return await self.contacts.undo_create(item, word)
        return None
