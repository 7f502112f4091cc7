"""A first run's empty board offers demo data (the CLI hands the board the seeding): `y`
loads it onto the board, `n` leaves the board empty, and a board given no way to seed (the
``--connect`` one) never asks."""

from __future__ import annotations

import time

from halcrm.cli.board import demo_seeder
from halcrm.cli.demo import COMPANIES, PLACEHOLDER_PEOPLE
from halcrm.domain.clock import Clock
from halcrm.services.container import Services
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.confirm import Confirm
from tests.tui.helpers import board, ready, text_of, until

SIZE = (160, 45)


def empty_app(services: Services, clock: Clock, *, offer: bool) -> HalcrmApp:
    return HalcrmApp(
        services,
        services.bus,
        server_url="http://127.0.0.1:0",
        clock=clock,
        seed_demo=demo_seeder(services) if offer else None,
    )


async def test_yes_loads_the_demo_onto_the_empty_board(services: Services, clock: Clock) -> None:
    app = empty_app(services, clock, offer=True)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the demo offer")
        await pilot.press("y")
        wanted = len(COMPANIES) + len(PLACEHOLDER_PEOPLE)
        deadline = time.monotonic() + 60  # a few hundred writes: slow on a busy machine
        while len(board(app).board.model.cards) < wanted and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert len(board(app).board.model.cards) == wanted
        await until(
            pilot,
            lambda: any("Demo data loaded" in str(n.message) for n in app._notifications),
            "the toast",
        )
        # Its chats were written hours ago: the status line counts them, no toast announces
        # them as new (they covered half the board at 80x24).
        assert "waiting on a reply" in text_of(app, "#status")
        assert not any("✉" in str(n.message) for n in app._notifications)
    assert len((await services.companies.all(limit=100)).items) == wanted


async def test_no_leaves_the_board_empty(services: Services, clock: Clock) -> None:
    app = empty_app(services, clock, offer=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the demo offer")
        await pilot.press("n")
        await until(pilot, lambda: app.screen is screen, "the board")
        assert board(app).board.model.cards == {}
    assert (await services.companies.all()).items == []


async def test_a_board_without_a_seeder_never_asks(services: Services, clock: Clock) -> None:
    app = empty_app(services, clock, offer=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        for _ in range(10):
            await pilot.pause(0.02)
        assert app.screen is screen
