"""Filter, edit, create, delete and the company screen, through real key presses."""

from __future__ import annotations

from textual.widgets import Static

from halcrm.domain.errors import NotFound
from halcrm.services.container import Services
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.edit_company import EditCompany
from halcrm.tui.screens.company import CompanyScreen
from halcrm.tui.screens.help import HelpScreen
from tests.tui.helpers import board, column_of, focused, ready, until


async def test_filter_shows_only_matching_cards(app: HalcrmApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("slash", *"birch")
        await pilot.pause()
        assert board(app).board.model.visible() == 1
        assert column_of(app, "acme") is None
        assert column_of(app, "birch") == "lead"
        await pilot.press("enter")
        assert focused(app) == "birch"
        assert app.focused is None  # the keys belong to the board again
        await pilot.press("escape")
        assert board(app).board.model.visible() == 3


async def test_edit_renames_and_sets_the_deal_value(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EditCompany), "edit dialog")
        await pilot.press("ctrl+u", *"Acme Robotics", "tab", "ctrl+u", *"2500.50", "ctrl+s")
        await until(
            pilot,
            lambda: board(app).board.model.cards["acme"].name == "Acme Robotics",
            "renamed card",
        )
        stored = await seeded.companies.get("acme")
        assert stored.name == "Acme Robotics"
        assert stored.deal_value == 2500.5
        assert board(app).board.model.cards["acme"].deal_value_cents == 250050


async def test_edit_refuses_a_bad_amount_and_writes_nothing(
    app: HalcrmApp, seeded: Services
) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EditCompany), "edit dialog")
        await pilot.press("tab", "ctrl+u", *"12.345", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EditCompany)  # still open, saying why
        error = app.screen.query_one("#error", Static)
        assert "2 decimals" in str(error.render())
        await pilot.press("escape")
        assert (await seeded.companies.get("acme")).deal_value == 1000


async def test_new_company_lands_in_the_focused_column(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("l", "l")  # Proposal
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, EditCompany), "new dialog")
        await pilot.press(*"Delta GmbH", "tab", *"7000", "ctrl+s")
        await until(pilot, lambda: board(app).board.model.totals["proposal"].count == 2, "card")
        page = await seeded.companies.all(q="delta")
        assert [(c.name, c.stage, c.deal_value) for c in page.items] == [
            ("Delta GmbH", "Proposal", 7000)
        ]
        assert focused(app) == page.items[0].id
        history = await seeded.companies.history(page.items[0].id)
        assert history.items[0].source == "board"


async def test_delete_asks_first_then_deletes(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("n")  # no: nothing happens
        await pilot.pause()
        assert column_of(app, "acme") == "lead"
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await until(pilot, lambda: column_of(app, "acme") is None, "acme gone")
        assert focused(app) == "birch"
        try:
            await seeded.companies.get("acme")
        except NotFound:
            pass
        else:
            raise AssertionError("acme was not deleted")


async def test_enter_opens_the_company_with_its_history(app: HalcrmApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("L")
        await until(pilot, lambda: column_of(app, "acme") == "qualified", "moved")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CompanyScreen), "company screen")

        def history() -> str:  # read in a worker: on a loaded machine after the screen shows
            return str(app.screen.query_one("#history", Static).render())

        await until(pilot, lambda: "Lead → Qualified" in history(), "the history read")
        assert "board exact: Lead → Qualified  applied" in history()
        assert "$1,000" in str(app.screen.query_one("#facts", Static).render())
        await pilot.press("escape")
        assert app.screen is board(app)


async def test_question_mark_lists_every_key(app: HalcrmApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        text = " ".join(str(s.render()) for s in app.screen.query(Static))
        for words in ("Move to…", "Undo", "Filter", "Delete", "Activity", "Quit"):
            assert words in text
