"""Support context on the board: conversation marks, the company's conversations, reply and
status changes, through real key presses."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from halcrm.services.container import Services
from halcrm.services.crm.inputs import ContactCreate
from halcrm.services.support.schemas import ConversationCreate, MessageCreate
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.snooze import SnoozeUntil
from halcrm.tui.screens.company import CompanyScreen
from halcrm.tui.screens.conversation import ConversationScreen
from halcrm.tui.screens.inbox import InboxScreen
from tests.tui.helpers import board, ready, text_of, until


@pytest.fixture
async def talking(seeded: Services) -> str:
    """Jane (Acme) wrote "Where is my invoice?" and waits for an answer."""
    contact = await seeded.contacts.create(
        ContactCreate(id="jane", email="jane@acmeinc.com", name="Jane Cho")
    )
    await seeded.contacts.link(contact.id, "acme")
    talk = await seeded.support.create(
        ConversationCreate(
            contact_id="jane",
            subject="Invoice",
            message=MessageCreate(author="contact", body="Where is my invoice?"),
        )
    )
    return talk.id


def card_talks(app: HalcrmApp, company_id: str) -> int:
    return board(app).board.model.cards[company_id].open_conversations


async def open_the_conversation(pilot) -> ConversationScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    await pilot.press("enter")  # Acme is focused
    await until(pilot, lambda: isinstance(app.screen, CompanyScreen), "company screen")
    app.screen.query_one("#conversations", OptionList).focus()
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, ConversationScreen), "conversation")
    screen = app.screen
    assert isinstance(screen, ConversationScreen)
    return screen


async def test_company_lists_conversations_and_the_card_is_marked(
    app: HalcrmApp, talking: str
) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        assert card_talks(app, "acme") == 1
        assert card_talks(app, "birch") == 0
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CompanyScreen), "company screen")
        assert "Conversations (1, 1 waiting)" in text_of(app, "#talks")
        options = app.screen.query_one("#conversations", OptionList)
        prompt = str(options.get_option_at_index(0).prompt)
        assert "✉ open" in prompt
        assert "Jane Cho" in prompt
        assert "Invoice" in prompt
        assert "waiting <1m" in prompt
        assert "Where is my invoice?" in prompt


async def test_reply_and_resolve_from_the_board(
    app: HalcrmApp, seeded: Services, talking: str
) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        screen = await open_the_conversation(pilot)
        assert "Where is my invoice?" in " ".join(str(s.render()) for s in screen.query(".message"))
        await pilot.press("r", *"Sent it again today", "enter")
        await until(pilot, lambda: len(screen.detail.messages) == 2, "the reply")
        stored = await seeded.support.get(talking)
        assert [(m.author, m.body) for m in stored.messages][-1] == (
            "agent",
            "Sent it again today",
        )
        assert "Sent it again today" in str(list(screen.query(".message"))[-1].render())
        await pilot.press("escape", "x")  # the reply box keeps the keys until escape
        await until(pilot, lambda: screen.detail.status == "resolved", "resolved")
        assert (await seeded.support.get(talking)).status == "resolved"
        await until(pilot, lambda: card_talks(app, "acme") == 0, "the card's mark goes")
        await pilot.press("z")
        await until(pilot, lambda: isinstance(app.screen, SnoozeUntil), "snooze dialog")
        await pilot.press("enter")  # 3d
        await until(pilot, lambda: screen.detail.status == "snoozed", "snoozed")
        stored = await seeded.support.get(talking)
        assert stored.status == "snoozed"
        assert stored.snoozed_until is not None
        await pilot.press("o")
        await until(pilot, lambda: screen.detail.status == "open", "reopened")
        await until(pilot, lambda: card_talks(app, "acme") == 1, "the mark is back")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, CompanyScreen), "company again")
        options = app.screen.query_one("#conversations", OptionList)
        await until(
            pilot,
            lambda: "you, just now: Sent it again" in str(options.get_option_at_index(0).prompt),
            "the company's list shows the reply",
        )


async def test_an_inbox_row_is_two_lines_cut_to_the_screen_whatever_the_message(
    app: HalcrmApp, seeded: Services, talking: str
) -> None:
    long = "Hello,\n\nour finance team asks for the invoice of November " + "again " * 30
    await seeded.support.add_message(talking, MessageCreate(author="contact", body=long))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, InboxScreen), "inbox")
        options = app.screen.query_one(OptionList)
        await until(pilot, lambda: options.option_count == 1, "the conversation")
        width = options.scrollable_content_region.width
        head, last = str(options.get_option_at_index(0).prompt).split("\n")
        assert head.startswith("✉ open  waiting ")
        assert "Jane Cho (Acme Inc)  Invoice" in head
        # The message's line breaks are the conversation's: the row shows its start, cut.
        assert last.startswith("Jane Cho, ")
        assert "Hello, our finance team asks" in last
        assert last.endswith("…")
        assert len(last) <= width
