"""A company's next steps as a list (the company screen's section): open ones by due time with
their state, then the latest done ones struck through."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from halcrm.services.tasks.records import TaskRecord
from halcrm.tui.format import step_mark, when

KIND_MARKS = {"call": "☎", "email": "✉", "meeting": "◆", "task": "•"}
STATE_STYLES = {"overdue": "b $error", "today": "b $warning", "upcoming": "$text-muted"}
KEYS = "t new · x done · s reschedule · T edit · D delete"


def task_line(task: TaskRecord, now: datetime, tz: tzinfo) -> str:
    """``late 2d   ☎ Call Jane (due 2026-11-24)``; a done one struck through."""
    mark = KIND_MARKS.get(task.kind, "•")
    if task.status == "done":
        return f"[dim]✓ done    {mark} [s]{escape(task.title)}[/s] ({when(task.done_at)})[/dim]"
    state, full, _ = step_mark(task.due_at, now, tz)
    style = STATE_STYLES.get(state, "")
    return f"[{style}]{full:<9}[/] {mark} {escape(task.title)} [dim](due {escape(task.due)})[/dim]"


class StepList(Vertical):
    """A title with the keys over the steps; ``current`` is the highlighted one."""

    DEFAULT_CSS = """
    StepList { height: auto; margin-bottom: 1; }
    StepList #steps { height: auto; max-height: 10; border: none; }
    StepList.-none #steps { display: none; }
    """

    def __init__(self) -> None:
        super().__init__(id="step-list")
        self.tasks: list[TaskRecord] = []

    def compose(self) -> ComposeResult:
        yield Static(id="steps-title")
        yield OptionList(id="steps")

    def show(self, tasks: Sequence[TaskRecord], now: datetime, tz: tzinfo) -> None:
        self.tasks = list(tasks)
        pending = sum(1 for t in tasks if t.status == "open")
        self.query_one("#steps-title", Static).update(
            f"[b $accent]Next steps ({pending} open)[/]  [dim]{KEYS}[/dim]"
            + ("" if pending else "\n[$warning]⚐ no next step[/]: t adds one")
        )
        options = self.query_one("#steps", OptionList)
        at = options.highlighted
        options.clear_options()
        options.add_options(Option(task_line(t, now, tz), id=t.id) for t in tasks)
        self.set_class(not tasks, "-none")
        if tasks:
            options.highlighted = min(at or 0, len(tasks) - 1)

    def current(self) -> TaskRecord | None:
        if not self.tasks:
            return None
        at = self.query_one("#steps", OptionList).highlighted or 0
        return self.tasks[min(at, len(self.tasks) - 1)]
