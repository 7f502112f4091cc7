"""The board's moves, undo, and opening a company or a conversation.

Each is a thin call into the services (``BoardServices``) with ``source=Source.BOARD``, run as
an action worker: a failure of any kind ends in one toast (``halcrm.tui.errors``), the board as
it was. The result is shown at once from a fresh card read (the bus echo that follows is
idempotent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

import msgspec
from textual.screen import Screen

from halcrm.domain.errors import NotFound
from halcrm.domain.stages import Source, StageKind
from halcrm.services.board.cards import Card
from halcrm.services.support.context import CompanyConversation
from halcrm.tui.board_model import UNSTAGED
from halcrm.tui.client import BoardServices
from halcrm.tui.errors import board_action
from halcrm.tui.modals.lost_reason import LostReason
from halcrm.tui.modals.stage_picker import UNSTAGE, StagePicker
from halcrm.tui.screens.agenda import AgendaScreen
from halcrm.tui.screens.board_tasks import NextSteps
from halcrm.tui.screens.company import CompanyScreen
from halcrm.tui.screens.contacts import ContactsScreen
from halcrm.tui.screens.conversation import ConversationScreen
from halcrm.tui.screens.help import key_text
from halcrm.tui.screens.inbox import InboxScreen
from halcrm.tui.undo import Edited, Merged, Moved, Removed, StepWritten, Undo, UndoStack
from halcrm.tui.widgets.board import BoardView


class BoardActions(Screen[None]):
    """Actions over the focused card; the board screen supplies the widgets and services."""

    services: BoardServices
    board: BoardView
    clock: Callable[[], datetime]
    undo_stack: UndoStack
    steps: NextSteps

    def request_figures(self) -> None:
        """Asks for fresh summary figures and focus lane (the board screen coalesces them)."""

    def show_status(self) -> None:
        """Redraws the status line (the board screen draws it)."""

    def save_view(self) -> None:
        """Keeps the view toggles for the next start (the board screen does it)."""

    async def undo_merge(self, undo: Merged) -> None:
        """Takes a placeholder merge back (the deal actions do it)."""

    async def undo_edit(self, undo: Edited) -> None:
        """Puts an edit's previous values back (the edit actions do it)."""

    async def undo_delete(self, undo: Removed) -> None:
        """Brings a deleted company back (the edit actions do it)."""

    def key(self, binding_id: str, default: str) -> str:
        """The first key of a binding as the user has it (the config file may remap it)."""
        keymap: dict[str, str] = getattr(self.app, "keymap", {})
        return key_text(keymap.get(binding_id, default).split(",")[0])

    def done(self, text: str) -> None:
        """Announces an undoable write, with the key that takes it back."""
        self.notify(f"{text} ({self.key('board.undo', 'u')} undoes)", timeout=4)

    def _focused(self) -> Card | None:
        card = self.board.focused_card
        if card is None:
            self.notify("No company here.", severity="warning", timeout=2)
        return card

    async def _refresh_cards(self, ids: Iterable[str], flash: bool = True) -> None:
        wanted = set(ids)
        cards = await self.services.cards(sorted(wanted))
        gone = wanted - {card.id for card in cards}
        self.board.apply(cards, gone, wanted if flash else ())
        self.request_figures()

    async def move_card(
        self, card_id: str, key: str | None, *, undoable: bool = True, note: str | None = None
    ) -> bool:
        """Moves a company to the column ``key`` (a stage id, or Unstaged) as an exact write.

        A move into a lost stage first asks for an optional reason (stored as the move's
        ``note``); it then answers False, and the move happens once the reason is given.
        A failed write raises: the action's worker reports it, the card stays where it was.
        """
        card = self.board.model.cards.get(card_id)
        if card is None:
            return False
        if note is None and undoable and self._is_lost(key) and card.stage_id != key:
            self._ask_lost_reason(card, key or "")
            return False
        result = await self.services.move_company(
            card_id, key or None, source=Source.BOARD, note=note or None
        )
        if undoable:
            self.undo_stack.push(Moved(card_id, card.name, card.stage_id))
        if result.applied:
            # What an applied manual move changes on a card is known: drawn now, without a
            # read (the bus echo that follows brings the stored card, idempotently).
            now = self.clock()
            moved = msgspec.structs.replace(
                card,
                stage_id=key or None,
                last_moved_by=Source.BOARD.value,
                last_moved_at=now,
                last_activity_at=now,
                stalled_days=0,
            )
            self.board.apply([moved], (), [card_id])
            self.request_figures()
        else:
            await self._refresh_cards([card_id])
        self.board.focus_card(card_id)
        return True

    @board_action
    async def move_to(self, card_id: str, key: str | None, note: str | None = None) -> None:
        """A move started from a dialog or the palette."""
        await self.move_card(card_id, key, note=note)

    def _is_lost(self, key: str | None) -> bool:
        return bool(key) and self.board.model.stage(key or "").kind is StageKind.LOST

    def _ask_lost_reason(self, card: Card, key: str) -> None:
        def answered(reason: str | None) -> None:
            if reason is not None:  # escape cancels the move; an empty reason is no reason
                self.move_to(card.id, key, reason)

        self.app.push_screen(LostReason(card.name, self.board.model.title(key)), answered)

    @board_action
    async def action_step(self, delta: int) -> None:
        card = self._focused()
        if card is None:
            return
        keys = self.board.model.keys
        at = keys.index(self.board.model.column_of(card)) + delta
        if 0 <= at < len(keys):
            await self.move_card(card.id, keys[at])

    def action_pick_stage(self) -> None:
        card = self._focused()
        if card is not None:
            self.pick_stage_for(card.id)

    def pick_stage_for(self, company_id: str) -> None:
        """Opens the stage picker for a company and moves it to the stage chosen."""
        card = self.board.model.cards.get(company_id)
        if card is None:
            self.notify("That company is not on the board.", severity="warning")
            return

        def picked(choice: str | None) -> None:
            if choice is not None:
                self.move_to(card.id, UNSTAGED if choice == UNSTAGE else choice)

        stages = self.board.model.stages
        self.app.push_screen(StagePicker(card.name, stages, card.stage_id), picked)

    @board_action
    async def action_undo(self) -> None:
        last = self.undo_stack.pop()
        if last is None:
            self.notify("Nothing to undo.", timeout=2)
            return
        try:
            await self._undo(last)
        except BaseException:
            self.undo_stack.push(last)  # not undone: it stays the next thing `u` takes back
            raise

    async def _undo(self, last: Undo) -> None:
        if isinstance(last, StepWritten):
            await self.steps.undo(last)
        elif isinstance(last, Merged):
            await self.undo_merge(last)
        elif isinstance(last, Edited):
            await self.undo_edit(last)
        elif isinstance(last, Removed):
            await self.undo_delete(last)
        elif await self.move_card(last.company_id, last.previous or UNSTAGED, undoable=False):
            where = self.board.model.title(last.previous or UNSTAGED)
            self.notify(f"Undone: {last.name} back to {where}.")

    @board_action
    async def action_open_company(self, company_id: str | None = None) -> None:
        if company_id is None:
            card = self._focused()
            if card is None:
                return
            company_id = card.id
        detail = await self.services.company_detail(company_id)
        talks = await self.services.company_conversations(company_id)
        screen = CompanyScreen(
            detail,
            on_edit=self.edit_company,
            conversations=talks,
            on_conversation=self.open_conversation,
            clock=self.clock,
            on_contacts=self.action_contacts,
            steps=self.steps,
            on_undo=self.action_undo,
        )
        await self.app.push_screen(screen)

    def edit_company(self, company_id: str) -> None:
        """Opens the edit dialog for a company (the edit actions do it)."""

    def action_contacts(self, company_id: str | None = None) -> None:
        """The contacts screen, linking to the focused company (or ``company_id``)."""
        card = self.board.model.cards.get(company_id) if company_id else self.board.focused_card
        names = {c.id: c.name for c in self.board.model.cards.values()}
        screen = ContactsScreen(
            self.services, card.id if card else None, card.name if card else "", names
        )
        self.app.push_screen(screen)

    @board_action
    async def open_conversation(self, talk: CompanyConversation, reply: bool = False) -> None:
        """Shows a conversation's messages, with reply and status keys (``reply``: the reply
        box has the keys at once)."""
        detail = await self.services.conversation(talk.id)
        screen = ConversationScreen(self.services, detail, talk.contact_name, self.clock)
        await self.app.push_screen(screen)
        if reply:
            screen.action_reply()

    @board_action
    async def action_inbox(self) -> None:
        """Every open conversation, website chats of anonymous visitors too."""
        talks = await self.services.inbox()
        await self.app.push_screen(InboxScreen(talks, self.open_conversation, self.clock))

    async def refresh_company_screen(
        self, ids: set[str], conversation_ids: set[str] | frozenset[str] = frozenset()
    ) -> None:
        """Keeps open company, inbox and conversation screens current when a signal touched
        them (a chat's message names its conversation even when it has no company)."""
        for screen in self.app.screen_stack:
            if isinstance(screen, AgendaScreen) and ids:
                await screen.reload()
                continue
            if isinstance(screen, InboxScreen) and conversation_ids:
                screen.show(await self.services.inbox())
                continue
            if isinstance(screen, ConversationScreen) and screen.detail.id in conversation_ids:
                await screen.reload()
                continue
            if isinstance(screen, CompanyScreen) and screen.detail.company.id in ids:
                company_id = screen.detail.company.id
                try:
                    detail = await self.services.company_detail(company_id)
                    talks = await self.services.company_conversations(company_id)
                except NotFound:
                    screen.dismiss(None)
                    continue
                screen.show(detail, talks)
            elif isinstance(screen, ConversationScreen) and ids & set(screen.detail.company_ids):
                await screen.reload()
