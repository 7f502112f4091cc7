"""The board's writes: moves (with undo), create, edit, delete, and opening a company.

Each is a thin call into ``Services`` with ``source=Source.BOARD``; the result is shown at once
from a fresh card read (the bus echo that follows is idempotent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal

from msgspec import UNSET
from textual.screen import Screen

from halcrm.domain.errors import DomainError
from halcrm.domain.stages import Source, StageKind
from halcrm.services.board.cards import Card
from halcrm.services.crm.inputs import CompanyCreate, CompanyPatch
from halcrm.services.crm.merge import MergeUndo
from halcrm.services.facade import Services
from halcrm.services.support.context import CompanyConversation
from halcrm.tui.board_model import UNSTAGED
from halcrm.tui.modals.confirm import Confirm
from halcrm.tui.modals.edit_company import CompanyForm, EditCompany
from halcrm.tui.modals.lost_reason import LostReason
from halcrm.tui.modals.stage_picker import UNSTAGE, StagePicker
from halcrm.tui.screens.company import CompanyScreen
from halcrm.tui.screens.conversation import ConversationScreen
from halcrm.tui.widgets.board import BoardView

# What `u` takes back: a move (company id, column it came from) or a placeholder merge.
Undo = tuple[str, str | None] | MergeUndo


class BoardActions(Screen[None]):
    """Actions over the focused card; the board screen supplies the widgets and services."""

    services: Services
    board: BoardView
    clock: Callable[[], datetime]
    undo_stack: list[Undo]

    def request_figures(self) -> None:
        """Asks for fresh summary figures and focus lane (the board screen coalesces them)."""

    def show_status(self) -> None:
        """Redraws the status line (the board screen draws it)."""

    async def undo_merge(self, undo: MergeUndo) -> None:
        """Takes a placeholder merge back (the deal actions do it)."""

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
        """
        card = self.board.model.cards.get(card_id)
        if card is None:
            return False
        if note is None and undoable and self._is_lost(key) and card.stage_id != key:
            self._ask_lost_reason(card, key or "")
            return False
        try:
            await self.services.move_company(
                card_id, key or None, source=Source.BOARD, note=note or None
            )
        except DomainError as exc:
            self.notify(exc.detail, severity="error")
            return False
        if undoable:
            self.undo_stack.append((card_id, card.stage_id))
        await self._refresh_cards([card_id])
        self.board.focus_card(card_id)
        return True

    def _is_lost(self, key: str | None) -> bool:
        return bool(key) and self.board.model.stage(key or "").kind is StageKind.LOST

    def _ask_lost_reason(self, card: Card, key: str) -> None:
        async def answered(reason: str | None) -> None:
            if reason is not None:  # escape cancels the move; an empty reason is no reason
                await self.move_card(card.id, key, note=reason)

        self.app.push_screen(LostReason(card.name, self.board.model.title(key)), answered)

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

        async def picked(choice: str | None) -> None:
            if choice is not None:
                await self.move_card(card.id, UNSTAGED if choice == UNSTAGE else choice)

        stages = self.board.model.stages
        self.app.push_screen(StagePicker(card.name, stages, card.stage_id), picked)

    async def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo.", timeout=2)
            return
        last = self.undo_stack.pop()
        if isinstance(last, MergeUndo):
            await self.undo_merge(last)
            return
        card_id, previous = last
        if await self.move_card(card_id, previous or UNSTAGED, undoable=False):
            name = self.board.model.cards[card_id].name if card_id in self.board.model.cards else ""
            self.notify(f"Undone: {name} back to {self.board.model.title(previous or UNSTAGED)}.")

    async def action_open_company(self, company_id: str | None = None) -> None:
        if company_id is None:
            card = self._focused()
            if card is None:
                return
            company_id = card.id
        try:
            detail = await self.services.company_detail(company_id)
            talks = await self.services.company_conversations(company_id)
        except DomainError as exc:
            self.notify(exc.detail, severity="error")
            return
        screen = CompanyScreen(
            detail,
            on_edit=self.edit_company,
            conversations=talks,
            on_conversation=self.open_conversation,
            clock=self.clock,
        )
        await self.app.push_screen(screen)

    async def open_conversation(self, talk: CompanyConversation) -> None:
        """Shows a conversation's messages, with reply and status keys."""
        try:
            detail = await self.services.conversation(talk.id)
        except DomainError as exc:
            self.notify(exc.detail, severity="error")
            return
        screen = ConversationScreen(self.services, detail, talk.contact_name, self.clock)
        await self.app.push_screen(screen)

    async def refresh_company_screen(self, ids: set[str]) -> None:
        """Keeps open company and conversation screens current when a signal touched them."""
        for screen in self.app.screen_stack:
            if isinstance(screen, CompanyScreen) and screen.detail.company.id in ids:
                company_id = screen.detail.company.id
                try:
                    detail = await self.services.company_detail(company_id)
                    talks = await self.services.company_conversations(company_id)
                except DomainError:
                    screen.dismiss(None)
                    continue
                screen.show(detail, talks)
            elif isinstance(screen, ConversationScreen) and ids & set(screen.detail.company_ids):
                await screen.reload()

    async def action_edit_company(self) -> None:
        card = self._focused()
        if card is not None:
            await self.edit_company(card.id)

    async def edit_company(self, company_id: str) -> None:
        """Opens the edit dialog for a company and saves what changed."""
        try:
            record = await self.services.company(company_id)
        except DomainError as exc:
            self.notify(exc.detail, severity="error")
            return
        deal = None if record.deal_value is None else Decimal(str(record.deal_value))
        form = CompanyForm(record.name, deal, record.notes)

        async def saved(result: CompanyForm | None) -> None:
            if result is None or result == form:
                return
            patch = CompanyPatch(
                name=result.name if result.name != form.name else UNSET,
                deal_value=result.deal_value if result.deal_value != form.deal_value else UNSET,
                notes=result.notes if result.notes != form.notes else UNSET,
            )
            try:
                await self.services.update_company(company_id, patch, source=Source.BOARD)
            except DomainError as exc:
                self.notify(exc.detail, severity="error")
                return
            await self._refresh_cards([company_id])
            await self.refresh_company_screen({company_id})
            self.board.focus_card(company_id)

        self.app.push_screen(EditCompany(f"Edit {record.name}", form), saved)

    def action_new_company(self) -> None:
        key = self.board.focus_key

        async def created(result: CompanyForm | None) -> None:
            if result is None:
                return
            body = CompanyCreate(
                name=result.name,
                deal_value=result.deal_value,
                notes=result.notes,
                stage=key or None,
            )
            try:
                record = await self.services.create_company(body, source=Source.BOARD)
            except DomainError as exc:
                self.notify(exc.detail, severity="error")
                return
            await self._refresh_cards([record.id])
            self.board.focus_card(record.id)

        title = f"New company in {self.board.model.title(key)}"
        self.app.push_screen(EditCompany(title), created)

    def action_delete_company(self) -> None:
        card = self._focused()
        if card is None:
            return

        async def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                await self.services.delete_company(card.id, source=Source.BOARD)
            except DomainError as exc:
                self.notify(exc.detail, severity="error")
                return
            self.undo_stack = [
                u for u in self.undo_stack if isinstance(u, MergeUndo) or u[0] != card.id
            ]
            self.board.apply([], [card.id])
            self.request_figures()
            self.notify(f"Deleted {card.name}.")

        question = f"Delete {card.name}? Its history goes too; this cannot be undone."
        self.app.push_screen(Confirm(question, yes="Delete"), answered)
