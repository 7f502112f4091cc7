"""The edit dialog takes an expected close date in the board's forms; `u` puts it back."""

from __future__ import annotations

from datetime import date

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot

from halcrm.domain.stages import Source
from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyPatch
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.edit_company import EditCompany
from halcrm.tui.screens.forecast import ForecastScreen
from tests.tui.helpers import ready, text_of, until


async def close_box(pilot: Pilot[None]) -> None:
    """Tabs to the dialog's "Close by" box (its place among the fields may change)."""
    for _ in range(10):
        if getattr(pilot.app.focused, "id", None) == "close":
            return
        await pilot.press("tab")
    raise AssertionError("no Close by box")


async def test_e_sets_the_expected_close_and_u_clears_it(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EditCompany), "edit dialog")
        await close_box(pilot)
        await pilot.press(*"2w", "ctrl+s")
        await until(pilot, lambda: len(screen.undo_stack) == 1, "saved")
        assert (await seeded.companies.get("acme")).expected_close == date(2026, 12, 11)
        await pilot.press("u")
        await until(pilot, lambda: len(screen.undo_stack) == 0, "undone")
        await until(pilot, lambda: app.screen is screen, "board")
        await pilot.pause(0.05)
        assert (await seeded.companies.get("acme")).expected_close is None


async def test_a_time_is_refused_in_words_and_nothing_is_written(
    app: HalcrmApp, seeded: Services
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EditCompany), "edit dialog")
        await close_box(pilot)
        await pilot.press(*"fri 14:30", "ctrl+s")
        dialog = app.screen
        assert isinstance(dialog, EditCompany)
        assert "expected close is a day" in str(dialog.query_one("#error").render())
        await pilot.press("escape")
        assert (await seeded.companies.get("acme")).expected_close is None


async def test_the_summary_says_this_months_expected_total(
    app: HalcrmApp, seeded: Services
) -> None:
    """Acme ($1,000) closes on the 30th: counted; Cobalt ($5,000) in December and a close that
    already passed are not."""
    for company_id, day in (("acme", date(2026, 11, 30)), ("cobalt", date(2026, 12, 5))):
        patch = CompanyPatch(expected_close=day)
        await seeded.companies.update(company_id, patch, source=Source.BOARD)
    summary = await seeded.board.summary()
    assert summary.expected_this_month_cents == 100_000
    await seeded.companies.update(
        "cobalt", CompanyPatch(expected_close=date(2026, 11, 27)), source=Source.BOARD
    )
    assert (await seeded.board.summary()).expected_this_month_cents == 600_000  # today still counts
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(pilot)
        await until(pilot, lambda: "closing $6k" in text_of(app, "#summary"), "closing")


@pytest.mark.parametrize(
    ("size", "full"), [((80, 24), False), ((160, 45), True)], ids=["80x24", "160x45"]
)
async def test_the_summary_line_keeps_the_closing_figure_at_every_width(
    app: HalcrmApp, seeded: Services, size: tuple[int, int], full: bool
) -> None:
    """At 80 columns the line takes its compact form, every figure in view with this month's
    closing last; at 160 it is the full one."""
    await seeded.companies.update(
        "cobalt", CompanyPatch(expected_close=date(2026, 11, 30)), source=Source.BOARD
    )
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await until(pilot, lambda: "closing $5k" in text_of(app, "#summary"), "closing")
        text = text_of(app, "#summary")
        line = screen.query_one("#summary")
        assert cell_len(text) <= line.content_size.width  # nothing cut off
        assert text.startswith("Open $")
        assert ("(staged)" in text and "weighted $" in text) is full
        assert "stalled" in text or "◷ $" in text


async def test_v_opens_the_forecast_from_the_service(app: HalcrmApp, seeded: Services) -> None:
    """Acme ($1,000, Lead) closes in November, Cobalt ($5,000, Proposal) in December; Birch has
    no deal and no date: undated."""
    for company_id, day in (("acme", date(2026, 11, 30)), ("cobalt", date(2026, 12, 5))):
        patch = CompanyPatch(expected_close=day)
        await seeded.companies.update(company_id, patch, source=Source.BOARD)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("V")
        await until(pilot, lambda: isinstance(app.screen, ForecastScreen), "forecast")
        bars = text_of(app, "#bars").splitlines()
        assert bars[0].startswith("Overdue")
        assert bars[1].startswith("Nov 2026")
        assert "$1k" in bars[1]
        assert bars[2].startswith("Dec 2026")
        assert "$5k" in bars[2]
        assert bars[-2].startswith("Undated")
        assert bars[-1].split()[:2] == ["Total", "3"]
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.board_screen, "board")
