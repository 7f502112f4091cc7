"""`u` takes back every manual write of the board, newest first, each announced with its key."""

from __future__ import annotations

from halcrm.domain.errors import NotFound
from halcrm.services.container import Services
from halcrm.services.crm.inputs import ContactCreate
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.edit_company import EditCompany
from tests.tui.helpers import column_of, focused, ready, until
from tests.tui.test_errors import toasts


async def test_undo_an_edit_puts_the_previous_values_back(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EditCompany), "edit dialog")
        await pilot.press("ctrl+u", *"Acme Robotics", "tab", "ctrl+u", *"$15k", "tab")
        await pilot.press(*"acme.io", "tab", *"Robots", "ctrl+s")
        await until(pilot, lambda: any("Saved Acme Robotics" in t for t in toasts(app)), "saved")
        stored = await seeded.companies.get("acme")
        assert (stored.name, stored.deal_value, stored.domain, stored.industry) == (
            "Acme Robotics",
            15000,
            "acme.io",
            "Robots",
        )
        assert any("(u undoes)" in t for t in toasts(app))
        await pilot.press("u")
        await until(pilot, lambda: any("as it was before" in t for t in toasts(app)), "undone")
        stored = await seeded.companies.get("acme")
        assert (stored.name, stored.deal_value, stored.domain, stored.industry) == (
            "Acme Inc",
            1000,
            None,
            None,
        )


async def test_undo_a_delete_brings_the_company_back_whole(
    app: HalcrmApp, seeded: Services
) -> None:
    contact = await seeded.contacts.create(ContactCreate(email="jo@acme.example", name="Jo"))
    await seeded.contacts.link(contact.id, "acme")
    await seeded.companies.move("acme", "qualified")
    history_before = [
        (h.type, h.requested_stage) for h in (await seeded.companies.history("acme")).items
    ]
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("l", "d")  # Qualified: Acme
        await pilot.pause()
        await pilot.press("y")
        await until(pilot, lambda: column_of(app, "acme") is None, "acme gone")
        try:
            await seeded.companies.get("acme")
        except NotFound:
            pass
        else:
            raise AssertionError("acme was not deleted")
        await pilot.press("u")
        await until(pilot, lambda: column_of(app, "acme") == "qualified", "acme back")
        assert focused(app) == "acme"
    back = await seeded.companies.get("acme")
    assert (back.name, back.stage, back.deal_value) == ("Acme Inc", "Qualified", 1000)
    detail = await seeded.board.company_detail("acme")
    assert [c.email for c in detail.contacts] == ["jo@acme.example"]
    history = [(h.type, h.requested_stage) for h in (await seeded.companies.history("acme")).items]
    assert history == history_before


async def test_undo_is_newest_first_over_moves_and_edits(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("L")
        await until(pilot, lambda: column_of(app, "acme") == "qualified", "moved")
        await pilot.press("L")
        await until(pilot, lambda: column_of(app, "acme") == "proposal", "moved twice")
        await pilot.press("u")
        await until(pilot, lambda: column_of(app, "acme") == "qualified", "one back")
        await pilot.press("u")
        await until(pilot, lambda: column_of(app, "acme") == "lead", "two back")
        assert (await seeded.companies.get("acme")).stage == "Lead"
        await pilot.press("u")
        await until(pilot, lambda: any("Nothing to undo" in t for t in toasts(app)), "empty")
