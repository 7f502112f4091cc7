"""The board's moves: a step left or right, a stage picked, a lost reason asked, a move undone.

Each is a thin call into the services (``BoardServices``) with ``source=Source.BOARD``, run as
an action worker: a failure of any kind ends in one toast (``halcrm.tui.errors``), the board as
it was. The result is shown at once (the bus echo that follows is idempotent).
"""

from __future__ import annotations

import msgspec

from halcrm.domain.errors import NotFound
from halcrm.domain.stages import Source, StageKind
from halcrm.services.board.records import Card
from halcrm.tui.board_model import UNSTAGED
from halcrm.tui.errors import board_action
from halcrm.tui.modals.lost_reason import LostReason
from halcrm.tui.modals.stage_picker import UNSTAGE, StagePicker
from halcrm.tui.screens.desk import Part
from halcrm.tui.undo import Moved


class Moves(Part):
    """Moves cards between columns; each move is undoable while the board is open."""

    async def move_card(
        self, card_id: str, key: str | None, *, undoable: bool = True, note: str | None = None
    ) -> bool:
        """Moves a company to the column ``key`` (a stage id, or Unstaged) as an exact write.

        A move into a lost stage first asks for an optional reason (stored as the move's
        ``note``); it then answers False, and the move happens once the reason is given.
        A failed write raises: the action's worker reports it, the card stays where it was.
        """
        desk, board = self.desk, self.desk.board
        card = board.model.cards.get(card_id)
        if card is None:
            return False
        if note is None and undoable and self._is_lost(key) and card.stage_id != key:
            self._ask_lost_reason(card, key or "")
            return False
        result = await desk.services.companies.move(
            card_id, key or None, source=Source.BOARD, note=note or None
        )
        if undoable:
            desk.undo_stack.push(Moved(card_id, card.name, card.stage_id))
        if result.applied:
            # What an applied manual move changes on a card is known: drawn now, without a
            # read (the bus echo that follows brings the stored card, idempotently).
            now = desk.clock()
            moved = msgspec.structs.replace(
                card,
                stage_id=key or None,
                last_moved_by=Source.BOARD.value,
                last_moved_at=now,
                last_activity_at=now,
                stalled_days=0,
            )
            board.apply([moved], (), [card_id])
            desk.request_figures()
        else:
            await desk.refresh_cards([card_id])
        board.focus_card(card_id)
        if undoable:
            desk.done(f"Moved {card.name} to {board.model.title(key or UNSTAGED)}.")
        return True

    @board_action
    async def move_to(self, card_id: str, key: str | None, note: str | None = None) -> None:
        """A move started from a dialog or the palette."""
        await self.move_card(card_id, key, note=note)

    def _is_lost(self, key: str | None) -> bool:
        return bool(key) and self.desk.board.model.stage(key or "").kind is StageKind.LOST

    def _ask_lost_reason(self, card: Card, key: str) -> None:
        def answered(reason: str | None) -> None:
            if reason is not None:  # escape cancels the move; an empty reason is no reason
                self.move_to(card.id, key, reason)

        title = self.desk.board.model.title(key)
        self.app.push_screen(LostReason(card.name, title), answered)

    @board_action
    async def step(self, delta: int) -> None:
        """Moves the focused card one column left or right."""
        card = self.desk.focused()
        if card is None:
            return
        model = self.desk.board.model
        at = model.keys.index(model.column_of(card)) + delta
        if 0 <= at < len(model.keys):
            await self.move_card(card.id, model.keys[at])

    def pick_stage(self) -> None:
        card = self.desk.focused()
        if card is not None:
            self.pick_stage_for(card.id)

    def pick_stage_for(self, company_id: str, suggested: str | None = None) -> None:
        """Opens the stage picker for a company (at ``suggested``, a stage id, when given) and
        moves it to the stage chosen."""
        card = self.desk.board.model.cards.get(company_id)
        if card is None:
            self.desk.notify("That company is not on the board.", severity="warning")
            return

        def picked(choice: str | None) -> None:
            if choice is not None:
                self.move_to(card.id, UNSTAGED if choice == UNSTAGE else choice)

        stages = self.desk.board.model.stages
        self.app.push_screen(StagePicker(card.name, stages, card.stage_id, suggested), picked)

    async def undo_move(self, undo: Moved, word: str) -> Moved:
        """Moves the card back; answers the move that puts it forward again (redo)."""
        card = self.desk.board.model.cards.get(undo.company_id)
        if card is None:
            raise NotFound(f"{undo.name} is no longer on the board")
        back = undo.previous or UNSTAGED
        await self.move_card(undo.company_id, back, undoable=False)
        self.desk.notify(f"{word}: {undo.name} back to {self.desk.board.model.title(back)}.")
        return Moved(card.id, card.name, card.stage_id)
