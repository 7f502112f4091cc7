"""The board's company writes: create, edit and delete, each undoable while the board is open."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec

from halcrm.domain.stages import Source
from halcrm.services.crm.inputs import CompanyCreate, CompanyPatch
from halcrm.services.crm.records import CompanyRecord
from halcrm.tui.errors import board_action
from halcrm.tui.messages import Changed
from halcrm.tui.modals.confirm import Confirm
from halcrm.tui.modals.edit_company import FIELDS, CompanyForm, EditCompany
from halcrm.tui.screens.desk import Part
from halcrm.tui.undo import Created, Edited, Removed


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
        """Opens the edit dialog for a company; it saves what changed and stays open, with
        the reason, when the save fails."""
        record = await self.desk.services.companies.get(company_id)
        form = form_of(record)

        async def save(result: CompanyForm) -> None:
            if result != form:
                await self.save_edit(company_id, form, result)

        def closed(result: CompanyForm | None) -> None:
            if result is not None and result != form:
                self.show_edit(company_id, result.name)

        dialog = EditCompany(
            f"Edit {record.name}",
            form,
            clock=self.desk.clock,
            tz=self.desk.board.model.tz,
            save=save,
        )
        self.app.push_screen(dialog, closed)

    async def save_edit(self, company_id: str, before: CompanyForm, after: CompanyForm) -> None:
        """The write alone (the dialog runs it): what changed, undoable."""
        new = changes(before, after)
        await self.desk.services.companies.update(
            company_id, CompanyPatch(**new), source=Source.BOARD
        )
        back = CompanyPatch(**{f: getattr(before, f) for f in new})
        self.desk.undo_stack.push(Edited(company_id, after.name, back))

    @board_action
    async def show_edit(self, company_id: str, name: str) -> None:
        await self._after_edit(company_id)
        self.desk.done(f"Saved {name}.")

    async def _after_edit(self, company_id: str) -> None:
        await self.desk.refresh_cards([company_id])
        self.desk.changed.publish(Changed(frozenset({company_id})))
        self.desk.board.focus_card(company_id)

    async def undo_edit(self, undo: Edited, word: str) -> Edited:
        """Puts the edited fields back; answers the edit that puts them forward (redo)."""
        services = self.desk.services
        now = form_of(await services.companies.get(undo.company_id))
        fields = [f for f in FIELDS if getattr(undo.patch, f) is not msgspec.UNSET]
        forward = CompanyPatch(**{f: getattr(now, f) for f in fields})
        record = await services.companies.update(undo.company_id, undo.patch, source=Source.BOARD)
        await self._after_edit(undo.company_id)
        self.desk.notify(f"{word}: {record.name} as it was before.")
        return Edited(undo.company_id, record.name, forward)

    def new_company(self) -> None:
        key = self.desk.board.focus_key
        made: list[str] = []

        async def save(form: CompanyForm) -> None:
            made.append(await self.create(form, key or None))

        def closed(result: CompanyForm | None) -> None:
            if result is not None and made:
                self.show_created(made[-1], result.name)

        title = f"New company in {self.desk.board.model.title(key)}"
        dialog = EditCompany(title, clock=self.desk.clock, tz=self.desk.board.model.tz, save=save)
        self.app.push_screen(dialog, closed)

    async def create(self, form: CompanyForm, stage: str | None) -> str:
        """The write alone (the dialog runs it); answers the new company's id."""
        body = CompanyCreate(
            name=form.name,
            deal_value=form.deal_value,
            notes=form.notes,
            domain=form.domain,
            industry=form.industry,
            expected_close=form.expected_close,
            stage=stage,
        )
        record = await self.desk.services.companies.create(body, source=Source.BOARD)
        self.desk.undo_stack.push(Created(record.id, record.name))
        return record.id

    @board_action
    async def show_created(self, company_id: str, name: str) -> None:
        await self.desk.refresh_cards([company_id])
        self.desk.board.focus_card(company_id)
        self.desk.done(f"Created {name}.")

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
        snapshot = await self.desk.services.companies.capture(company_id)
        await self.desk.services.companies.delete(company_id, source=Source.BOARD)
        self.desk.undo_stack.push(Removed(company_id, name, snapshot))
        self.desk.board.apply([], [company_id])
        self.desk.request_figures()
        self.desk.done(f"Deleted {name}.")

    async def undo_delete(self, undo: Removed, word: str) -> Created:
        """Brings a deleted company back as it was; answers what deletes it again."""
        record = await self.desk.services.companies.restore(undo.snapshot, source=Source.BOARD)
        await self.desk.refresh_cards([record.id])
        self.desk.board.focus_card(record.id)
        self.desk.notify(f"{word}: {record.name} is back.")
        return Created(record.id, record.name)

    async def undo_create(self, undo: Created, word: str) -> Removed:
        """Deletes a company made on the board; answers what brings it back."""
        snapshot = await self.desk.services.companies.capture(undo.company_id)
        await self.desk.services.companies.delete(undo.company_id, source=Source.BOARD)
        self.desk.board.apply([], [undo.company_id])
        self.desk.request_figures()
        self.desk.notify(f"{word}: {undo.name} deleted.")
        return Removed(undo.company_id, undo.name, snapshot)
