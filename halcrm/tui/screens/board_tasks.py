"""Next steps on the board: add (`t`), complete (asking for the next), edit, reschedule,
delete, each undoable with `u`; the expected close date. The rules live in the tasks area;
this part opens the dialogs, calls the rules and says what happened.

The board's cards, the company screen and the agenda follow from the task events on the bus.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import msgspec

from halcrm.domain.stages import Source
from halcrm.domain.when import typed
from halcrm.services.crm.inputs import CompanyPatch
from halcrm.services.tasks.inputs import TaskCreate, TaskPatch
from halcrm.services.tasks.records import TaskRecord
from halcrm.tui.client import BoardServices
from halcrm.tui.errors import board_action
from halcrm.tui.modals.next_step import AskDay, StepDialog, StepForm
from halcrm.tui.screens.agenda import AgendaScreen
from halcrm.tui.screens.desk import Part
from halcrm.tui.screens.forecast import ForecastScreen
from halcrm.tui.undo import STEP_OPPOSITE, Edited, StepWritten, UndoStack

FORECAST_MONTHS = 6  # the months `V` shows from the current one
# The fields an edit may change, as the form and the task name them.
FIELDS = ("title", "due", "kind", "contact_id")


def form_of(task: TaskRecord, tz: ZoneInfo) -> StepForm:
    return StepForm(task.title, typed(task.due, tz), task.kind, task.contact_id)


def step_patch(before: StepForm, after: StepForm) -> TaskPatch:
    """The fields that changed, as a patch (an empty patch changes nothing)."""
    changed = {f: getattr(after, f) for f in FIELDS if getattr(after, f) != getattr(before, f)}
    return TaskPatch(**changed)


class NextSteps(Part):
    """The next-step writes of one board: each pushes its undo and announces it."""

    @property
    def services(self) -> BoardServices:
        return self.desk.services

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.desk.clock

    @property
    def tz(self) -> ZoneInfo:
        return self.desk.board.model.tz

    def done(self, text: str) -> None:
        self.desk.done(text)

    @property
    def undo_stack(self) -> UndoStack:
        return self.desk.undo_stack

    # Add, and the agenda and forecast screens.
    def add_focused(self) -> None:
        card = self.desk.focused()
        if card is not None:
            self.add(card.id)

    def agenda(
        self,
        open_company: Callable[[str], None],
        undo: Callable[[], object],
        redo: Callable[[], object] | None = None,
    ) -> None:
        screen = AgendaScreen(self, open_company, undo, self.desk.changed, redo)
        self.app.push_screen(screen)

    @board_action
    async def forecast(self) -> None:
        record = await self.services.forecast.months(FORECAST_MONTHS)
        await self.app.push_screen(ForecastScreen(record))

    @board_action
    async def add(self, company_id: str, prefill: StepForm | None = None) -> None:
        """The new-step dialog for a company (``prefill``: the focus lane's suggestion)."""
        await self.ask(company_id, prefill)

    async def ask(self, company_id: str, prefill: StepForm | None = None) -> None:
        detail = await self.services.board.company_detail(company_id)
        name = detail.company.name
        people = [(c.id, c.name or c.email or c.id) for c in detail.contacts]

        def saved(form: StepForm | None) -> None:
            if form is not None:
                self.create(company_id, name, form)

        dialog = StepDialog(f"Next step for {name}", self.clock, self.tz, prefill, people)
        await self.app.push_screen(dialog, saved)

    @board_action
    async def create(self, company_id: str, name: str, form: StepForm) -> None:
        body = TaskCreate(
            company_id=company_id,
            title=form.title,
            due=form.due,
            kind=form.kind,  # type: ignore[arg-type]
            contact_id=form.contact_id,
        )
        task = await self.services.tasks.create(body, Source.BOARD)
        self.undo_stack.push(StepWritten(company_id, name, "added", task))
        self.done(f"Next step for {name}: {task.title}, due {task.due}.")

    # Complete, edit, reschedule, delete.
    @board_action
    async def complete(self, task: TaskRecord) -> None:
        """Marks it done, then asks for the next one (escape skips), as Pipedrive does."""
        done = await self.services.tasks.complete(task.id, Source.BOARD)
        self.undo_stack.push(StepWritten(task.company_id, task.company_name, "done", done))
        self.done(f"Done: {task.title}.")
        await self.ask(task.company_id)

    @board_action
    async def edit(self, task: TaskRecord) -> None:
        detail = await self.services.board.company_detail(task.company_id)
        people = [(c.id, c.name or c.email or c.id) for c in detail.contacts]
        before = form_of(task, self.tz)
        was = StepForm(task.title, task.due, task.kind, task.contact_id)

        def saved(after: StepForm | None) -> None:
            if after is not None:
                self.change(task, step_patch(was, after), step_patch(after, was))

        title = f"Edit next step of {task.company_name}"
        await self.app.push_screen(StepDialog(title, self.clock, self.tz, before, people), saved)

    def reschedule(self, task: TaskRecord) -> None:
        def chosen(due: str | None) -> None:
            if due is not None and due != task.due:
                self.change(task, TaskPatch(due=due), TaskPatch(due=task.due))

        title = f"Reschedule “{task.title}” ({task.company_name})"
        self.app.push_screen(AskDay(title, self.clock, self.tz, typed(task.due, self.tz)), chosen)

    @board_action
    async def change(self, task: TaskRecord, patch: TaskPatch, back: TaskPatch) -> None:
        updated = await self.services.tasks.update(task.id, patch, Source.BOARD)
        self.undo_stack.push(
            StepWritten(task.company_id, task.company_name, "edited", updated, back)
        )
        self.done(f"Next step saved: {updated.title}, due {updated.due}.")

    @board_action
    async def delete(self, task: TaskRecord) -> None:
        kept = await self.services.tasks.get(task.id)
        await self.services.tasks.delete(task.id, Source.BOARD)
        self.undo_stack.push(StepWritten(task.company_id, task.company_name, "deleted", kept))
        self.done(f"Deleted the next step {task.title!r}.")

    async def revert(self, last: StepWritten, word: str) -> StepWritten:
        """Takes a next-step write back (`u`) or puts it forward again (`U`); answers the
        write that reverts this one."""
        tasks, task = self.services.tasks, last.task
        what, patch = STEP_OPPOSITE[last.what], None
        if last.what == "added":
            task = await tasks.get(task.id)  # as it is now: a redo puts back its latest state
            await tasks.delete(task.id, Source.BOARD)
        elif last.what == "deleted":
            task = await tasks.restore(task, Source.BOARD)
        elif last.what == "done":
            task = await tasks.reopen(task.id, Source.BOARD)
        elif last.what == "reopened":
            task = await tasks.complete(task.id, Source.BOARD)
        elif last.what == "edited" and last.patch is not None:
            now = await tasks.get(task.id)
            patch = TaskPatch(**{f: getattr(now, f) for f in _given(last.patch)})
            task = await tasks.update(task.id, last.patch, Source.BOARD)
        self.desk.notify(f"{word}: the next step “{task.title}” of {last.name}.", timeout=3)
        return StepWritten(last.company_id, last.name, what, task, patch)

    # The expected close date.
    @board_action
    async def edit_close(self, company_id: str) -> None:
        company = await self.services.companies.get(company_id)
        value = company.expected_close.isoformat() if company.expected_close else ""

        def chosen(day: str | None) -> None:
            if day is not None and day != value:
                self.set_close(company_id, company.name, day, value)

        title = f"Expected close of {company.name}"
        dialog = AskDay(title, self.clock, self.tz, value, day_only=True)
        await self.app.push_screen(dialog, chosen)

    @board_action
    async def set_close(self, company_id: str, name: str, day: str, before: str) -> None:
        patch = CompanyPatch(expected_close=_day(day))
        await self.services.companies.update(company_id, patch, Source.BOARD)
        self.undo_stack.push(Edited(company_id, name, CompanyPatch(expected_close=_day(before))))
        self.done(f"{name} expected to close {day or 'some day (cleared)'}.")


def _given(patch: TaskPatch) -> list[str]:
    """The fields a patch sets (``status`` aside: done and reopened are writes of their own)."""
    return [f for f in (*FIELDS, "notes") if getattr(patch, f) is not msgspec.UNSET]


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None
