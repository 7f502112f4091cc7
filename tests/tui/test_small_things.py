"""The small things of a day's use: a toast on a move, the help's close key, the activity panel
back when the terminal grows, an unknown theme said, amounts as people type them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from textual.geometry import Region
from textual.widgets import Input

from halcrm.config import BoardConfig
from halcrm.services.container import Services
from halcrm.tui.app import HalcrmApp
from halcrm.tui.format import MoneyInputError, parse_money, short_money
from halcrm.tui.modals.edit_company import EditCompany
from halcrm.tui.modals.edit_stage import EditStage
from halcrm.tui.screens.help import HelpScreen
from tests.tui.helpers import board, column_of, ready, until
from tests.tui.test_errors import toasts


async def test_a_move_says_where_the_card_went(app: HalcrmApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("L")
        await until(pilot, lambda: column_of(app, "acme") == "qualified", "moved")
        await until(
            pilot, lambda: any("Moved Acme Inc to Qualified" in t for t in toasts(app)), "toast"
        )
        assert any("(u undoes)" in t for t in toasts(app))


async def test_help_names_its_close_keys(app: HalcrmApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        box = app.screen.query_one("VerticalScroll")
        assert box.border_subtitle == "esc or q or ? closes"
        await pilot.press("question_mark")
        await until(pilot, lambda: app.screen is board(app), "closed by ?")


async def test_the_activity_panel_closed_by_hand_reopens_when_the_terminal_grows(
    seeded: Services, clock
) -> None:
    app = HalcrmApp(seeded, seeded.bus, clock=clock)
    async with app.run_test(size=(200, 40)) as pilot:
        screen = await ready(pilot)
        assert screen.has_class("-activity")
        await pilot.press("a")  # closed by hand, at a wide size: it stays closed while wide
        assert not screen.has_class("-activity")
        await pilot.resize_terminal(210, 40)
        await pilot.pause()
        assert not screen.has_class("-activity")
        await pilot.resize_terminal(120, 40)
        await pilot.resize_terminal(200, 40)  # grown past the width: the panel is back
        await until(pilot, lambda: screen.has_class("-activity"), "panel back")


async def test_an_unknown_theme_is_a_warning(seeded: Services, clock) -> None:
    app = HalcrmApp(seeded, seeded.bus, clock=clock, config=BoardConfig(theme="solarised-ish"))
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await until(
            pilot, lambda: any("unknown theme 'solarised-ish'" in t for t in toasts(app)), "warn"
        )
        assert app.theme == "textual-dark"


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("€15k", Decimal(15000)),
        ("15k", Decimal(15000)),
        ("1.234,50 €", Decimal("1234.50")),
        ("12,5", Decimal("12.5")),
        ("15,000", Decimal(15000)),
        ("$15k", Decimal(15000)),
        ("1.2M", Decimal(1_200_000)),
        ("", None),
    ],
)
def test_the_deal_field_reads_amounts_as_people_type_them(
    typed: str, amount: Decimal | None
) -> None:
    assert parse_money(typed) == amount


def test_a_bad_amount_is_refused_in_plain_words() -> None:
    with pytest.raises(MoneyInputError, match="2 decimals"):
        parse_money("12.345")
    with pytest.raises(MoneyInputError, match="not an amount"):
        parse_money("a lot")


def test_cents_under_a_thousand_are_shown() -> None:
    assert short_money(1250) == "$12.50"
    assert short_money(1200) == "$12"
    assert short_money(1_500_000) == "$15k"


async def test_12_comma_5_is_saved_and_shown_as_12_50(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EditCompany), "edit dialog")
        app.screen.query_one("#deal", Input).value = ""
        await pilot.press("tab", *"12,5", "ctrl+s")
        await until(pilot, lambda: app.screen is board(app), "saved")
        assert (await seeded.companies.get("acme")).deal_value == 12.5
        await until(
            pilot, lambda: board(app).board.model.cards["acme"].deal_value_cents == 1250, "card"
        )
        card = board(app).board.column("lead").cards
        lines = [s.text for s in card.render_lines(Region(0, 0, *card.size))]
        assert any("$12.50" in line for line in lines)


async def test_an_empty_board_says_how_companies_get_there(services: Services, clock) -> None:
    app = HalcrmApp(services, services.bus, server_url="http://127.0.0.1:8765", clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await until(pilot, lambda: screen.has_class("-empty"), "the hint")
        hint = str(screen.query_one("#hint").render())
        assert "n  adds one here" in hint
        assert "halcrm import companies.csv" in hint
        assert "halcrm snippet" in hint
        assert "/playground" in hint
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, EditCompany), "new dialog")
        await pilot.press(*"Delta GmbH", "ctrl+s")
        await until(pilot, lambda: not screen.has_class("-empty"), "the hint gone")


async def test_stages_are_renamed_and_added_from_the_board(
    app: HalcrmApp, seeded: Services
) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await ready(pilot)
        await pilot.press("p")  # the focused column: Lead
        await until(pilot, lambda: isinstance(app.screen, EditStage), "stage dialog")
        await pilot.press("shift+tab", "ctrl+u", *"Leads", "ctrl+s")  # the name, above
        await until(pilot, lambda: screen.board.model.title("lead").startswith("Leads"), "renamed")
        assert [s.name for s in (await seeded.stages.all()).items][:1] == ["Leads"]
        await pilot.press("plus")  # `A` is the agenda (issue 23)
        await until(pilot, lambda: isinstance(app.screen, EditStage), "new stage dialog")
        await pilot.press(*"Demo booked", "tab", *"30", "ctrl+s")
        await until(
            pilot, lambda: any(s.name == "Demo booked" for s in screen.board.model.stages), "new"
        )
        names = [s.name for s in (await seeded.stages.all()).items]
        assert names.index("Demo booked") == names.index("Leads") + 1  # after the focused one
        demo = next(s for s in (await seeded.stages.all()).items if s.name == "Demo booked")
        assert demo.probability == 30
