"""Writes SVG screenshots of the real board over demo data (fixed clock) into screenshots/."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from textual.widgets import OptionList

from halcrm.board_main import board_services
from halcrm.services.board.demo import seed_demo
from halcrm.services.clock import fixed_clock
from halcrm.services.widget.inputs import SetStage
from halcrm.settings import Settings
from halcrm.tui.app import HalcrmApp
from halcrm.tui.screens.company import CompanyScreen
from halcrm.tui.screens.conversation import ConversationScreen
from halcrm.tui.screens.focus import FocusScreen

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
OUT = Path(__file__).resolve().parent.parent / "screenshots"
SIZE = (120, 36)


async def wait(pilot, check, what: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(1000):
        if check():
            return
        await pilot.pause(0.01)
    raise SystemExit(f"screenshots: timed out waiting for {what}")


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="halcrm-shots-"))
    settings = Settings(data_dir=folder, db=str(folder / "halcrm.db"), account_token_override="x")
    clock = fixed_clock(NOW)
    async with board_services(settings, clock) as services:
        await seed_demo(services)
        app = HalcrmApp(
            services,
            services.bus,
            server_url="http://127.0.0.1:8765",
            server_state=lambda: "serving",
            clock=clock,
        )
        async with app.run_test(size=SIZE) as pilot:
            await wait(pilot, lambda: app.board_screen and app.board_screen.loaded, "the board")
            screen = app.board_screen
            assert screen is not None
            await wait(pilot, lambda: screen.figures_loaded > 0, "the summary figures")
            await pilot.pause()
            app.save_screenshot("board.svg", str(OUT))
            await pilot.press("F")
            await wait(pilot, lambda: isinstance(app.screen, FocusScreen), "the focus lane")
            await pilot.pause()
            app.save_screenshot("focus-lane.svg", str(OUT))
            await pilot.press("escape")
            await wait(pilot, lambda: app.screen is screen, "the board again")
            screen.jump_to("ironwood")
            await pilot.press("enter")
            await wait(pilot, lambda: isinstance(app.screen, CompanyScreen), "the company")
            await pilot.pause()
            app.save_screenshot("company.svg", str(OUT))
            # Ines's open question: the conversation screen, its messages and the reply box.
            options = app.screen.query_one("#conversations", OptionList)
            options.focus()
            await pilot.press("enter")
            await wait(pilot, lambda: isinstance(app.screen, ConversationScreen), "the talk")
            await pilot.pause()
            app.save_screenshot("conversation.svg", str(OUT))
            await pilot.press("escape")
            await wait(pilot, lambda: isinstance(app.screen, CompanyScreen), "the company")
            await pilot.press("escape", "a")
            # A widget signal lands: Copperleaf moves Lead -> Proposal and flashes.
            seen = screen.events_applied
            await services.set_stage(
                SetStage(app_id="local", visitor_id="demo-copperleaf-0", stage="Proposal")
            )
            await wait(pilot, lambda: screen.events_applied > seen, "the signal")
            screen.jump_to("copperleaf")
            await pilot.pause()
            app.save_screenshot("live-signal.svg", str(OUT))
            await pilot.press("question_mark")
            await pilot.pause()
            app.save_screenshot("help.svg", str(OUT))
    for name in ("board", "focus-lane", "company", "conversation", "live-signal", "help"):
        print(OUT / f"{name}.svg", file=sys.stderr)


if __name__ == "__main__":
    asyncio.run(main())
