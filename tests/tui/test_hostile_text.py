"""Words from outside are shown as written on every screen: a company, a contact, a chat
message, a next step written like console markup never ends the board (anyone on the website
can write a chat message; an import or the account API names companies and steps)."""

from __future__ import annotations

from decimal import Decimal

from textual.pilot import Pilot
from textual.widgets import Label

from halcrm.domain.clock import Clock
from halcrm.domain.stages import Source
from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyCreate, ContactCreate
from halcrm.services.support.schemas import ConversationCreate, MessageCreate
from halcrm.services.tasks.inputs import TaskCreate
from halcrm.services.webhooks.inputs import WebhookCreate
from halcrm.services.widget.inputs import ChatSend
from halcrm.tui.app import HalcrmApp
from halcrm.tui.screens.company import CompanyScreen
from tests.tui.helpers import ready, until

MARKUP = "[/] [b]x[/i] [@click=app.quit]q[/] [$accent]"


async def hostile(services: Services) -> None:
    body = CompanyCreate(
        id="evil",
        name=f"Evil {MARKUP}",
        stage="lead",
        deal_value=Decimal(700),
        industry=MARKUP,
        notes=MARKUP,
        metadata={MARKUP: MARKUP},
    )
    await services.companies.create(body, source=Source.BOARD)
    contact = await services.contacts.create(ContactCreate(id="mal", name=f"Mal {MARKUP}"))
    await services.contacts.link(contact.id, "evil")
    words = MessageCreate(author="contact", body=MARKUP)
    await services.support.create(ConversationCreate(contact_id="mal", message=words))
    step = TaskCreate(company_id="evil", title=f"Call {MARKUP}", due="2026-11-01")
    await services.tasks.create(step, Source.ACCOUNT_API)
    hook = WebhookCreate(url="https://hooks.example.com/in?tag=[/]", description=MARKUP)
    await services.webhooks.create(hook)


async def visit(pilot: Pilot[None], keys: str, lands_on: str) -> None:
    """Presses ``keys`` (space-separated), lets the screen draw, and checks the board still
    runs, on the screen named ``lands_on``."""
    await pilot.press(*keys.split())
    await until(pilot, lambda: type(pilot.app.screen).__name__ == lands_on, lands_on)
    await pilot.pause(0.15)
    assert pilot.app.is_running, keys


async def test_every_screen_shows_markup_as_written(seeded: Services, clock: Clock) -> None:
    await hostile(seeded)
    app = HalcrmApp(seeded, seeded.bus, server_url="http://127.0.0.1:0", clock=clock)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        screen = await ready(pilot)
        await until(pilot, lambda: screen.figures.loaded > 0, "the focus strip")
        # A chat message while the board is open: its toast and its feed line.
        chat = ChatSend(app_id="local", visitor_id="v_evil", body=MARKUP)
        await seeded.widget.chat_send(chat)
        await until(pilot, lambda: any(MARKUP in str(n.message) for n in app._notifications))
        await visit(pilot, "", "BoardScreen")
        for key, lands_on in (
            ("F", "FocusScreen"),
            ("A", "AgendaScreen"),
            ("V", "ForecastScreen"),
            ("C", "ContactsScreen"),
            ("W", "WebhooksScreen"),
            ("i enter", "ConversationScreen"),
            ("ctrl+l", "LogScreen"),
        ):
            await visit(pilot, key, lands_on)
            await visit(pilot, "escape " * key.count(" ") + "escape", "BoardScreen")
        await visit(pilot, "slash E v i l enter enter", "CompanyScreen")
        assert isinstance(app.screen, CompanyScreen)
        assert app.screen.detail.company.name == f"Evil {MARKUP}"
        # Asked before a delete: the company's name and the endpoint's URL, as written.
        await visit(pilot, "escape", "BoardScreen")
        await visit(pilot, "d", "Confirm")
        assert f"Delete Evil {MARKUP}?" in str(app.screen.query_one("#question").render())
        await visit(pilot, "n", "BoardScreen")
        await visit(pilot, "W", "WebhooksScreen")
        await visit(pilot, "d", "Confirm")
        assert "tag=[/]?" in str(app.screen.query_one("#question").render())
        await visit(pilot, "n", "WebhooksScreen")


async def test_a_dialog_says_why_it_refuses_what_was_typed_as_typed(
    seeded: Services, clock: Clock
) -> None:
    # The refusal quotes the typing back: "[/]" there ended the board.
    app = HalcrmApp(seeded, seeded.bus, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await visit(pilot, "C", "ContactsScreen")
        await visit(pilot, "n", "NewContact")
        await pilot.press(*"Ana", "tab", *"ana[/]@x", "enter")
        said = app.screen.query_one("#error", Label)
        await until(pilot, lambda: "is not an email address" in str(said.render()))
        assert str(said.render()).startswith("“ana[/]@x”")
        await visit(pilot, "escape", "ContactsScreen")
        await visit(pilot, "escape W n", "NewWebhook")
        await pilot.press(*"ftp://[/]", "enter")
        said = app.screen.query_one("#error", Label)
        await until(pilot, lambda: "Not saved" in str(said.render()), "the refusal")
        assert app.is_running
