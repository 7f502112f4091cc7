"""Ages follow the clock: the ticker repaints cards and strip, and both say the same age."""

from __future__ import annotations

import pytest
from textual.geometry import Region

from halcrm.domain.clock import MutableClock
from halcrm.domain.stages import Source
from halcrm.services.container import Services
from halcrm.tui.app import HalcrmApp
from halcrm.tui.screens import board as board_screen
from halcrm.tui.screens.focus import FocusScreen
from tests.conftest import FIXED_NOW
from tests.tui.helpers import column_of, ready, until


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock(FIXED_NOW)


def drawn(app: HalcrmApp, key: str) -> str:
    assert app.board_screen is not None
    cards = app.board_screen.board.column(key).cards
    return "\n".join(s.text for s in cards.render_lines(Region(0, 0, *cards.size)))


async def test_a_widget_age_stays_current_on_the_card_and_in_the_strip(
    seeded: Services, clock: MutableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(board_screen, "TICK", 0.05)  # the ticker's period, shortened
    await seeded.companies.move("birch", "qualified", source=Source.WIDGET)
    app = HalcrmApp(seeded, seeded.bus, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        assert column_of(app, "birch") == "qualified"
        await until(pilot, lambda: "↯ widget now" in drawn(app, "qualified"), "fresh age")
        await until(pilot, lambda: screen.figures.loaded > 0, "figures")
        clock.advance(minutes=20)
        await until(pilot, lambda: "↯ widget 20m" in drawn(app, "qualified"), "card age")
        await until(pilot, lambda: "20m ago" in str(screen.strip.render()), "strip age")


def lane_rows(app: HalcrmApp) -> list[str]:
    from textual.widgets import OptionList

    options = app.screen.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_the_focus_lane_says_an_age_as_the_strip_does_and_keeps_it_current(
    seeded: Services, clock: MutableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(board_screen, "TICK", 0.05)
    await seeded.companies.move("birch", "qualified", source=Source.WIDGET)
    app = HalcrmApp(seeded, seeded.bus, clock=clock)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await ready(pilot)
        await until(pilot, lambda: screen.figures.loaded > 0, "figures")
        strip = str(screen.strip.render())
        assert "moved it to Qualified <1m ago" in strip
        await pilot.press("F")
        await until(pilot, lambda: isinstance(app.screen, FocusScreen), "the focus lane")
        birch = [row for row in lane_rows(app) if "Qualified" in row]
        # The services' own words say "1 min"; the lane says the strip's "<1m".
        assert birch
        assert "moved it to Qualified <1m ago" in birch[0]
        clock.advance(minutes=20)
        await until(
            pilot,
            lambda: any("moved it to Qualified 20m ago" in row for row in lane_rows(app)),
            "the lane's age moves on",
        )


async def test_a_tick_between_the_lane_push_and_its_compose_keeps_the_board_up(
    seeded: Services, clock: MutableClock
) -> None:
    """The race of the 15 s ticker, made certain: the lane is on the stack, not composed yet,
    when the ticker repaints it. The lane keeps the items and draws them once composed."""
    await seeded.companies.move("birch", "qualified", source=Source.WIDGET)
    app = HalcrmApp(seeded, seeded.bus, clock=clock)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await ready(pilot)
        await until(pilot, lambda: screen.figures.loaded > 0, "figures")
        screen.action_focus_lane()
        lane = app.screen_stack[-1]
        assert isinstance(lane, FocusScreen)
        assert not lane.is_mounted
        screen.tick()  # raised NoMatches here, and from the timer it ended the app
        await until(pilot, lambda: lane.is_mounted, "the lane composed")
        assert app.is_running
        assert any("moved it to Qualified <1m ago" in row for row in lane_rows(app))


async def test_a_timer_that_fails_ends_in_a_toast_not_the_app(
    seeded: Services, clock: MutableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(board_screen, "TICK", 0.05)
    app = HalcrmApp(seeded, seeded.bus, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)

        def broken() -> None:
            raise RuntimeError("the ticker broke")

        monkeypatch.setattr(screen.board, "repaint_ages", broken)
        await until(
            pilot,
            lambda: any("the ticker broke" in str(n.message) for n in app._notifications),
            "the toast",
        )
        await pilot.press("L")  # the board still answers keys
        await until(pilot, lambda: column_of(app, "acme") == "qualified", "acme moved")
        assert app.is_running
