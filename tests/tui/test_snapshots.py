"""SVG snapshots of the main screens over the demo data, with a fixed clock and fixed ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from halcrm.tui.screens.company import CompanyScreen
from halcrm.tui.screens.help import HelpScreen
from tests.tui.demo_app import demo_app
from tests.tui.helpers import ready, until

SIZE = (120, 36)


def test_board(snap_compare: Any, tmp_path: Path) -> None:
    """The board: status line "● serving http://127.0.0.1:8765 · 25 companies · open
    pipeline $…"; columns Unstaged (globex.io and Kim Lee placeholders), Lead (Brightpath
    "◷ 20 d" stalled, Copperleaf and Willow "↯ widget"), Qualified … Won, each header with its
    count and total; globex.io focused at the top of Unstaged; the footer's main keys."""

    async def run_before(pilot: Pilot[None]) -> None:
        await ready(pilot)

    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=run_before)


def test_company_screen(snap_compare: Any, tmp_path: Path) -> None:
    """Ironwood Capital opened with enter: Proposal, deal value $56,000, notes, two contacts,
    and the history: the widget's "Qualified skipped (already_later)" write, the board move
    Unstaged → Proposal, and the viewed_pricing event."""

    async def run_before(pilot: Pilot[None]) -> None:
        screen = await ready(pilot)
        screen.jump_to("ironwood")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, CompanyScreen), "company")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=run_before)


def test_help(snap_compare: Any, tmp_path: Path) -> None:
    """`?` over the board: every key grouped (Board, Everywhere, Company screen) with its
    description, e.g. "H, shift+left  ◀ Move" and "m  Move to…"."""

    async def run_before(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=run_before)


def test_board_at_80x24_with_activity(snap_compare: Any, tmp_path: Path) -> None:
    """The smallest size: 80x24, the activity panel shown with `a` (newest first: the
    widget's skipped Qualified write for Ironwood), columns scrolled so the focused card
    (globex.io, in Unstaged) stays in view."""

    async def run_before(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("a")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=(80, 24), run_before=run_before)
