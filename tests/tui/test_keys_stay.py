"""Keys stay where the founder types: the reply box keeps them after a send, `q` in a text box
is a letter, and a board that serves the website asks before it quits."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

from textual.screen import ModalScreen
from textual.widgets import Input

import halcrm.tui
from halcrm.domain.clock import MutableClock
from halcrm.services.container import Services
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.confirm import Confirm
from tests.conftest import FIXED_NOW
from tests.tui.helpers import board, ready, until
from tests.tui.test_support import open_the_conversation, talking

__all__ = ["talking"]  # the fixture, shared with the support tests


async def test_after_a_reply_the_next_keys_are_typed_not_run(
    app: HalcrmApp, seeded: Services, talking: str
) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        screen = await open_the_conversation(pilot)
        await pilot.press("r", *"Sent it again", "enter")
        await until(pilot, lambda: len(screen.detail.messages) == 2, "the reply")
        box = screen.query_one("#reply", Input)
        assert box.has_focus
        # Each of these is a command outside the box: quit, resolve, reopen, snooze.
        await pilot.press(*"quite so, xoz")
        assert box.value == "quite so, xoz"
        assert app.is_running
        assert app.screen is screen
        assert (await seeded.support.get(talking)).status == "open"
        await pilot.press("escape")  # leaves the box; a second escape leaves the screen
        assert not box.has_focus
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is not screen, "the conversation left")


async def test_q_in_a_text_box_is_a_letter(app: HalcrmApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("slash", "q")
        assert board(app).query_one("#filter", Input).value == "q"
        assert app.is_running


async def test_a_board_serving_the_website_asks_before_it_quits(seeded: Services) -> None:
    app = HalcrmApp(
        seeded,
        seeded.bus,
        server_url="http://127.0.0.1:0",
        clock=MutableClock(FIXED_NOW),
        serves_widget=True,
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the question")
        question = str(app.screen.query_one("#question").render())
        assert "widget" in question
        assert "stop answering" in question
        await pilot.press("n")
        await until(pilot, lambda: app.screen is board(app), "the board again")
        assert app.is_running
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the question again")
        await pilot.press("y")
        await until(pilot, lambda: not app.is_running, "the board quit")


async def test_a_board_that_does_not_serve_quits_at_once(app: HalcrmApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running, "the board quit")


def test_every_dialog_closes_with_escape() -> None:
    # Each dialog's keys line ends "esc cancel": one shown without the binding (the step's
    # choices, a bare picker, once were) held the board until a choice was made.
    for module in pkgutil.walk_packages(halcrm.tui.__path__, "halcrm.tui."):
        importlib.import_module(module.name)
    dialogs = [cls for cls in _subclasses(ModalScreen) if cls.__module__.startswith("halcrm.")]
    assert len(dialogs) >= 10
    for cls in dialogs:
        assert "escape" in cls._merge_bindings().key_to_bindings, cls.__name__


def _subclasses(cls: type[Any]) -> Iterator[type[Any]]:
    subs: list[type[Any]] = cls.__subclasses__()
    for sub in subs:
        yield sub
        yield from _subclasses(sub)
