"""Helpers for board tests: wait for the board (never sleep), read where a card is."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from halcrm.tui.app import HalcrmApp
from halcrm.tui.board_model import UNSTAGED
from halcrm.tui.screens.board import BoardScreen

STEPS = 500


async def until(pilot: Pilot[None], check: Callable[[], object], what: str = "condition") -> None:
    """Lets the app run until ``check()`` holds (bounded; fails with ``what``)."""
    for _ in range(STEPS):
        if check():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def board(app: HalcrmApp) -> BoardScreen:
    assert app.board_screen is not None
    return app.board_screen


async def ready(pilot: Pilot[None]) -> BoardScreen:
    app = pilot.app
    assert isinstance(app, HalcrmApp)
    await until(pilot, lambda: app.board_screen is not None and app.board_screen.loaded, "board")
    await pilot.pause()
    return board(app)


def steady_cursors(app: HalcrmApp) -> None:
    """Stops the text cursors of the current screen blinking (shown, not hidden): a snapshot
    taken half a second later on a slow machine would otherwise catch the cursor off."""
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for area in app.screen.query(TextArea):
        area.cursor_blink = False


def column_of(app: HalcrmApp, company_id: str) -> str | None:
    """The column key (stage id, or "" for Unstaged) the card is drawn in; None when absent."""
    model = board(app).board.model
    for key, ids in model.columns.items():
        if company_id in ids:
            return key
    return None


def focused(app: HalcrmApp) -> str | None:
    return board(app).board.focus_id


__all__ = ["UNSTAGED", "board", "column_of", "focused", "ready", "text_of", "until"]


def text_of(app: HalcrmApp, selector: str) -> str:
    """The plain text a Static shows (on the current screen, or the board's)."""
    from textual.widgets import Static

    screen = app.screen if app.screen.query(selector) else board(app)
    return str(screen.query_one(selector, Static).render())
