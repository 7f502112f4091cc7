"""Layout at the sizes founders use: the off-screen count, one form for a card's contacts,
weighted figures that move with the totals, and no scrollbar over a line of text."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from textual.geometry import Region
from textual.scrollbar import ScrollBar
from textual.widgets import Input

from halcrm.domain.stages import Source
from halcrm.services.container import Services
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.edit_company import EditCompany
from tests.conftest import FIXED_NOW
from tests.tui.demo_app import demo_app
from tests.tui.helpers import board, column_of, ready, text_of, until


def cards_text(app: HalcrmApp) -> str:
    lines = []
    for column in board(app).board.columns:
        cards = column.cards
        lines += [s.text for s in cards.render_lines(Region(0, 0, *cards.size))]
    return "\n".join(lines)


async def test_half_visible_columns_are_counted_with_the_activity_panel_open(
    app: HalcrmApp,
) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot)
        assert "▶" not in text_of(app, "#status")  # every column in full
        await pilot.press("a")  # the activity panel takes room from the columns
        await until(pilot, lambda: "▶" in text_of(app, "#status"), "the count of the rest")
        assert board(app).board.off_screen()[1] >= 1
        columns = board(app).board
        last = columns.columns[-1].virtual_region
        assert last.right > columns.scroll_x + columns.scrollable_content_region.width


def test_cards_say_their_contacts_in_one_form(tmp_path: Path) -> None:
    """Sync: the demo database is seeded in a loop of its own, then the board runs in one."""

    async def shown(app: HalcrmApp, size: tuple[int, int]) -> str:
        async with app.run_test(size=size) as pilot:
            await ready(pilot)
            await pilot.pause()
            return cards_text(app)

    for size, form, other in (((80, 24), "ppl", "contact"), ((200, 50), "contact", "ppl")):
        text = asyncio.run(shown(demo_app(tmp_path / f"{size[0]}"), size))
        assert form in text, size
        assert other not in text, size


async def test_the_weighted_figure_moves_with_the_total_on_a_live_signal(
    app: HalcrmApp, seeded: Services
) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await ready(pilot)
        await until(pilot, lambda: screen.figures.loaded > 0, "figures")
        header = board(app).board.column("proposal").header
        assert "$5k · w $2.5k" in str(header.render())  # Proposal at 50 %
        # From elsewhere (the API): Acme ($1k) joins Proposal; the header's two figures change
        # together, before any summary read.
        await seeded.companies.move("acme", "proposal", source=Source.PUBLIC_API)
        await until(pilot, lambda: column_of(app, "acme") == "proposal", "the signal")
        assert "$6k · w $3k" in str(header.render())


def test_the_activity_panel_lists_demo_signals_in_time_order_dated_when_not_today(
    tmp_path: Path,
) -> None:
    async def feed(app: HalcrmApp) -> tuple[list[datetime], list[str]]:
        async with app.run_test(size=(200, 50)) as pilot:
            await ready(pilot)
            feed = board(app).feed
            return [s.at for s in feed.signals], [feed._time(s.at) for s in feed.signals]

    times, shown = asyncio.run(feed(demo_app(tmp_path)))
    assert times == sorted(times, reverse=True)  # newest first
    today = FIXED_NOW.date()
    for at, text in zip(times, shown, strict=True):
        if at.date() == today:
            assert text == at.strftime("%H:%M:%S ")
        else:
            assert text == at.strftime("%b %d %H:%M ")
    assert any(at.date() != today for at in times)  # the demo has older days


def test_no_scrollbar_covers_the_footer_or_a_text_box_at_80x24(tmp_path: Path) -> None:
    """The footer names its keys, `?` among them, and a name longer than its box stays in
    sight while it is typed: no scrollbar is drawn over either line of text."""

    async def look(app: HalcrmApp) -> tuple[str, list[str], str, list[str]]:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await ready(pilot)
            await pilot.pause()
            footer = lines(app)[-1]
            under_footer = bars_on_row(app, 23)
            screen.jump_to("ironwood")
            await pilot.press("e")
            await until(pilot, lambda: isinstance(app.screen, EditCompany), "edit dialog")
            await pilot.press(
                "ctrl+u", *"Ironwood Capital Partners International Holdings", *("x" * 20)
            )
            await pilot.pause()
            name = app.screen.query_one("#name", Input)
            row = name.region.y
            return footer, under_footer, lines(app)[row], bars_on_row(app, row)

    footer, under_footer, name_line, under_name = asyncio.run(look(demo_app(tmp_path)))
    assert "? Keys" in footer
    assert "q Quit" in footer
    assert under_footer == []
    assert "Holdingsxxxxxxxxxxxxxxxxxxxx" in name_line
    assert under_name == []


def lines(app: HalcrmApp) -> list[str]:
    """The screen's rows as drawn."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def bars_on_row(app: HalcrmApp, y: int) -> list[str]:
    """The widgets whose scrollbar is drawn on row ``y``."""
    found = []
    for x in range(app.size.width):
        widget, _ = app.screen.get_widget_at(x, y)
        if isinstance(widget, ScrollBar):
            found.append(type(widget.parent).__name__)
    return sorted(set(found))
