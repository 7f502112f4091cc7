"""The board switches between the database's projects without a restart (issue 17)."""

from __future__ import annotations

from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyCreate
from halcrm.services.widget.inputs import Identify, IdentifyCompany
from halcrm.tui.app import HalcrmApp
from tests.tui.helpers import ready, until


async def test_switch_project_changes_the_columns_and_only_its_signals_land(
    app: HalcrmApp, seeded: Services
) -> None:
    await seeded.projects.create("proj_123", "HAL app")
    other = seeded.for_project("proj_123")
    await other.companies.create(CompanyCreate(id="hal-co", name="Hal Co", stage="qualified"))
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await ready(pilot)
        assert set(screen.board.model.cards) == {"acme", "birch", "cobalt"}
        await pilot.press("P")
        await until(pilot, lambda: type(app.screen).__name__ == "ProjectPicker", "picker")
        await pilot.press("down", "enter")
        await until(pilot, lambda: app.board_screen is not screen, "another board")
        switched = app.board_screen
        assert switched is not None
        await until(pilot, lambda: switched.loaded, "the other board loaded")
        assert set(switched.board.model.cards) == {"hal-co"}
        assert "project proj_123" in str(switched.query_one("#status").render())
        # A widget call to the server's own project does not land on this board...
        await seeded.widget.identify(
            Identify(
                app_id="local",
                visitor_id="v1",
                email="a@acme.dev",
                company=IdentifyCompany(id="x1"),
            )
        )
        # ...one to the board's project does.
        await other.widget.identify(
            Identify(
                app_id="proj_123",
                visitor_id="v2",
                email="b@hal.dev",
                company=IdentifyCompany(id="x2"),
            )
        )
        await until(pilot, lambda: "x2" in switched.board.model.cards, "its signal")
        assert "x1" not in switched.board.model.cards


async def test_the_company_screen_lists_its_visitors(app: HalcrmApp, seeded: Services) -> None:
    await seeded.widget.identify(
        Identify(
            app_id="local",
            visitor_id="browser-7",
            email="jo@acme.dev",
            company=IdentifyCompany(id="acme"),
        )
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "CompanyScreen", "company")
        shown = str(app.screen.query_one("#visitors").render())
        assert "Visitors (1)" in shown
        assert "browser-7" in shown
        assert "jo@acme.dev" in shown
