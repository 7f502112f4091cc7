"""A new chat message shows at once on the board, from any visitor: a toast and a count of the
conversations waiting on a reply in the status line."""

from __future__ import annotations

import asyncio

from textual.widgets import OptionList

from halcrm.services.container import Services
from halcrm.services.widget.inputs import ChatSend, Identify
from halcrm.tui.app import HalcrmApp
from halcrm.tui.screens.conversation import ConversationScreen
from halcrm.tui.screens.inbox import InboxScreen
from tests.tui.helpers import ready, text_of, until


def toasts(app: HalcrmApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_an_anonymous_visitors_chat_shows_at_once(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot)
        assert "waiting on a reply" not in text_of(app, "#status")
        await seeded.widget.chat_send(
            ChatSend(app_id="local", visitor_id="v_anon", body="Any pricing?")
        )
        await until(pilot, lambda: any("Any pricing?" in t for t in toasts(app)), "the toast")
        await until(pilot, lambda: "✉ 1 waiting on a reply" in text_of(app, "#status"), "the count")
        await seeded.widget.chat_send(ChatSend(app_id="local", visitor_id="v_other", body="Hello?"))
        await until(
            pilot, lambda: "✉ 2 waiting on a reply" in text_of(app, "#status"), "two waiting"
        )


async def test_an_identified_visitors_chat_shows_too_and_a_reply_takes_the_count_down(
    app: HalcrmApp, seeded: Services
) -> None:
    await seeded.widget.identify(Identify(app_id="local", visitor_id="v_jo", email="jo@acme.com"))
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot)
        await seeded.widget.chat_send(ChatSend(app_id="local", visitor_id="v_jo", body="Invoice?"))
        await until(pilot, lambda: any("Invoice?" in t for t in toasts(app)), "the toast")
        await until(pilot, lambda: "✉ 1 waiting on a reply" in text_of(app, "#status"), "the count")
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, InboxScreen), "the inbox")
        await pilot.press("r", *"On its way", "enter")
        await until(
            pilot, lambda: "waiting on a reply" not in text_of(app, "#status"), "none waiting"
        )


async def test_a_conversation_shows_each_message_once_after_overlapping_reloads(
    app: HalcrmApp, seeded: Services
) -> None:
    """The reply's own reload and its signal's reload overlap while the visitor's page is
    open: each message is drawn once."""
    await seeded.widget.chat_send(ChatSend(app_id="local", visitor_id="v_anon", body="Hi"))
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot)
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, InboxScreen), "the inbox")
        await pilot.press("r", *"Hello!", "enter")
        talk = app.screen
        assert isinstance(talk, ConversationScreen)
        await until(pilot, lambda: len(talk.detail.messages) == 2, "the reply")
        await asyncio.gather(talk.reload(), talk.reload(), talk.reload())
        await pilot.pause()
        assert len(talk.query(".message")) == 2
        await seeded.widget.chat_send(ChatSend(app_id="local", visitor_id="v_anon", body="Thanks"))
        await until(pilot, lambda: len(talk.detail.messages) == 3, "the visitor's answer")
        await pilot.pause()
        assert len(talk.query(".message")) == 3


async def test_the_inbox_names_the_company_and_keeps_its_rows_under_the_cursor(
    app: HalcrmApp, seeded: Services
) -> None:
    await seeded.widget.identify(Identify(app_id="local", visitor_id="v_jo", email="jo@acme.com"))
    await seeded.contacts.link((await seeded.contacts.all(email="jo@acme.com")).items[0].id, "acme")
    await seeded.widget.chat_send(ChatSend(app_id="local", visitor_id="v_jo", body="Quote?"))
    await seeded.widget.chat_send(ChatSend(app_id="local", visitor_id="v_anon", body="Pricing?"))
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot)
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, InboxScreen), "the inbox")
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        rows = [t.contact_name for t in inbox.talks]
        jo = next(t for t in inbox.talks if t.companies)
        assert jo.companies == ["Acme Inc"]
        assert "(Acme Inc)" in str(inbox.query_one(OptionList).get_option_at_index(0).prompt) or (
            "(Acme Inc)" in str(inbox.query_one(OptionList).get_option_at_index(1).prompt)
        )
        await pilot.press("down")  # the cursor on the second row
        chosen = inbox.talks[1].id
        # Its writer writes again: the services put the longest wait first, the rows stay.
        first = inbox.talks[0]
        visitor = "v_jo" if first.companies else "v_anon"
        await seeded.widget.chat_send(ChatSend(app_id="local", visitor_id=visitor, body="Hello?"))
        await until(pilot, lambda: inbox.talks[0].message_count == 2, "the inbox redrawn")
        assert [t.contact_name for t in inbox.talks] == rows
        highlighted = inbox.query_one(OptionList).highlighted
        assert highlighted is not None
        assert inbox.talks[highlighted].id == chosen
