"""The agenda (`A`): the founder's day in the project's time zone — Overdue, Today, Next 7 days,
and the open deals with no next step. enter opens the company; `x` completes and `s`
reschedules the highlighted step in place, `t` adds one, `u` undoes, `U` redoes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from rich.markup import escape
from textual.binding import Binding
from textual.content import Content
from textual.signal import Signal
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from halcrm.domain.due import zone
from halcrm.services.tasks.records import AgendaDay, NoNextStep, TaskRecord
from halcrm.tui.errors import guarded
from halcrm.tui.format import compact_money, step_mark
from halcrm.tui.messages import Changed
from halcrm.tui.screens.listing import ListScreen, hanging
from halcrm.tui.widgets.next_steps import KIND_MARKS, STATE_STYLES

if TYPE_CHECKING:
    from halcrm.tui.screens.board_tasks import NextSteps

# A step's "late 2d" and its space: a long title wraps under its first word.
WHEN_WIDTH = 10


def step_row(task: TaskRecord, state: str, when: str, width: int) -> Content:
    """``late 2d   ☎ Call Jane  · Acme Inc``: when, then what and whose, wrapped beside it."""
    style = STATE_STYLES.get(state, "")
    what = (
        f"{KIND_MARKS.get(task.kind, '•')} {escape(task.title)}"
        f"  [dim]· {escape(task.company_name)}[/dim]"
    )
    head = Content.from_markup(f"[{style}]{when:<9}[/] ")
    return hanging(head, Content.from_markup(what), width, under=WHEN_WIDTH)


def idle_row(item: NoNextStep) -> str:
    value = compact_money(item.deal_value) or "no deal"
    return (
        f"[$warning]⚐[/]         {escape(item.company_name)}"
        f"  [dim]· {escape(item.stage or 'Unstaged')} · {value}[/dim]"
    )


def title_line(day: AgendaDay) -> str:
    """``Agenda Fri 27 Nov (UTC) · 2 overdue · 1 today · 3 in 7 days · 10 no step``."""
    label = date.fromisoformat(day.date).strftime("%a %-d %b") if day.date else "today"
    counts = (
        f"{len(day.overdue)} overdue · {len(day.today)} today · "
        f"{len(day.upcoming)} in 7 days · {len(day.no_next_step)} no step"
    )
    return f"Agenda {label} ({day.time_zone}) · {counts}"


class AgendaScreen(ListScreen):
    """One list in four sections; the rows' keys act in place and the list is read again."""

    BINDINGS = [
        Binding("escape,A", "back", "Back", id="agenda.back"),
        Binding("enter", "open", "Open company", id="agenda.open"),
        Binding("x", "complete", "Done", id="agenda.complete"),
        Binding("s", "reschedule", "Reschedule", id="agenda.reschedule"),
        Binding("t", "add", "New step", id="agenda.add"),
        Binding("u", "undo", "Undo", id="agenda.undo"),
        Binding("U,ctrl+r", "redo", "Redo", show=False, id="agenda.redo"),
    ]

    EMPTY = "Nothing due and every open deal has a next step. Escape goes back to the board."

    def __init__(
        self,
        steps: NextSteps,
        open_company: Callable[[str], None],
        undo: Callable[[], object],
        changed: Signal[Changed] | None = None,
        redo: Callable[[], object] | None = None,
    ) -> None:
        super().__init__()
        self.services, self.steps, self.changed = steps.services, steps, changed
        self.open_company, self.undo, self.redo = open_company, undo, redo
        self.rows: dict[str, TaskRecord | NoNextStep] = {}
        self.day: AgendaDay | None = None

    async def on_mount(self) -> None:
        await self.reload()
        if self.changed is not None:  # composed: a write or a signal reads the day again
            self.changed.subscribe(self, guarded(self, self.on_changed))

    async def on_changed(self, changed: Changed) -> None:
        if changed.company_ids:
            await self.reload()

    async def reload(self) -> None:
        """Reads the agenda again, the highlight kept on the same row when it is still there."""
        self.show(await self.services.agenda.day())

    def redraw(self) -> None:
        if self.day is not None:
            self.show(self.day)

    def show(self, day: AgendaDay) -> None:
        listing = self.query_one(OptionList)
        at = listing.highlighted
        keep = listing.get_option_at_index(at).id if at is not None else None
        self.day, self.rows = day, {}
        now, tz = self.steps.clock(), zone(day.time_zone)
        width = self.row_width
        options: list[Option] = []
        sections = (("Overdue", day.overdue), ("Today", day.today), ("Next 7 days", day.upcoming))
        for title, tasks in sections:
            options.append(Option(f"[b $accent]{title}[/] [dim]{len(tasks)}[/dim]", disabled=True))
            for task in tasks:
                state, full, _ = step_mark(task.due_at, now, tz)
                row = step_row(task, state, full, width)
                options.append(Option(row, id=f"t:{task.id}"))
                self.rows[f"t:{task.id}"] = task
        idle = day.no_next_step
        options.append(Option(f"[b $accent]No next step[/] [dim]{len(idle)}[/dim]", disabled=True))
        for item in idle:
            options.append(Option(idle_row(item), id=f"c:{item.company_id}"))
            self.rows[f"c:{item.company_id}"] = item
        self.fill(options if self.rows else [])
        self.query_one("#title", Static).update(title_line(day))
        ids = [o.id for o in options]
        first = next((i for i, o in enumerate(options) if o.id), None)
        listing.highlighted = ids.index(keep) if keep is not None and keep in ids else first
        listing.focus()

    def current(self) -> TaskRecord | NoNextStep | None:
        listing = self.query_one(OptionList)
        at = listing.highlighted
        if at is None or not self.rows:
            return None
        return self.rows.get(listing.get_option_at_index(at).id or "")

    def highlighted_task(self) -> TaskRecord | None:
        row = self.current()
        if isinstance(row, TaskRecord):
            return row
        self.notify("That row is a company without a next step: t adds one.", timeout=3)
        return None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_open(self) -> None:
        row = self.current()
        if row is not None:
            self.open_company(row.company_id)

    def action_complete(self) -> None:
        task = self.highlighted_task()
        if task is not None:
            self.steps.complete(task)

    def action_reschedule(self) -> None:
        task = self.highlighted_task()
        if task is not None:
            self.steps.reschedule(task)

    def action_add(self) -> None:
        row = self.current()
        if row is not None:
            self.steps.add(row.company_id)

    def action_undo(self) -> None:
        self.undo()

    def action_redo(self) -> None:
        if self.redo is not None:
            self.redo()
