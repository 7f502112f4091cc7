"""Every card in an open stage shows its next step at a glance, and the mark follows the clock."""

from __future__ import annotations

import pytest
from textual.geometry import Region

from halcrm.config import BoardConfig
from halcrm.domain.clock import MutableClock
from halcrm.domain.stages import Source
from halcrm.services.container import Services
from halcrm.services.tasks.inputs import TaskCreate
from halcrm.tui.app import HalcrmApp
from halcrm.tui.format import step_mark
from halcrm.tui.screens import board as board_screen
from tests.conftest import FIXED_NOW
from tests.tui.helpers import ready, until


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock(FIXED_NOW)  # Friday 27 November 2026, 12:00 UTC


def drawn(app: HalcrmApp, key: str) -> str:
    assert app.board_screen is not None
    cards = app.board_screen.board.column(key).cards
    return "\n".join(s.text for s in cards.render_lines(Region(0, 0, *cards.size)))


async def add(services: Services, company_id: str, due: str) -> None:
    body = TaskCreate(company_id=company_id, title="Call", due=due)
    await services.tasks.create(body, Source.BOARD)


async def test_each_state_has_its_mark_and_the_won_column_none(
    seeded: Services, clock: MutableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(board_screen, "TICK", 0.05)
    await add(seeded, "acme", "2026-11-24")  # overdue since the 25th began
    await add(seeded, "cobalt", "2026-11-30")  # Monday: in 3 days
    await seeded.companies.move("birch", "won", source=Source.BOARD)
    app = HalcrmApp(seeded, seeded.bus, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        lead, proposal = drawn(app, "lead"), drawn(app, "proposal")
        assert "⚑ late 2d" in lead
        assert "⚑ in 3d" in proposal
        assert "⚑" not in drawn(app, "won")
        assert "⚐" not in drawn(app, "won")
        await add(seeded, "birch", "2026-11-27")
        await seeded.companies.move("birch", "lead", source=Source.BOARD)
        await until(pilot, lambda: "⚑ today" in drawn(app, "lead"), "today's mark")
        clock.advance(days=1)  # Saturday: birch's step is now a day late, cobalt's in 2 days
        await until(pilot, lambda: "⚑ in 2d" in drawn(app, "proposal"), "clock moves the mark")
        await until(pilot, lambda: "⚑ late 12h" in drawn(app, "lead"), "late by hours")


async def test_a_card_without_a_step_says_so_compact_too(
    seeded: Services, clock: MutableClock
) -> None:
    await add(seeded, "acme", "2026-11-24")
    app = HalcrmApp(seeded, seeded.bus, clock=clock, config=BoardConfig(compact_cards=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        lines = drawn(app, "lead").splitlines()
        assert lines[0].startswith(" ⚑-2d Acme")
        assert lines[1].startswith(" ⚐ Birch")


def test_step_mark_counts_local_days() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Pacific/Kiritimati")  # UTC+14: 27 Nov 12:00 UTC is 28 Nov 02:00 there
    due = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # the end of the 28th there
    assert step_mark(due, FIXED_NOW, tz) == ("today", "today", "0d")
    assert step_mark(due, FIXED_NOW, UTC)[0] == "upcoming"
    assert step_mark(None, FIXED_NOW, tz) == ("none", "no step", "")
