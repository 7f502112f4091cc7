"""Filter then act, the wide filter, long-column keys, refresh, and the company screen's keys."""

from __future__ import annotations

from decimal import Decimal

from halcrm.domain.stages import Source
from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyCreate, CompanyPatch, ContactCreate
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.edit_company import EditCompany
from halcrm.tui.screens.company import CompanyScreen
from halcrm.tui.screens.conversation import ConversationScreen
from tests.tui.helpers import board, column_of, focused, ready, text_of, until
from tests.tui.test_support import talking

__all__ = ["talking"]


async def test_filter_then_move_acts_on_the_first_match(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("slash", *"cobalt", "enter")
        assert focused(app) == "cobalt"  # not left on the empty Lead column
        assert "1 company" in text_of(app, "#status")
        await pilot.press("L")  # Proposal -> Negotiation, at once
        await until(pilot, lambda: column_of(app, "cobalt") == "negotiation", "cobalt moved")
        assert (await seeded.companies.get("cobalt")).stage == "Negotiation"
        # A live update elsewhere keeps the focus on the same card.
        await seeded.companies.update("acme", CompanyPatch(notes="x"), source=Source.ACCOUNT_API)
        await until(pilot, lambda: board(app).events_applied >= 2, "signal")
        assert focused(app) == "cobalt"


async def test_filter_finds_domain_industry_contacts_and_accents(
    app: HalcrmApp, seeded: Services
) -> None:
    await seeded.companies.update(
        "birch",
        CompanyPatch(domain="birch.io", industry="Forestry", notes=None),
        source=Source.ACCOUNT_API,
    )
    body = CompanyCreate(id="zur", name="Zürich Holdings", stage="lead")
    await seeded.companies.create(body, source=Source.BOARD)
    contact = await seeded.contacts.create(
        ContactCreate(email="ana@cobalt.example", name="Ana Núñez")
    )
    await seeded.contacts.link(contact.id, "cobalt")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        for text, wanted in (
            ("zurich", "zur"),
            ("ZÜRICH", "zur"),
            ("birch.io", "birch"),
            ("forestry", "birch"),
            ("nunez", "cobalt"),
            ("ana@cobalt", "cobalt"),
        ):
            screen.board.refilter(text)
            await pilot.pause()
            assert screen.board.model.visible() == 1, text
            assert focused(app) == wanted, text


async def test_filter_words_match_in_any_order_and_a_quoted_phrase_as_written(
    app: HalcrmApp, seeded: Services
) -> None:
    for email, name in (("jane@cobalt.example", "Jane Park"), ("ann@cobalt.example", "Ann Lee")):
        contact = await seeded.contacts.create(ContactCreate(email=email, name=name))
        await seeded.contacts.link(contact.id, "cobalt")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        for text, shown in (
            ("ann jane", 1),
            ("jane ann", 1),
            ("lee park", 1),
            ('"ann lee"', 1),
            ('"lee park"', 0),  # a phrase is one term: no contact is called that
            ("jane acme", 0),  # every word must be on the same card
        ):
            screen.board.refilter(text)
            await pilot.pause()
            assert screen.board.model.visible() == shown, text
            if shown:
                assert focused(app) == "cobalt", text


async def test_home_end_and_pages_in_a_long_column(app: HalcrmApp, seeded: Services) -> None:
    for n in range(30):
        body = CompanyCreate(id=f"co-{n:02d}", name=f"Co {n:02d}", stage="lead")
        await seeded.companies.create(body, source=Source.BOARD)
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        ids = board(app).board.ids("lead")
        await pilot.press("G")
        assert focused(app) == ids[-1]
        await pilot.press("g")
        assert focused(app) == ids[0]
        await pilot.press("end")
        assert focused(app) == ids[-1]
        await pilot.press("home", "pagedown")
        assert ids.index(focused(app) or "") > 1
        await pilot.press("pageup")
        assert focused(app) == ids[0]


async def test_refresh_reloads_the_board(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        screen.board.model.cards["acme"].name = "stale"
        await pilot.press("R")
        await until(pilot, lambda: screen.board.model.cards["acme"].name == "Acme Inc", "reload")


async def test_enter_on_the_company_screen_opens_the_conversation(
    app: HalcrmApp, seeded: Services, talking: str
) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CompanyScreen), "company screen")
        await pilot.press("enter")  # no Tab first
        await until(pilot, lambda: isinstance(app.screen, ConversationScreen), "conversation")


async def test_reply_text_never_runs_commands(
    app: HalcrmApp, seeded: Services, talking: str
) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CompanyScreen), "company screen")
        await pilot.press("r")  # reply: the conversation opens with the box holding the keys
        await until(pilot, lambda: isinstance(app.screen, ConversationScreen), "conversation")
        screen = app.screen
        assert isinstance(screen, ConversationScreen)
        talk = screen  # stays a ConversationScreen (``app.screen is screen`` narrows ``screen``)
        await until(pilot, lambda: screen.query_one("#reply").has_focus, "reply box")
        await pilot.press(*"edit xoz done")  # e, x, o, z are keys of these screens
        assert app.screen is screen
        assert not isinstance(app.screen, EditCompany)
        assert talk.detail.status == "open"
        await pilot.press("enter")
        await until(pilot, lambda: len(talk.detail.messages) == 2, "the reply")
        assert talk.detail.messages[-1].body == "edit xoz done"
        assert (await seeded.companies.get("acme")).name == "Acme Inc"
        assert (await seeded.companies.get("acme")).deal_value == Decimal(1000)
