"""`A` opens the agenda: Overdue / Today / Next 7 days / No next step; enter opens the company,
`x` completes and `s` reschedules in place, `u` takes it back. Real keys, both stores."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import OptionList

from halcrm.domain.stages import Source
from halcrm.services.container import Services
from halcrm.services.tasks.inputs import TaskCreate
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.next_step import AskDay, StepDialog
from halcrm.tui.screens.agenda import AgendaScreen
from halcrm.tui.screens.company import CompanyScreen
from tests.tui.helpers import ready, until


def rows(screen: AgendaScreen) -> list[str]:
    listing = screen.query_one(OptionList)
    prompts = [listing.get_option_at_index(i).prompt for i in range(listing.option_count)]
    return [
        (p if isinstance(p, Content) else Content.from_markup(str(p))).plain.strip()
        for p in prompts
    ]


async def seed_day(services: Services) -> None:
    """Acme: a call 3 days late; Cobalt: a demo today. Birch has no next step."""
    for company_id, title, due in (
        ("acme", "Call Jane", "2026-11-24"),
        ("cobalt", "Demo", "2026-11-27"),
    ):
        body = TaskCreate(company_id=company_id, title=title, due=due, kind="call")
        await services.tasks.create(body, Source.BOARD)


async def test_the_agenda_lists_the_day_and_acts_in_place(app: HalcrmApp, seeded: Services) -> None:
    await seed_day(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, AgendaScreen), "agenda")
        screen = app.screen
        assert isinstance(screen, AgendaScreen)
        await until(pilot, lambda: screen.day is not None, "agenda read")
        shown = rows(screen)
        assert shown[0].startswith("Overdue 1")
        assert "late 2d" in shown[1]
        assert "Call Jane" in shown[1]
        assert "Acme Inc" in shown[1]
        assert shown[2].startswith("Today 1")
        assert "Demo" in shown[3]
        assert shown[4].startswith("Next 7 days 0")
        assert shown[5].startswith("No next step 1")
        assert "Birch Ltd" in shown[6]
        # The highlight starts on the first step: x completes it, asks for the next (skipped).
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, StepDialog), "asked for the next")
        await pilot.press("escape")
        await until(pilot, lambda: rows(screen)[0].startswith("Overdue 0"), "completed in place")
        assert "Acme Inc" in rows(screen)[-2]  # acme has no next step now (largest deal first)
        await pilot.press("u")
        await until(pilot, lambda: rows(screen)[0].startswith("Overdue 1"), "undone")
        # s reschedules the highlighted step: the late call moves to Monday.
        await until(pilot, lambda: "Call Jane" in rows(screen)[1], "the call back")
        listing = screen.query_one(OptionList)
        listing.highlighted = 1
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, AskDay), "reschedule dialog")
        await pilot.press("ctrl+u", *"mon", "enter")
        await until(pilot, lambda: rows(screen)[0].startswith("Overdue 0"), "rescheduled")
        assert "in 3d" in rows(screen)[4]
        [call] = (await seeded.tasks.list_tasks(company_id="acme")).items
        assert call.due == "2026-11-30"
        # enter opens the company of the highlighted row.
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CompanyScreen), "company screen")
        assert app.screen.detail.company.id == "acme"  # type: ignore[attr-defined]


async def test_enter_on_a_deal_without_a_step_opens_it_and_t_adds_one(
    app: HalcrmApp, seeded: Services
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, AgendaScreen), "agenda")
        screen = app.screen
        assert isinstance(screen, AgendaScreen)
        await until(pilot, lambda: screen.day is not None, "agenda read")
        assert "Cobalt Co" in rows(screen)[4]  # largest deal first
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, StepDialog), "step dialog")
        await pilot.press(*"Send proposal", "tab", "ctrl+u", *"tomorrow", "enter")
        await until(
            pilot, lambda: screen.day is not None and len(screen.day.upcoming) == 1, "added"
        )
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.board_screen, "back on the board")


async def test_a_long_step_wraps_under_its_title_not_under_its_date(
    app: HalcrmApp, seeded: Services
) -> None:
    title = "Send the security questionnaire back with the SOC 2 report and the DPA signed"
    body = TaskCreate(company_id="acme", title=title, due="2026-11-24", kind="email")
    await seeded.tasks.create(body, Source.BOARD)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, AgendaScreen), "agenda")
        listing = app.screen.query_one(OptionList)
        await until(pilot, lambda: listing.option_count > 2, "agenda read")
        first, *rest = str(listing.get_option_at_index(1).prompt).split("\n")
        assert first.startswith("late 2d")
        assert rest, "a title this long takes two lines at 80 columns"
        assert rest[-1].endswith("· Acme Inc")
        column = first.index("✉")
        assert all(line.startswith(" " * column) for line in rest)
        width = listing.scrollable_content_region.width
        assert all(len(line) <= width for line in [first, *rest])
