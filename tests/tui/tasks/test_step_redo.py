"""`U` (or ctrl+r) puts every next-step write forward again after `u` took it back: a new step,
a step done, edited, rescheduled, deleted. An undo or redo that cannot be done says which write
and why, and changes nothing. Real keys, both stores."""

from __future__ import annotations

from halcrm.domain.stages import Source
from halcrm.services.container import Services
from halcrm.services.tasks.inputs import TaskCreate
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.next_step import AskDay, StepDialog
from tests.tui.helpers import board, ready, until
from tests.tui.tasks.test_steps import add_step, company_screen, open_tasks, shown, status
from tests.tui.test_errors import toasts


async def test_a_new_step_taken_back_comes_back_with_redo(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await add_step(pilot, "Call Jane", "3d")
        await until(pilot, lambda: len(board(app).undo_stack) == 1, "saved")
        [task] = await open_tasks(seeded, "acme")
        await pilot.press("u")
        await until(pilot, lambda: len(board(app).undo_stack.redos) == 1, "undone")
        assert await open_tasks(seeded, "acme", "all") == []
        await pilot.press("U")
        await until(pilot, lambda: len(board(app).undo_stack) == 1, "redone")
        [again] = await open_tasks(seeded, "acme")
        assert (again.id, again.title, again.due) == (task.id, "Call Jane", "2026-11-30")
        assert any("Redone: the next step “Call Jane” of Acme Inc" in t for t in toasts(app))
        await pilot.press("ctrl+r")  # nothing left to redo
        await until(pilot, lambda: any("Nothing to redo" in t for t in toasts(app)), "none")


async def test_done_rescheduled_edited_deleted_each_undone_then_redone(
    app: HalcrmApp, seeded: Services
) -> None:
    body = TaskCreate(company_id="acme", title="Call", due="2026-11-30", kind="call")
    task = await seeded.tasks.create(body, Source.BOARD)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        screen = await company_screen(pilot)
        await until(pilot, lambda: len(shown(screen)) == 1, "the step listed")
        # Rescheduled, edited: both taken back, then both put forward again.
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, AskDay), "reschedule dialog")
        await pilot.press("ctrl+u", *"2026-12-04", "enter")
        await until(pilot, lambda: shown(screen)[0].due == "2026-12-04", "rescheduled")
        await pilot.press("T")
        await until(pilot, lambda: isinstance(app.screen, StepDialog), "edit dialog")
        await pilot.press("ctrl+u", *"Call Jane", "enter")
        await until(pilot, lambda: shown(screen)[0].title == "Call Jane", "edited")
        await pilot.press("u", "u")
        await until(pilot, lambda: shown(screen)[0].due == "2026-11-30", "both undone")
        assert shown(screen)[0].title == "Call"
        await pilot.press("U")
        await until(pilot, lambda: shown(screen)[0].due == "2026-12-04", "reschedule redone")
        assert shown(screen)[0].title == "Call"
        await pilot.press("ctrl+r")
        await until(pilot, lambda: shown(screen)[0].title == "Call Jane", "edit redone")
        again = await seeded.tasks.get(task.id)
        assert (again.title, again.due, again.kind) == ("Call Jane", "2026-12-04", "call")
        # Done (the next one skipped), undone, redone.
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, StepDialog), "asked for the next")
        await pilot.press("escape")
        await until(pilot, lambda: status(screen) == "done", "done")
        await pilot.press("u")
        await until(pilot, lambda: status(screen) == "open", "reopened")
        await pilot.press("U")
        await until(pilot, lambda: status(screen) == "done", "done again")
        assert (await seeded.tasks.get(task.id)).status == "done"
        # Deleted, undone (back as it was: done), redone (gone again).
        await pilot.press("D")
        await until(pilot, lambda: shown(screen) == [], "deleted")
        await pilot.press("u")
        await until(pilot, lambda: len(shown(screen)) == 1, "restored")
        back = await seeded.tasks.get(task.id)
        assert (back.title, back.status) == ("Call Jane", "done")
        await pilot.press("U")
        await until(pilot, lambda: shown(screen) == [], "deleted again")
        assert await open_tasks(seeded, "acme", "all") == []


async def test_an_undo_that_cannot_be_done_says_which_write_and_why_and_stays(
    app: HalcrmApp, seeded: Services
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("L")  # an older write: Acme to Qualified
        await until(pilot, lambda: len(board(app).undo_stack) == 1, "moved")
        await add_step(pilot, "Call Jane", "3d")
        await until(pilot, lambda: len(board(app).undo_stack) == 2, "saved")
        [task] = await open_tasks(seeded, "acme")
        await seeded.tasks.delete(task.id, Source.ACCOUNT_API)  # from elsewhere
        said = (
            f"Cannot undo the new next step “Call Jane” of Acme Inc: no task with id "
            f"{task.id!r}. Nothing changed."
        )
        await pilot.press("u")
        await until(pilot, lambda: toasts(app).count(said) == 1, "the refusal")
        await pilot.press("u")  # says so again: the older move is never taken back
        await until(pilot, lambda: toasts(app).count(said) == 2, "the refusal again")
        assert (await seeded.companies.get("acme")).stage == "Qualified"
        assert len(board(app).undo_stack) == 2
        assert len(board(app).undo_stack.redos) == 0


async def test_a_redo_that_cannot_be_done_says_which_write_and_why_and_stays(
    app: HalcrmApp, seeded: Services
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await add_step(pilot, "Call Jane", "3d")
        await until(pilot, lambda: len(board(app).undo_stack) == 1, "saved")
        await pilot.press("u")
        await until(pilot, lambda: len(board(app).undo_stack.redos) == 1, "undone")
        await seeded.companies.delete("acme", Source.ACCOUNT_API)  # from elsewhere
        await pilot.press("U")
        said = "Cannot redo the new next step “Call Jane” of Acme Inc: no company with id 'acme'"
        await until(pilot, lambda: any(t.startswith(said) for t in toasts(app)), "the refusal")
        assert len(board(app).undo_stack.redos) == 1
        assert len(board(app).undo_stack) == 0
        assert (await seeded.tasks.list_tasks(status="all")).items == []
