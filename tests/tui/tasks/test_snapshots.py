"""SVG snapshots of the next-step screens over the demo data (fixed clock, fixed ids): the
board's marks, the agenda and the new-step dialog, at 80x24 and 160x45."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from halcrm.config import BoardConfig
from halcrm.tui.modals.next_step import StepDialog
from halcrm.tui.screens.agenda import AgendaScreen
from halcrm.tui.screens.forecast import ForecastScreen
from tests.tui.demo_app import demo_app
from tests.tui.helpers import board, ready, steady_cursors, until

BOTH = pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])


async def figures(pilot: Pilot[None]) -> None:
    await ready(pilot)
    app = pilot.app
    await until(pilot, lambda: board(app).figures.loaded > 0, "figures")  # type: ignore[arg-type]
    await pilot.pause()


@BOTH
def test_board_with_every_mark(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    """Compact cards, one line each: Kestrel "⚑-4d" and Ironwood "⚑-1d" late, Meridian "⚑0d"
    due today at 16:00, Fathom "⚑+1d", Northwind "⚑+3d", Brightpath "⚑+6d", and "⚐" on every
    other card of an open stage; none on Won and Lost; stalled cards keep "◷Nd" first."""

    async def run_before(pilot: Pilot[None]) -> None:
        await figures(pilot)

    app = demo_app(tmp_path, BoardConfig(compact_cards=True))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@BOTH
def test_agenda(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    """`A`: "Agenda Fri 27 Nov (UTC) · 2 overdue · 1 today · 3 in 7 days · 10 no step";
    Overdue (Kestrel late 4d, Ironwood late 1d), Today (Meridian's call at 16:00),
    Next 7 days (Fathom in 1d, Northwind in 3d, Brightpath in 6d), then No next step, the
    largest deal first; the keys in the footer."""

    async def run_before(pilot: Pilot[None]) -> None:
        await figures(pilot)
        await pilot.press("A")
        await until(pilot, lambda: isinstance(pilot.app.screen, AgendaScreen), "agenda")
        screen = pilot.app.screen
        assert isinstance(screen, AgendaScreen)
        await until(pilot, lambda: screen.day is not None, "agenda read")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=size, run_before=run_before)


def test_step_dialog_fits_80x24(snap_compare: Any, tmp_path: Path) -> None:
    """`t` on Ironwood Capital with "Call Maya" and "fri 14:30" typed: the day said under the
    due ("Fri 27 Nov 2026 (today) 14:30"), kind and contact, the keys in sight."""

    async def run_before(pilot: Pilot[None]) -> None:
        screen = await ready(pilot)
        await until(pilot, lambda: screen.figures.loaded > 0, "figures")
        screen.jump_to("ironwood")
        await pilot.press("t")
        await until(pilot, lambda: isinstance(pilot.app.screen, StepDialog), "step dialog")
        await pilot.press(*"Call Maya", "tab", "ctrl+u", *"fri 14:30")
        steady_cursors(pilot.app)  # type: ignore[arg-type]
        await pilot.pause(0.3)

    assert snap_compare(demo_app(tmp_path), terminal_size=(80, 24), run_before=run_before)


@BOTH
def test_forecast(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    """`V`: Overdue (Kestrel, closed a week ago), Nov 2026 (Meridian), Dec 2026 (Ironwood,
    Northwind), Jan 2027 (Orbital), then the months without deals, Undated and the Total:
    bars as long as each total, the weighted part solid, count, total and weighted."""

    async def run_before(pilot: Pilot[None]) -> None:
        await figures(pilot)
        await pilot.press("V")
        await until(pilot, lambda: isinstance(pilot.app.screen, ForecastScreen), "forecast")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=size, run_before=run_before)
