"""The contacts screen: search, open, create, link to and unlink from the company."""

from __future__ import annotations

from textual.widgets import OptionList, Static

from halcrm.services.container import Services
from halcrm.services.crm.inputs import ContactCreate
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.contact_form import NewContact
from halcrm.tui.screens.company import CompanyScreen
from halcrm.tui.screens.contacts import ContactsScreen
from tests.tui.helpers import board, ready, until


async def test_search_create_link_and_unlink_from_the_board(
    app: HalcrmApp, seeded: Services
) -> None:
    await seeded.contacts.create(ContactCreate(id="jane", email="jane@else.example", name="Jane"))
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("C")  # Acme is focused
        await until(pilot, lambda: isinstance(app.screen, ContactsScreen), "contacts")
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        await until(pilot, lambda: len(screen.found) == 1, "the contacts listed")
        await pilot.press("l")  # link Jane to Acme
        await until(pilot, lambda: "acme" in (screen.found[0].company_ids), "linked")
        assert (await seeded.contacts.get("jane")).company_ids == ["acme"]
        await until(pilot, lambda: board(app).board.model.cards["acme"].contacts == 1, "card")
        await pilot.press("x")
        await until(pilot, lambda: screen.found[0].company_ids == [], "unlinked")
        assert (await seeded.contacts.get("jane")).company_ids == []
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NewContact), "new contact dialog")
        await pilot.press(*"Ana Núñez", "tab", *"not-an-email", "enter")
        await pilot.pause()
        assert "not an email" in str(app.screen.query_one("#error", Static).render())
        await pilot.press("ctrl+u", *"ana@acme.example", "enter")
        await until(pilot, lambda: len(screen.found) == 2, "the new contact listed")
        ana = (await seeded.contacts.all(email="ana@acme.example")).items[0]
        assert (ana.name, ana.company_ids) == ("Ana Núñez", ["acme"])
        await pilot.press("slash", *"else jane")  # each word, in the email or the name
        await until(pilot, lambda: [c.id for c in screen.found] == ["jane"], "searched")
        await pilot.press("enter", "enter")  # to the list, then open: the detail shows
        assert "jane@else.example" in str(screen.query_one("#detail", Static).render())
        await pilot.press("escape")
        assert app.screen is board(app)


async def test_contacts_from_the_company_screen(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CompanyScreen), "company")
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ContactsScreen), "contacts")
        assert "linking to Acme Inc" in str(app.screen.query_one("#title", Static).render())
        assert app.screen.query_one("#list", OptionList).has_focus
