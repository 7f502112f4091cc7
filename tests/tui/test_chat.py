"""Website chat on the board: a visitor's message lands live, the founder answers with keys."""

from __future__ import annotations

from halcrm.services.container import Services
from halcrm.services.widget.inputs import ChatRead, ChatSend, Identify, IdentifyCompany
from halcrm.tui.app import HalcrmApp
from halcrm.tui.screens.conversation import ConversationScreen
from halcrm.tui.screens.focus import FocusScreen
from halcrm.tui.screens.inbox import InboxScreen
from tests.tui.helpers import board, ready, text_of, until

XSS = "<img src=x onerror=alert(1)> [b]not bold[/b]"


def say(visitor: str, text: str) -> ChatSend:
    return ChatSend(app_id="local", visitor_id=visitor, body=text)


def shown(screen: object) -> str:
    """Every Static's text on a screen, as the user reads it."""
    from rich.text import Text
    from textual.widgets import OptionList, Static

    parts = [str(w.render()) for w in screen.query(Static)]  # type: ignore[attr-defined]
    for options in screen.query(OptionList):  # type: ignore[attr-defined]
        for i in range(options.option_count):
            prompt = options.get_option_at_index(i).prompt
            parts.append(Text.from_markup(prompt).plain if isinstance(prompt, str) else str(prompt))
    return "\n".join(parts)


async def test_an_anonymous_visitors_message_lands_live_and_the_reply_reaches_it(
    app: HalcrmApp, seeded: Services
) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await ready(pilot)
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, InboxScreen), "inbox")
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        assert inbox.talks == []
        await seeded.widget.chat_send(say("v_anon", XSS))
        await until(pilot, lambda: len(inbox.talks) == 1, "the visitor's chat in the inbox")
        assert "waiting" in shown(inbox)
        assert XSS in shown(inbox)  # as text: neither HTML nor Rich markup
        assert any(XSS in s.detail for s in screen.feed.signals)  # the activity panel
        await pilot.press("r")  # open it with the reply box holding the keys
        await until(pilot, lambda: isinstance(app.screen, ConversationScreen), "conversation")
        talk = app.screen
        assert isinstance(talk, ConversationScreen)
        assert XSS in shown(talk)
        await pilot.press(*"hi there", "enter")
        query = ChatRead(app_id="local", visitor_id="v_anon")
        await until(pilot, lambda: len(talk.detail.messages) == 2, "the reply")
        history = await seeded.widget.chat_history(query)
        assert [(m.author, m.body) for m in history.messages] == [
            ("visitor", XSS),
            ("agent", "hi there"),
        ]
        # The visitor writes again: the open conversation screen shows it live.
        await seeded.widget.chat_send(say("v_anon", "thanks!"))
        await until(pilot, lambda: "thanks!" in shown(talk), "the live message")


async def test_an_identified_visitors_message_marks_the_card_and_the_focus_lane(
    app: HalcrmApp, seeded: Services
) -> None:
    await seeded.widget.identify(
        Identify(
            app_id="local",
            visitor_id="v_jo",
            email="jo@acme.com",
            name="Jo",
            company=IdentifyCompany(id="acme"),
        )
    )
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await ready(pilot)
        assert screen.board.model.cards["acme"].open_conversations == 0
        await seeded.widget.chat_send(say("v_jo", "can I get a quote?"))
        await until(
            pilot,
            lambda: board(app).board.model.cards["acme"].open_conversations == 1,
            "the card's ✉ mark",
        )
        lane = await seeded.board.focus_lane()
        assert any(i.company_id == "acme" and i.reason == "waiting_reply" for i in lane)
        # The focus strip says so live, with how long the visitor has waited.
        await until(pilot, lambda: "✉ reply" in text_of(app, "#focus-strip"), "the strip's ✉ reply")
        strip = text_of(app, "#focus-strip")
        assert "✉ reply" in strip
        assert "→ Reply to Jo · waiting <1m" in strip
        await pilot.press("F")
        await until(pilot, lambda: isinstance(app.screen, FocusScreen), "the focus lane")
        assert "Acme Inc" in shown(app.screen)
        # The lane says the wait as the strip does (one formatter), not "1 min".
        assert "→ Reply to Jo · waiting <1m" in shown(app.screen)
