"""`u` on the board: takes the newest write back through the collaborator that made it."""

from __future__ import annotations

from halcrm.tui.errors import board_action
from halcrm.tui.screens.board_actions import Moves
from halcrm.tui.screens.board_deals import Deals
from halcrm.tui.screens.board_edits import Edits
from halcrm.tui.screens.board_tasks import NextSteps
from halcrm.tui.screens.desk import Desk, Part
from halcrm.tui.undo import Edited, Merged, Moved, Removed, StepWritten


class Undoing(Part):
    """Pops the undo stack; a write that fails to come back stays on it."""

    def __init__(
        self, desk: Desk, moves: Moves, edits: Edits, deals: Deals, steps: NextSteps
    ) -> None:
        super().__init__(desk)
        self.moves, self.edits, self.deals, self.steps = moves, edits, deals, steps

    @board_action
    async def undo(self) -> None:
        stack = self.desk.undo_stack
        last = stack.pop()
        if last is None:
            self.desk.notify("Nothing to undo.", timeout=2)
            return
        try:
            if isinstance(last, StepWritten):
                await self.steps.undo(last)
            elif isinstance(last, Merged):
                await self.deals.undo_merge(last)
            elif isinstance(last, Edited):
                await self.edits.undo_edit(last)
            elif isinstance(last, Removed):
                await self.edits.undo_delete(last)
            elif isinstance(last, Moved):
                await self.moves.undo_move(last)
        except BaseException:
            stack.push(last)  # not undone: it stays the next thing `u` takes back
            raise
