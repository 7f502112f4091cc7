"""Partial repaints: after a move or a signal the screen shows what a full repaint would.

The board repaints only the rows and headers a change touched. Textual keeps every other line
as last drawn, so a missed refresh would leave a stale line on screen; these tests read the
lines as Textual would composite them (``render_lines``) and compare them, styles included,
with the lines after every column is repainted in full.
"""

from __future__ import annotations

import gc
from decimal import Decimal
from pathlib import Path

import pytest
from rich.segment import Segment
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget

from halcrm.domain.stages import Source
from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyCreate, CompanyPatch
from halcrm.tui.app import HalcrmApp
from halcrm.tui.widgets.board import FLASH_SECONDS, BoardView
from halcrm.tui.widgets.column import CARD_HEIGHT, StageColumn
from tests.tui.helpers import board, column_of, focused, ready, until

Drawn = list[list[Segment]]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite only: these compare two looks at the screen, which the store does not change;
    on PostgreSQL a signal's event comes back later (its follower publishes it), so a batch
    can land between the two looks and the comparison tells nothing."""
    return str(tmp_path / "halcrm.db")


def drawn(column: StageColumn) -> tuple[Drawn, Drawn]:
    """The header's and the cards' lines as the screen shows them."""

    def lines(widget: Widget) -> Drawn:
        region = Region(0, 0, *widget.size)
        return [list(strip) for strip in widget.render_lines(region)]

    return lines(column.header), lines(column.cards)


def text(column: StageColumn) -> str:
    header, cards = drawn(column)
    return "\n".join("".join(s.text for s in line).rstrip() for line in header + cards)


async def assert_nothing_stale(pilot: Pilot[None], view: BoardView) -> None:
    """Every column shows what a full repaint of every column shows.

    The two looks count only when nothing changed the board's data in between (a live batch,
    a summary read, a flash ending: on a busy machine they land at any time); otherwise they
    are taken again. Lines that differ with the data unchanged are stale."""
    app = pilot.app
    assert isinstance(app, HalcrmApp)
    screen = board(app)

    def marks() -> tuple[int, int, frozenset[str]]:
        flashing = frozenset(i for i in view.model.cards if view.is_flashing(i))
        return screen.figures.loaded, screen.events_applied, flashing

    for _ in range(20):
        await pilot.pause()
        before = marks()
        shown = {column.key: drawn(column) for column in view.columns}
        for column in view.columns:
            column.header.refresh()
            column.cards.refresh()
        await pilot.pause()
        if marks() != before:
            continue
        for column in view.columns:
            assert shown[column.key] == drawn(column), f"stale lines in column {column.key!r}"
        return
    raise AssertionError("the board never stood still for two looks")


async def test_a_move_repaints_both_columns_headers_and_the_focus(
    app: HalcrmApp, seeded: Services
) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        view = screen.board
        assert "Lead  2" in text(view.column("lead"))
        applied = screen.events_applied
        await pilot.press("L")  # Acme: Lead -> Qualified, the focus follows it
        await until(pilot, lambda: column_of(app, "acme") == "qualified", "acme in Qualified")
        await until(pilot, lambda: "Acme Inc" in text(view.column("qualified")), "acme drawn")
        # The move's own event comes back on the bus (later on PostgreSQL, whose follower
        # publishes it): the comparison below starts once the board has taken it.
        await until(pilot, lambda: screen.events_applied > applied, "the move's event")
        assert focused(app) == "acme"
        assert "Acme Inc" not in text(view.column("lead"))
        assert "Lead  1" in text(view.column("lead"))
        assert "Qualified  1" in text(view.column("qualified"))
        assert view.column("qualified").header.has_class("-focused")
        assert not view.column("lead").header.has_class("-focused")
        await assert_nothing_stale(pilot, view)
        applied = screen.events_applied
        await pilot.press("H", "down", "up", "left")  # back to Lead, then the focus wanders
        await until(pilot, lambda: column_of(app, "acme") == "lead", "acme back in Lead")
        await until(pilot, lambda: screen.events_applied > applied, "the move's event")
        await assert_nothing_stale(pilot, view)


async def test_a_long_column_keeps_its_scroll_bounds_and_shows_the_moved_card(
    app: HalcrmApp, seeded: Services
) -> None:
    for n in range(30):
        body = CompanyCreate(id=f"co-{n:02d}", name=f"Co {n:02d}", stage="lead")
        await seeded.companies.create(body, source=Source.BOARD)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        view = screen.board
        lead = view.column("lead").cards
        assert lead.virtual_size.height == 32 * CARD_HEIGHT
        screen.jump_to("co-29")  # the last card: Lead scrolls to the bottom
        await pilot.pause()
        assert lead.scroll_y >= lead.max_scroll_y - CARD_HEIGHT > 0
        await pilot.press("H")  # Co 29: Lead -> Unstaged
        await until(pilot, lambda: column_of(app, "co-29") == "", "co-29 Unstaged")
        await until(pilot, lambda: "Co 29" in text(view.column("")), "co-29 drawn")
        # One card fewer: the bounds shrink and the scroll position stays within them.
        assert lead.virtual_size.height == 31 * CARD_HEIGHT
        assert lead.scroll_y <= lead.max_scroll_y
        assert focused(app) == "co-29"
        await assert_nothing_stale(pilot, view)


async def test_signals_repaint_the_cards_they_touch(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        view = screen.board
        await seeded.companies.update(
            "cobalt", CompanyPatch(deal_value=Decimal(7500)), source=Source.ACCOUNT_API
        )
        await until(pilot, lambda: "$7.5k" in text(view.column("proposal")), "new deal drawn")
        await seeded.companies.move("birch", "won", source=Source.ACCOUNT_API)
        await until(pilot, lambda: "Birch Ltd" in text(view.column("won")), "birch in Won")
        assert "Birch Ltd" not in text(view.column("lead"))
        assert focused(app) == "acme"  # a signal never moves the focus
        await assert_nothing_stale(pilot, view)
        # The flashes end by themselves; the flashed cards are drawn plain again.
        await pilot.pause(FLASH_SECONDS + 0.2)
        assert not any(view.is_flashing(i) for i in ("cobalt", "birch"))
        await assert_nothing_stale(pilot, view)
        assert board(app).events_applied >= 2


async def test_the_feed_shows_the_newest_signal_after_a_burst(
    app: HalcrmApp, seeded: Services
) -> None:
    """The feed repaints at most every PAINT_INTERVAL under a flood, but always catches up."""
    async with app.run_test(size=(170, 40)) as pilot:  # wide enough for the feed
        screen = await ready(pilot)
        feed = screen.feed

        def shown() -> str:
            region = Region(0, 0, *feed.size)
            return "\n".join(strip.text for strip in feed.render_lines(region))

        for n in range(20):
            await seeded.companies.update(
                "acme", CompanyPatch(deal_value=Decimal(100 + n)), source=Source.ACCOUNT_API
            )
        await until(pilot, lambda: screen.events_applied >= 20, "signals applied")
        await until(pilot, lambda: "deal value $119" in shown(), "newest signal drawn")
        assert shown().index("deal value $119") < shown().index("deal value $118")


async def test_the_gc_freeze_ends_with_the_app(app: HalcrmApp) -> None:
    """The board freezes what is alive once drawn (cheap full collections); not beyond."""
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await until(pilot, lambda: gc.get_freeze_count() > 0, "frozen")
    assert gc.get_freeze_count() == 0
