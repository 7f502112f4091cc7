"""Contacts on the board: `e` edits name, email, phone, title and tags; `d` deletes, and `u`
brings the contact back whole: its company links, conversations and visitors."""

from __future__ import annotations

from textual.widgets import Input

from halcrm.domain.errors import NotFound
from halcrm.services.container import Services
from halcrm.services.crm.inputs import ContactCreate
from halcrm.services.support.schemas import ConversationCreate, MessageCreate
from halcrm.services.widget.inputs import ChatSend, Identify, IdentifyCompany
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.confirm import Confirm
from halcrm.tui.modals.contact_form import NewContact
from halcrm.tui.screens.contacts import ContactsScreen
from tests.tui.helpers import board, ready, until
from tests.tui.test_errors import toasts
from tests.tui.test_fast_typing import burst


async def open_contacts(pilot) -> ContactsScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    await pilot.press("C")
    await until(pilot, lambda: isinstance(app.screen, ContactsScreen), "contacts")
    screen = app.screen
    assert isinstance(screen, ContactsScreen)
    await until(pilot, lambda: len(screen.found) == 1, "the contacts listed")
    return screen


async def test_e_edits_every_field_and_u_puts_them_back(app: HalcrmApp, seeded: Services) -> None:
    await seeded.contacts.create(ContactCreate(id="jane", email="jane@acme.example", name="Jane"))
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        screen = await open_contacts(pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, NewContact), "the edit dialog")
        dialog = app.screen
        assert dialog.query_one("#email", Input).value == "jane@acme.example"
        # A fast typist: each field's text right after its Tab, in one burst.
        await pilot.press("ctrl+u")
        burst(app, [*"Jane Cho", "tab", "tab", *"+1 555 0100", "tab", *"CFO"])
        burst(app, ["tab", *"vip, billing"])
        await until(
            pilot, lambda: dialog.query_one("#tags", Input).value == "vip, billing", "typed"
        )
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen, "saved")
        await until(pilot, lambda: screen.found[0].name == "Jane Cho", "the list")
        jane = await seeded.contacts.get("jane")
        assert (jane.name, jane.email, jane.phone, jane.tags, jane.metadata) == (
            "Jane Cho",
            "jane@acme.example",
            "+1 555 0100",
            ["vip", "billing"],
            {"title": "CFO"},
        )
        await pilot.press("u")
        await until(pilot, lambda: any("as it was before" in t for t in toasts(app)), "undone")
        jane = await seeded.contacts.get("jane")
        assert (jane.name, jane.phone, jane.tags, jane.metadata) == ("Jane", None, [], {})


async def test_d_deletes_after_asking_and_u_brings_the_contact_back_linked(
    app: HalcrmApp, seeded: Services
) -> None:
    await seeded.contacts.create(ContactCreate(id="jane", email="jane@acme.example", name="Jane"))
    await seeded.contacts.link("jane", "acme")
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        screen = await open_contacts(pilot)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the question")
        assert "conversations" in str(app.screen.query_one("#question").render())
        await pilot.press("y")
        await until(pilot, lambda: screen.found == [], "the contact gone")
        try:
            await seeded.contacts.get("jane")
        except NotFound:
            pass
        else:
            raise AssertionError("jane was not deleted")
        await until(pilot, lambda: board(app).board.model.cards["acme"].contacts == 0, "card")
        await pilot.press("u")
        await until(pilot, lambda: [c.id for c in screen.found] == ["jane"], "jane back")
        jane = await seeded.contacts.get("jane")
        assert (jane.name, jane.email, jane.company_ids) == ("Jane", "jane@acme.example", ["acme"])
        await until(pilot, lambda: board(app).board.model.cards["acme"].contacts == 1, "card")
        await pilot.press("escape", "U")  # redo, from the board: deleted again
        await until(pilot, lambda: board(app).board.model.cards["acme"].contacts == 0, "redo")


async def test_u_after_a_delete_brings_back_her_conversations_and_her_visitor(
    app: HalcrmApp, seeded: Services
) -> None:
    """Jane wrote from the website (visitor v1) and by email: deleted, both conversations go,
    with the card's ✉ count; `u` brings back the contact, her link, both conversations with
    their messages, and the visitor's link to her."""
    identify = Identify(
        app_id="local",
        visitor_id="v1",
        email="jane@acme.example",
        name="Jane",
        company=IdentifyCompany(id="acme"),
    )
    await seeded.widget.identify(identify)
    await seeded.widget.chat_send(ChatSend(app_id="local", visitor_id="v1", body="Annual plan?"))
    jane = (await seeded.contacts.all(email="jane@acme.example")).items[0]
    first = MessageCreate(author="contact", body="Please put our new address on the invoice.")
    talk = await seeded.support.create(
        ConversationCreate(contact_id=jane.id, subject="Invoice", message=first)
    )
    await seeded.support.add_message(talk.id, MessageCreate(author="agent", body="Done."))
    cards = lambda: board(app).board.model.cards["acme"]  # noqa: E731
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await until(pilot, lambda: cards().open_conversations == 2, "the card's ✉ 2")
        screen = await open_contacts(pilot)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the question")
        await pilot.press("y")
        await until(pilot, lambda: screen.found == [], "the contact gone")
        await until(pilot, lambda: cards().open_conversations == 0, "the chats gone from the card")
        assert (await seeded.support.all()).items == []
        await pilot.press("u")
        await until(pilot, lambda: [c.id for c in screen.found] == [jane.id], "jane back")
        said = "Undone: Jane is back, with 1 company link and 2 conversations."
        await until(pilot, lambda: said in toasts(app), "the toast")
        await until(pilot, lambda: cards().open_conversations == 2, "the card's ✉ 2 again")
        assert cards().contacts == 1
        talks = (await seeded.support.all(contact_id=jane.id)).items
        assert sorted(t.subject or "" for t in talks) == ["", "Invoice"]
        again = await seeded.support.get(talk.id)
        assert [(m.author, m.body) for m in again.messages] == [
            ("contact", "Please put our new address on the invoice."),
            ("agent", "Done."),
        ]
        visitors = (await seeded.visitors.all(contact_id=jane.id)).items
        assert [v.visitor_id for v in visitors] == ["v1"]
