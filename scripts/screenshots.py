"""Writes SVG screenshots of the real board over demo data (fixed clock) into screenshots/.

The board at 80x24, 120x40, 160x45 and 200x50, the dialogs, and the other screens at 120x40.
``--only NAME`` (repeatable) writes only those shots; ``--out DIR`` writes elsewhere.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from textual.pilot import Pilot
from textual.screen import Screen

from halcrm.cli.board import board_services
from halcrm.cli.demo import seed_demo
from halcrm.domain.clock import fixed_clock
from halcrm.services.container import Services
from halcrm.services.widget.inputs import SetStage
from halcrm.settings import Settings
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.confirm import Confirm
from halcrm.tui.modals.edit_company import EditCompany
from halcrm.tui.modals.edit_stage import EditStage
from halcrm.tui.modals.next_step import StepDialog
from halcrm.tui.modals.stage_picker import StagePicker
from halcrm.tui.modals.webhook_form import NewWebhook
from halcrm.tui.screens.agenda import AgendaScreen
from halcrm.tui.screens.board import BoardScreen
from halcrm.tui.screens.company import CompanyScreen
from halcrm.tui.screens.conversation import ConversationScreen
from halcrm.tui.screens.focus import FocusScreen
from halcrm.tui.screens.forecast import ForecastScreen
from halcrm.tui.screens.help import HelpScreen
from halcrm.tui.screens.webhooks import WebhooksScreen

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
OUT = Path(__file__).resolve().parent.parent / "screenshots"
BOARD_SIZES = ((80, 24), (120, 40), (160, 45), (200, 50))
SIZE = (120, 40)

Steps = Callable[[Pilot[None], BoardScreen, Services], Awaitable[None]]


async def wait(pilot: Pilot[None], check: Callable[[], object], what: str) -> None:
    for _ in range(1000):
        if check():
            return
        await pilot.pause(0.01)
    raise SystemExit(f"screenshots: timed out waiting for {what}")


async def on(pilot: Pilot[None], kind: type[Screen[object]], keys: tuple[str, ...]) -> None:
    await pilot.press(*keys)
    await wait(pilot, lambda: isinstance(pilot.app.screen, kind), kind.__name__)
    await pilot.pause()


async def nothing(pilot: Pilot[None], screen: BoardScreen, services: Services) -> None:
    """The board as it opens."""


async def filtered(pilot: Pilot[None], screen: BoardScreen, services: Services) -> None:
    await pilot.press("slash", *"capital", "enter")
    await pilot.pause()


async def company(pilot: Pilot[None], screen: BoardScreen, services: Services) -> None:
    screen.jump_to("ironwood")
    await on(pilot, CompanyScreen, ("enter",))


async def conversation(pilot: Pilot[None], screen: BoardScreen, services: Services) -> None:
    await company(pilot, screen, services)
    await on(pilot, ConversationScreen, ("enter",))


async def live(pilot: Pilot[None], screen: BoardScreen, services: Services) -> None:
    # A widget signal lands: Copperleaf moves Lead -> Proposal and flashes.
    seen, read = screen.events_applied, screen.figures.loaded
    await services.widget.set_stage(
        SetStage(app_id="local", visitor_id="demo-copperleaf-0", stage="Proposal")
    )
    await wait(pilot, lambda: screen.events_applied > seen, "the signal")
    # The summary line's figures are read after the signal (at most a second later): the shot
    # waits for them, or it shows the totals before the signal, or after, by chance.
    figures = screen.figures
    await wait(pilot, lambda: figures.loaded > read and figures.settled, "the figures after it")
    screen.jump_to("copperleaf")
    await pilot.pause()


async def edit(pilot: Pilot[None], screen: BoardScreen, services: Services) -> None:
    screen.jump_to("ironwood")
    await on(pilot, EditCompany, ("e",))


async def delete(pilot: Pilot[None], screen: BoardScreen, services: Services) -> None:
    screen.jump_to("ironwood")
    await on(pilot, Confirm, ("d",))


async def move_to(pilot: Pilot[None], screen: BoardScreen, services: Services) -> None:
    screen.jump_to("ironwood")
    await on(pilot, StagePicker, ("m",))


async def stage(pilot: Pilot[None], screen: BoardScreen, services: Services) -> None:
    screen.jump_to("ironwood")
    await on(pilot, EditStage, ("p",))


async def focus_lane(pilot: Pilot[None], screen: BoardScreen, services: Services) -> None:
    await on(pilot, FocusScreen, ("F",))


async def keys(pilot: Pilot[None], screen: BoardScreen, services: Services) -> None:
    await on(pilot, HelpScreen, ("question_mark",))


async def agenda(pilot: Pilot[None], screen: BoardScreen, services: Services) -> None:
    await on(pilot, AgendaScreen, ("A",))
    await wait(pilot, lambda: getattr(pilot.app.screen, "day", None) is not None, "the agenda")


async def forecast(pilot: Pilot[None], screen: BoardScreen, services: Services) -> None:
    await on(pilot, ForecastScreen, ("V",))


async def next_step(pilot: Pilot[None], screen: BoardScreen, services: Services) -> None:
    screen.jump_to("ironwood")
    await on(pilot, StepDialog, ("t",))
    await pilot.press(*"Call Maya", "tab", "ctrl+u", *"fri 14:30")


async def new_webhook(pilot: Pilot[None], screen: BoardScreen, services: Services) -> None:
    await on(pilot, WebhooksScreen, ("W",))
    await on(pilot, NewWebhook, ("n",))


SHOTS: dict[str, tuple[tuple[int, int], Steps]] = {
    **{f"board-{w}x{h}": ((w, h), nothing) for w, h in BOARD_SIZES},
    "board": ((160, 45), nothing),
    "filtered-80x24": ((80, 24), filtered),
    "filtered-160x45": ((160, 45), filtered),
    "edit-80x24": ((80, 24), edit),
    "edit": (SIZE, edit),
    "delete-80x24": ((80, 24), delete),
    "move-to": (SIZE, move_to),
    "edit-stage": (SIZE, stage),
    "focus-lane": (SIZE, focus_lane),
    "focus-lane-80x24": ((80, 24), focus_lane),
    "new-webhook-80x24": ((80, 24), new_webhook),
    "company": (SIZE, company),
    "conversation": (SIZE, conversation),
    "live-signal": ((170, 45), live),
    "help": (SIZE, keys),
    "agenda": (SIZE, agenda),
    "agenda-80x24": ((80, 24), agenda),
    "next-step-80x24": ((80, 24), next_step),
    "forecast": (SIZE, forecast),
}


async def shoot(name: str, size: tuple[int, int], steps: Steps, out: Path) -> Path:
    """One screenshot over a fresh demo database (every shot starts from the same board)."""
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
        async with app.run_test(size=size) as pilot:
            await wait(pilot, lambda: app.board_screen and app.board_screen.loaded, "the board")
            screen = app.board_screen
            assert screen is not None
            await wait(pilot, lambda: screen.figures.loaded > 0, "the summary figures")
            await pilot.pause()
            await steps(pilot, screen, services)
            await pilot.pause()
            return Path(app.save_screenshot(f"{name}.svg", str(out)))


async def main(only: list[str], out: Path) -> None:
    for name, (size, steps) in SHOTS.items():
        if not only or name in only:
            print(await shoot(name, size, steps, out), file=sys.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", default=[], choices=sorted(SHOTS))
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(args.only, args.out))
