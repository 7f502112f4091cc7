"""The focus lane: the strip, the full view, and every answer from the keyboard."""

from __future__ import annotations

from decimal import Decimal

import pytest
from textual.widgets import Label, OptionList, Static

from halcrm.domain.clock import MutableClock
from halcrm.domain.stages import Source
from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyCreate
from halcrm.services.tasks.inputs import TaskCreate
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.snooze import SnoozeUntil
from halcrm.tui.modals.stage_picker import StagePicker
from halcrm.tui.screens.company import CompanyScreen
from halcrm.tui.screens.focus import FocusScreen
from tests.conftest import FIXED_NOW
from tests.tui.helpers import board, column_of, ready, text_of, until


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock(FIXED_NOW)


@pytest.fixture
async def quiet(services: Services, clock: MutableClock) -> Services:
    """Two warm deals gone quiet for 11 days: Dune ($9,000, Negotiation), Cobalt ($5,000,
    Proposal); both stalled, Dune ranked first (more value)."""
    for cid, name, stage, deal in (
        ("dune", "Dune Ltd", "negotiation", 9000),
        ("cobalt", "Cobalt Co", "proposal", 5000),
    ):
        body = CompanyCreate(id=cid, name=name, stage=stage, deal_value=Decimal(deal))
        await services.companies.create(body)
    clock.advance(days=11)
    return services


@pytest.fixture
def lane_app(quiet: Services, clock: MutableClock) -> HalcrmApp:
    return HalcrmApp(quiet, quiet.bus, clock=clock)


async def lane_ids(services: Services) -> list[str | None]:
    return [item.company_id for item in await services.board.focus_lane()]


async def open_lane(pilot) -> FocusScreen:  # type: ignore[no-untyped-def]
    screen = await ready(pilot)
    await until(pilot, lambda: len(screen.figures.lane) == 2, "the lane")
    await pilot.press("F")
    await until(pilot, lambda: isinstance(pilot.app.screen, FocusScreen), "focus screen")
    focus = pilot.app.screen
    assert isinstance(focus, FocusScreen)
    return focus


async def test_strip_shows_the_reasons_and_toggles(lane_app: HalcrmApp) -> None:
    async with lane_app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await until(pilot, lambda: "Dune Ltd" in text_of(lane_app, "#focus-strip"), "strip")
        strip = text_of(lane_app, "#focus-strip")
        assert "$9k in Negotiation, no activity for 11 d" in strip
        assert strip.index("Dune Ltd") < strip.index("Cobalt Co")
        assert screen.strip.display
        await pilot.press("f")
        assert not screen.strip.display
        await pilot.press("f")
        assert screen.strip.display


async def test_done_and_dismiss_are_stored_and_leave_the_lane(
    lane_app: HalcrmApp, quiet: Services
) -> None:
    async with lane_app.run_test(size=(120, 36)) as pilot:
        focus = await open_lane(pilot)
        assert [i.company_id for i in focus.items] == ["dune", "cobalt"]
        await pilot.press("d")  # Dune: done
        await until(pilot, lambda: [i.company_id for i in focus.items] == ["cobalt"], "done")
        assert await lane_ids(quiet) == ["cobalt"]
        await pilot.press("x")  # Cobalt: dismissed
        await until(pilot, lambda: focus.items == [], "dismissed")
        assert await lane_ids(quiet) == []
        assert focus.has_class("-empty")
        await pilot.press("escape")
        assert "Nothing needs you right now" in text_of(lane_app, "#focus-strip")


async def test_snooze_until_a_date(
    lane_app: HalcrmApp, quiet: Services, clock: MutableClock
) -> None:
    async with lane_app.run_test(size=(120, 36)) as pilot:
        focus = await open_lane(pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(lane_app.screen, SnoozeUntil), "snooze dialog")
        await pilot.press("backspace", "backspace", *"soon", "enter")
        await pilot.pause()
        error = str(lane_app.screen.query_one("#error", Label).render())
        assert (
            error
            == "until: 'soon' is not a date; try 12h, tomorrow, fri, 3d, 2w, 2026-12-24 or fri 9:00"
        )
        assert await lane_ids(quiet) == ["dune", "cobalt"]  # nothing stored
        await pilot.press(*["backspace"] * 4, *"2026-12-09", "enter")
        await until(pilot, lambda: [i.company_id for i in focus.items] == ["cobalt"], "snoozed")
        assert await lane_ids(quiet) == ["cobalt"]
        clock.advance(days=2)  # 2026-12-10: past the snooze, Dune is back
        assert await lane_ids(quiet) == ["dune", "cobalt"]


async def test_open_and_move_from_the_lane(lane_app: HalcrmApp, quiet: Services) -> None:
    async with lane_app.run_test(size=(120, 36)) as pilot:
        focus = await open_lane(pilot)
        await pilot.press("down", "o")  # Cobalt (enter does its action)
        await until(pilot, lambda: isinstance(lane_app.screen, CompanyScreen), "company")
        assert "Cobalt Co" in text_of(lane_app, "#title")
        await pilot.press("escape")
        await until(pilot, lambda: lane_app.screen is focus, "back to the lane")
        await pilot.press("m")
        await until(pilot, lambda: isinstance(lane_app.screen, StagePicker), "picker")
        await pilot.press("down", "down", "enter")  # Proposal -> Won
        await until(pilot, lambda: column_of(lane_app, "cobalt") == "won", "cobalt won")
        assert (await quiet.companies.get("cobalt")).stage == "Won"
        await until(pilot, lambda: [i.company_id for i in focus.items] == ["dune"], "won leaves")
        assert board(lane_app).board.model.cards["cobalt"].stalled_days == 0


def lane_rows(focus: FocusScreen) -> list[list[str]]:
    """Each row's lines as drawn (a row's text is laid out by the screen, not by the list)."""
    options = focus.query_one(OptionList)
    return [
        str(options.get_option_at_index(n).prompt).split("\n") for n in range(options.option_count)
    ]


async def test_a_narrow_lane_puts_the_action_under_the_name_and_a_wide_one_beside_it(
    lane_app: HalcrmApp,
) -> None:
    async with lane_app.run_test(size=(80, 24)) as pilot:
        focus = await open_lane(pilot)
        width = focus.query_one(OptionList).scrollable_content_region.width
        first, *rest = lane_rows(focus)[0]
        assert first.startswith("◷ stalled")
        assert "Dune Ltd" in first
        assert "$9k" in first
        assert "→" not in first
        # Under the company's name, never back at the margin, and never wider than the list.
        assert rest[0].startswith(" " * first.index("Dune Ltd") + "→ Re-engage")
        assert all(line.startswith(" " * first.index("Dune Ltd")) for line in rest)
        assert all(len(line) <= width for row in lane_rows(focus) for line in row)
        await pilot.resize_terminal(160, 40)
        await until(pilot, lambda: len(lane_rows(focus)[0]) == 1, "one line a row")
        [row] = lane_rows(focus)[0]
        assert row.index("Dune Ltd") < row.index("$9k") < row.index("→ Re-engage ·")
        assert row.count("Dune Ltd") == 1  # the action does not name the row's company again
        assert row.endswith("$9k in Negotiation, no activity for 11 d")


async def test_the_strip_cuts_a_long_step_not_how_late_it_is(
    quiet: Services, clock: MutableClock
) -> None:
    title = "Follow up on the security questionnaire and the data processing agreement"
    body = TaskCreate(company_id="cobalt", title=title, due="2026-12-05")  # the clock: Dec 8
    await quiet.tasks.create(body, Source.BOARD)
    app = HalcrmApp(quiet, quiet.bus, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        strip = lambda: text_of(app, "#focus-strip")  # noqa: E731
        await until(pilot, lambda: "Cobalt Co" in strip(), "the strip")
        [line] = [line for line in strip().splitlines() if "Cobalt Co" in line]
        assert line.rstrip().endswith("… · 2d overdue"), line
        assert "→ Do “Follow up on the" in line
        assert len(line.rstrip()) <= 78


async def test_the_lane_shows_the_evidence_of_the_highlighted_item(lane_app: HalcrmApp) -> None:
    async with lane_app.run_test(size=(80, 24)) as pilot:
        focus = await open_lane(pilot)
        why = focus.query_one("#evidence", Static)
        first = str(why.render()).splitlines()
        assert first[0] == "Why Dune Ltd · $9k"
        assert any("no activity for 11 days; Negotiation allows" in line for line in first)
        assert any(line.startswith(" • momentum ") for line in first)
        await pilot.press("down")
        await until(pilot, lambda: str(why.render()).startswith("Why Cobalt Co · $5k"), "next")
        assert "Proposal allows" in str(why.render())
