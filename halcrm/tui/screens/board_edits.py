"""The board's company writes: create, edit and delete, each undoable while the board is open."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from halcrm.domain.stages import Source
from halcrm.services.crm.inputs import CompanyCreate, CompanyPatch
from halcrm.services.crm.records import CompanyRecord
from halcrm.tui.errors import board_action
from halcrm.tui.messages import Changed
from halcrm.tui.modals.confirm import Confirm
from halcrm.tui.modals.edit_company import FIELDS, CompanyForm, EditCompany
from halcrm.tui.screens.desk import Part
from halcrm.tui.undo import Edited, Removed


def form_of(record: CompanyRecord) -> CompanyForm:
    deal = None if record.deal_value is None else Decimal(str(record.deal_value))
    return CompanyForm(
        record.name, deal, record.notes, record.domain, record.industry, record.expected_close
    )


def changes(before: CompanyForm, after: CompanyForm) -> dict[str, Any]:
    """The fields the dialog changed, by name."""
    return {f: getattr(after, f) for f in FIELDS if getattr(after, f) != getattr(before, f)}


class Edits(Part):
    """New, edit and delete; `u` takes each back."""

    def edit_focused(self) -> None:
        card = self.desk.focused()
        if card is not None:
            self.edit_company(card.id)

    @board_action
    async def edit_company(self, company_id: str) -> None:
        """Opens the edit dialog for a company and saves what changed."""
        record = await self.desk.services.company(company_id)
        form = form_of(record)

        def saved(result: CompanyForm | None) -> None:
            if result is not None and result != form:
                self.save_edit(company_id, form, result)

        dialog = EditCompany(
            f"Edit {record.name}", form, clock=self.desk.clock, tz=self.desk.board.model.tz
        )
        self.app.push_screen(dialog, saved)

    @board_action
    async def save_edit(self, company_id: str, before: CompanyForm, after: CompanyForm) -> None:
        new = changes(before, after)
        await self.desk.services.update_company(
            company_id, CompanyPatch(**new), source=Source.BOARD
        )
        back = CompanyPatch(**{f: getattr(before, f) for f in new})
        self.desk.undo_stack.push(Edited(company_id, after.name, back))
        await self._after_edit(company_id)
        self.desk.done(f"Saved {after.name}.")

    async def _after_edit(self, company_id: str) -> None:
        await self.desk.refresh_cards([company_id])
        self.desk.changed.publish(Changed(frozenset({company_id})))
        self.desk.board.focus_card(company_id)

    async def undo_edit(self, undo: Edited) -> None:
        record = await self.desk.services.update_company(
            undo.company_id, undo.patch, source=Source.BOARD
        )
        await self._after_edit(undo.company_id)
        self.desk.notify(f"Undone: {record.name} as it was before the edit.")

    def new_company(self) -> None:
        key = self.desk.board.focus_key

        def created(result: CompanyForm | None) -> None:
            if result is not None:
                self.create(result, key or None)

        title = f"New company in {self.desk.board.model.title(key)}"
        dialog = EditCompany(title, clock=self.desk.clock, tz=self.desk.board.model.tz)
        self.app.push_screen(dialog, created)

    @board_action
    async def create(self, form: CompanyForm, stage: str | None) -> None:
        body = CompanyCreate(
            name=form.name,
            deal_value=form.deal_value,
            notes=form.notes,
            domain=form.domain,
            industry=form.industry,
            expected_close=form.expected_close,
            stage=stage,
        )
        record = await self.desk.services.create_company(body, source=Source.BOARD)
        await self.desk.refresh_cards([record.id])
        self.desk.board.focus_card(record.id)
        self.desk.notify(f"Created {record.name}.", timeout=3)

    def delete_focused(self) -> None:
        card = self.desk.focused()
        if card is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete(card.id, card.name)

        undo = self.desk.key("board.undo", "u")
        question = f"Delete {card.name}? Its contacts' links and history go too ({undo} undoes)."
        self.app.push_screen(Confirm(question, yes="Delete"), answered)

    @board_action
    async def delete(self, company_id: str, name: str) -> None:
        # Captured first, in its own read: the undo brings back exactly what the delete took.
        snapshot = await self.desk.services.capture_company(company_id)
        await self.desk.services.delete_company(company_id, source=Source.BOARD)
        self.desk.undo_stack.push(Removed(company_id, name, snapshot))
        self.desk.board.apply([], [company_id])
        self.desk.request_figures()
        self.desk.done(f"Deleted {name}.")

    async def undo_delete(self, undo: Removed) -> None:
        record = await self.desk.services.restore_company(undo.snapshot, source=Source.BOARD)
        await self.desk.refresh_cards([record.id])
        self.desk.board.focus_card(record.id)
        self.desk.notify(f"Undone: {record.name} is back.")
