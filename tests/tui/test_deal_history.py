"""The company screen's history shows each deal value change beside the stage changes, newest
first, with who made it: an edit on the board, and one from elsewhere while the screen is open."""

from __future__ import annotations

from decimal import Decimal

import pytest

from halcrm.domain.clock import MutableClock
from halcrm.domain.stages import Source
from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyPatch
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.edit_company import EditCompany
from halcrm.tui.screens.company import CompanyScreen
from tests.conftest import FIXED_NOW
from tests.tui.helpers import ready, until


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock(FIXED_NOW)


def history(app: HalcrmApp) -> list[str]:
    text = str(app.screen.query_one("#history").render())
    return text.splitlines()[1:]  # under its title


async def test_a_deal_value_edit_is_in_the_company_history(
    app: HalcrmApp, seeded: Services, clock: MutableClock
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        clock.advance(minutes=5)
        await pilot.press("enter")  # Acme Inc, $1,000 in Lead
        await until(pilot, lambda: isinstance(app.screen, CompanyScreen), "company screen")
        screen = app.screen
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EditCompany), "edit dialog")
        await pilot.press("tab", "ctrl+u", *"2.5k", "ctrl+s")
        await until(pilot, lambda: app.screen is screen, "saved")
        edited = "board deal value: $1,000 → $2,500"
        await until(pilot, lambda: any(edited in line for line in history(app)), "the edit")
        # From elsewhere (the account API), while the screen is open: it follows, on top.
        clock.advance(minutes=5)
        patch = CompanyPatch(deal_value=Decimal("3000.50"))
        await seeded.companies.update("acme", patch, Source.ACCOUNT_API)
        other = "account_api deal value: $2,500 → $3,000.50"
        await until(pilot, lambda: other in history(app)[0], "the other change, newest first")
        lines = history(app)
        assert edited in lines[1]
        assert "board exact: Unstaged → Lead" in lines[-1]  # the stage write, oldest


async def test_a_long_entry_wraps_under_its_words_not_back_at_the_time(
    app: HalcrmApp, seeded: Services, clock: MutableClock
) -> None:
    note = "the founder asked for this after the call with legal " * 2
    await seeded.companies.move("birch", "qualified", source=Source.BOARD, note=note)
    async with app.run_test(size=(80, 30)) as pilot:
        await ready(pilot)
        await pilot.press("l", "enter")  # Birch, alone in Qualified
        await until(pilot, lambda: isinstance(app.screen, CompanyScreen), "company screen")
        await until(pilot, lambda: "Lead → Qualified" in "".join(history(app)), "the move")
        first, *rest = history(app)
        assert "board exact: Lead → Qualified" in first
        indent = first.index("board")
        assert rest[0].startswith(" " * indent)
        assert "legal" in rest[0]
        assert "board exact: Unstaged → Lead" in rest[-1]
        assert all(not line[:indent].strip() for line in rest[:-1])
