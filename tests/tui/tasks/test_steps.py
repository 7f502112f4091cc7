"""`t` adds a next step with each due form; the company screen completes (asking for the next),
edits, reschedules and deletes; every write comes back with `u`. Real keys, both stores."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from halcrm.domain.stages import Source
from halcrm.services.container import Services
from halcrm.services.tasks.inputs import TaskCreate
from halcrm.services.tasks.records import TaskRecord
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.next_step import AskDay, StepDialog
from halcrm.tui.screens.company import CompanyScreen
from halcrm.tui.widgets.next_steps import StepList
from tests.tui.helpers import focused, ready, until

# The fixed clock: Friday 27 November 2026, 12:00 UTC; the project's zone is UTC.


async def open_tasks(services: Services, company_id: str, status: str = "open") -> list[TaskRecord]:
    return (await services.tasks.list_tasks(company_id=company_id, status=status)).items


async def add_step(pilot: Pilot[None], title: str, due: str) -> None:
    await pilot.press("t")
    await until(pilot, lambda: isinstance(pilot.app.screen, StepDialog), "step dialog")
    await pilot.press(*title, "tab", "ctrl+u", *due, "enter")


@pytest.mark.parametrize(
    ("typed", "due"),
    [
        ("today", "2026-11-27"),
        ("tomorrow", "2026-11-28"),
        ("fri", "2026-11-27"),
        ("3d", "2026-11-30"),
        ("2w", "2026-12-11"),
        ("2026-12-24", "2026-12-24"),
        ("14:30", "2026-11-27T14:30:00+00:00"),
    ],
)
async def test_t_adds_a_step_with_each_due_form_and_u_takes_it_back(
    app: HalcrmApp, seeded: Services, typed: str, due: str
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert focused(app) == "acme"
        await add_step(pilot, "Call Jane", typed)
        await until(pilot, lambda: not isinstance(app.screen, StepDialog), "dialog closed")
        await until(pilot, lambda: len(app.board_screen.undo_stack) != 0, "saved")  # type: ignore[union-attr]
        [task] = await open_tasks(seeded, "acme")
        assert (task.title, task.due, task.kind, task.source) == ("Call Jane", due, "task", "board")
        await pilot.press("u")
        await until(pilot, lambda: len(app.board_screen.undo_stack) == 0, "undone")  # type: ignore[union-attr]
        await pilot.pause(0.05)
        assert await open_tasks(seeded, "acme", "all") == []


async def test_a_bad_due_is_said_in_the_dialog_and_nothing_is_written(
    app: HalcrmApp, seeded: Services
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await add_step(pilot, "Call Jane", "someday")
        dialog = app.screen
        assert isinstance(dialog, StepDialog)
        assert "try today, tomorrow, fri, 3d" in str(dialog.query_one("#error").render())
        await pilot.press("escape")
        assert await open_tasks(seeded, "acme", "all") == []


def shown(screen: CompanyScreen) -> list[TaskRecord]:
    return screen.query_one(StepList).tasks


def status(screen: CompanyScreen) -> str | None:
    return shown(screen)[0].status if shown(screen) else None


async def company_screen(pilot: Pilot[None]) -> CompanyScreen:
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, CompanyScreen), "company screen")
    screen = pilot.app.screen
    assert isinstance(screen, CompanyScreen)
    return screen


async def test_the_company_screen_completes_asks_for_the_next_and_undoes(
    app: HalcrmApp, seeded: Services
) -> None:
    body = TaskCreate(company_id="acme", title="Send proposal", due="2026-11-24", kind="email")
    await seeded.tasks.create(body, Source.BOARD)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        screen = await company_screen(pilot)
        await until(pilot, lambda: len(shown(screen)) == 1, "the step listed")
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, StepDialog), "asked for the next")
        await pilot.press("escape")  # skips
        [done] = await open_tasks(seeded, "acme", "done")
        assert done.title == "Send proposal"
        await until(
            pilot, lambda: shown(screen) and shown(screen)[0].status == "done", "shown done"
        )
        await pilot.press("u")  # reopened
        await until(pilot, lambda: status(screen) == "open", "reopened")
        assert [t.status for t in await open_tasks(seeded, "acme", "all")] == ["open"]


async def test_complete_then_the_next_one_is_saved(app: HalcrmApp, seeded: Services) -> None:
    body = TaskCreate(company_id="acme", title="Demo", due="2026-11-27")
    await seeded.tasks.create(body, Source.BOARD)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        screen = await company_screen(pilot)
        await until(pilot, lambda: len(shown(screen)) == 1, "the step listed")
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, StepDialog), "asked for the next")
        await pilot.press(*"Follow up", "tab", "ctrl+u", *"2w", "enter")
        await until(pilot, lambda: len(shown(screen)) == 2, "the next one listed")
        [following] = await open_tasks(seeded, "acme")
        assert (following.title, following.due) == ("Follow up", "2026-12-11")


async def test_reschedule_edit_delete_and_undo_each(app: HalcrmApp, seeded: Services) -> None:
    body = TaskCreate(company_id="acme", title="Call", due="2026-11-30", kind="call")
    task = await seeded.tasks.create(body, Source.BOARD)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        screen = await company_screen(pilot)
        await until(pilot, lambda: len(shown(screen)) == 1, "the step listed")
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, AskDay), "reschedule dialog")
        await pilot.press("ctrl+u", *"fri 9:00", "enter")
        await until(pilot, lambda: shown(screen)[0].due != "2026-11-30", "rescheduled")
        assert (await seeded.tasks.get(task.id)).due == "2026-11-27T09:00:00+00:00"
        await pilot.press("T")
        await until(pilot, lambda: isinstance(app.screen, StepDialog), "edit dialog")
        await pilot.press("ctrl+u", *"Call Jane", "enter")
        await until(pilot, lambda: shown(screen)[0].title == "Call Jane", "edited")
        await pilot.press("D")
        await until(pilot, lambda: shown(screen) == [], "deleted")
        assert await open_tasks(seeded, "acme", "all") == []
        await pilot.press("u")  # back, as it was
        await until(pilot, lambda: len(shown(screen)) == 1, "restored")
        await pilot.press("u")  # the edit undone
        await until(pilot, lambda: shown(screen)[0].title == "Call", "title back")
        await pilot.press("u")  # the reschedule undone
        await until(pilot, lambda: shown(screen)[0].due == "2026-11-30", "due back")
        again = await seeded.tasks.get(task.id)
        assert (again.title, again.due, again.kind) == ("Call", "2026-11-30", "call")
