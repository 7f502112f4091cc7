"""`u` and `U` on the board: take the newest write back, or put the newest undo forward again,
through the collaborator that made the write. A write `u` cannot take back stops it there; an
undo or redo that fails says which write and why, and stays where it was."""

from __future__ import annotations

import logging

from halcrm.domain.errors import DomainError
from halcrm.tui.errors import board_action, reason
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
    Stack,
    StepWritten,
    Undo,
    Unmerged,
    described,
)

log = logging.getLogger("halcrm.tui")


class Undoing(Part):
    """Undo and redo: one step from one stack to the other."""

    def __init__(
        self, desk: Desk, moves: Moves, edits: Edits, deals: Deals, steps: NextSteps
    ) -> None:
        super().__init__(desk)
        self.moves, self.edits, self.deals, self.steps = moves, edits, deals, steps
        self.contacts = ContactUndo(desk)

    @board_action
    async def undo(self) -> None:
        stack = self.desk.undo_stack
        await self.step(stack.undos, stack.redos, redo=False)

    @board_action
    async def redo(self) -> None:
        stack = self.desk.undo_stack
        await self.step(stack.redos, stack.undos, redo=True)

    async def step(self, source: Stack, target: Stack, *, redo: bool) -> None:
        """Reverts the newest entry of ``source`` and puts its inverse on ``target`` (not a
        new write: the other redos stay). A refused revert wrote nothing: the entry stays the
        next thing the key takes back, and the toast says which write and why."""
        verb = "redo" if redo else "undo"
        last = source.peek()
        if last is None:
            self.desk.notify(f"Nothing to {verb}.", timeout=2)
            return
        if isinstance(last, Kept):
            self.desk.notify(
                f"The last change ({last.what}) cannot be undone with "
                f"{self.desk.key('board.undo', 'u')}: nothing changed.",
                severity="warning",
                timeout=6,
            )
            return
        what = described(last, redo=redo)
        try:
            inverse = await self.revert(last, "Redone" if redo else "Undone")
        except DomainError as error:
            self.desk.notify(
                f"Cannot {verb} {what}: {error.detail.rstrip('.')}. Nothing changed.",
                severity="warning",
                timeout=8,
            )
            return
        except Exception as error:
            log.error("%s failed", verb, exc_info=error)
            self.desk.notify(f"Cannot {verb} {what}. {reason(error)}", severity="error", timeout=8)
            return
        source.pop()
        target.push(inverse)

    async def revert(self, item: Undo, word: str) -> Undo:
        """Applies the inverse of ``item``; answers the inverse of that."""
        match item:
            case StepWritten():
                return await self.steps.revert(item, word)
            case Merged():
                return await self.deals.undo_merge(item, word)
            case Unmerged():
                return await self.deals.redo_merge(item, word)
            case Edited():
                return await self.edits.undo_edit(item, word)
            case Removed():
                return await self.edits.undo_delete(item, word)
            case Created():
                return await self.edits.undo_create(item, word)
            case Moved():
                return await self.moves.undo_move(item, word)
            case ContactEdited():
                return await self.contacts.undo_edit(item, word)
            case ContactRemoved():
                return await self.contacts.undo_delete(item, word)
            case ContactMade():
                return await self.contacts.undo_create(item, word)
            case Kept():
                raise AssertionError("a kept write is never reverted")
