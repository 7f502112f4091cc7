"""The next-step dialogs: a step's title, due, kind and contact (``StepDialog``), and one date
(``AskDay``: reschedule a step, set an expected close). Both read the board's date forms."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select

from halcrm.domain.errors import InvalidRequest
from halcrm.domain.when import HINT, When, describe, parse_when
from halcrm.services.tasks.records import TaskRecord
from halcrm.tui.modals.choice import ChoicePicker
from halcrm.tui.modals.dialog import DIALOG_CSS, keys_line

KINDS = ("task", "call", "email", "meeting")
NO_CONTACT = "-"


@dataclass(frozen=True)
class StepForm:
    """What the dialog answers: the wire's due (a date or an RFC 3339 date-time)."""

    title: str
    due: str
    kind: str = "task"
    contact_id: str | None = None


def _read(text: str, now: datetime, tz: ZoneInfo) -> When:
    return parse_when(text, now, tz)


class StepDialog(ModalScreen[StepForm | None]):
    """Title, due (today, fri, 3d, 14:30…, its day said under it), kind and contact; enter
    or ctrl+s saves, escape cancels. Fits 80x24 with its keys in sight."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="step.save"),
        Binding("escape", "cancel", "Cancel", id="step.cancel"),
    ]

    DEFAULT_CSS = (
        DIALOG_CSS.replace("Dialog", "StepDialog")
        + """
    StepDialog Grid { grid-size: 2; grid-columns: 9 1fr; grid-gutter: 1 1; height: auto; }
    StepDialog Grid Label { color: $text-muted; }
    StepDialog #when { color: $text-muted; height: 1; }
    StepDialog Select { height: 3; }
    """
    )

    def __init__(
        self,
        title: str,
        now: Callable[[], datetime],
        tz: ZoneInfo,
        form: StepForm | None = None,
        contacts: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__()
        self.title_text = title
        self.now, self.tz = now, tz
        self.form = form or StepForm("", "tomorrow")
        self.contacts = list(contacts)

    def compose(self) -> ComposeResult:
        form = self.form
        people = [(name, cid) for cid, name in self.contacts]
        with Vertical():
            yield Label(f"[b]{escape(self.title_text)}[/b]", markup=True, classes="title")
            with Grid():
                yield Label("Step")
                yield Input(form.title, id="title", placeholder="Call Jane", classes="line")
                yield Label("Due")
                yield Input(form.due, id="due", placeholder=HINT, classes="line")
                yield Label("")
                yield Label("", id="when")
                yield Label("Kind")
                yield Select([(k, k) for k in KINDS], value=form.kind, allow_blank=False, id="kind")
                yield Label("Contact")
                yield Select(
                    [("nobody", NO_CONTACT), *people],
                    value=form.contact_id or NO_CONTACT,
                    allow_blank=False,
                    id="contact",
                )
            yield Label("", id="error", markup=False)
            yield keys_line(("enter", "save"), ("tab", "next field"), ("esc", "cancel"))

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()
        self._say_when(self.form.due)

    def _say_when(self, text: str) -> None:
        try:
            found = _read(text, self.now(), self.tz)
            said = describe(found, self.now().astimezone(self.tz).date())
        except InvalidRequest:
            said = f"[$warning]try {HINT}[/]" if text.strip() else ""
        self.query_one("#when", Label).update(said)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "due":
            self._say_when(event.value)

    def on_input_submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        error = self.query_one("#error", Label)
        title = self.query_one("#title", Input).value.strip()
        if not title:
            error.update("A next step needs a title (what to do).")
            return
        if len(title) > 200:
            error.update("The title is too long: at most 200 characters.")
            return
        try:
            due = _read(self.query_one("#due", Input).value, self.now(), self.tz)
        except InvalidRequest as exc:
            error.update(exc.detail)
            return
        kind = str(self.query_one("#kind", Select).value)
        contact = self.query_one("#contact", Select).value
        contact_id = None if contact in (NO_CONTACT, Select.BLANK) else str(contact)
        self.dismiss(StepForm(title, due.wire, kind, contact_id))

    def action_cancel(self) -> None:
        self.dismiss(None)


class AskDay(ModalScreen[str | None]):
    """One date in the board's forms; enter answers its wire text, escape cancels.
    ``day_only``: a day without a time (an expected close), and empty clears it (answers "")."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="ask_day.cancel")]

    DEFAULT_CSS = (
        DIALOG_CSS.replace("Dialog", "AskDay")
        + """
    AskDay > Vertical { width: 60; }
    AskDay #when { color: $text-muted; height: 1; }
    """
    )

    def __init__(
        self,
        title: str,
        now: Callable[[], datetime],
        tz: ZoneInfo,
        value: str = "",
        *,
        day_only: bool = False,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.now, self.tz = now, tz
        self.value = value
        self.day_only = day_only

    def compose(self) -> ComposeResult:
        hint = HINT.replace(" or 14:30", "") if self.day_only else HINT
        with Vertical():
            yield Label(f"[b]{escape(self.title_text)}[/b]", markup=True, classes="title")
            yield Input(self.value, id="day", placeholder=hint, classes="line")
            yield Label("", id="when")
            yield Label("", id="error", markup=False)
            empty = ("enter", "save (empty clears)") if self.day_only else ("enter", "save")
            yield keys_line(empty, ("esc", "cancel"))

    def on_mount(self) -> None:
        self.query_one("#day", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        try:
            found = _read(event.value, self.now(), self.tz)
            said = describe(found, self.now().astimezone(self.tz).date())
        except InvalidRequest:
            said = ""
        self.query_one("#when", Label).update(said)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.day_only and not event.value.strip():
            self.dismiss("")
            return
        try:
            found = _read(event.value, self.now(), self.tz)
        except InvalidRequest as exc:
            self.query_one("#error", Label).update(exc.detail)
            return
        if self.day_only and found.at is not None:
            self.query_one("#error", Label).update("A close date is a day, without a time.")
            return
        self.dismiss(found.wire)

    def action_cancel(self) -> None:
        self.dismiss(None)


class StepChoices(ChoicePicker):
    """What to do with a due next step (the focus lane's `enter`): done, or another day.
    Answers ``complete``, ``reschedule`` or None (escape)."""

    BINDINGS = [Binding("escape,q", "cancel", "Cancel", id="step_choices.cancel")]
    CHOICES = (("complete", "Done (then the next one)"), ("reschedule", "Reschedule…"))

    def __init__(self, task: TaskRecord) -> None:
        heading = escape(f"{task.title} ({task.company_name}, due {task.due})")
        # Nothing is marked "(now)": these are things to do, not states.
        super().__init__(heading, self.CHOICES, "", "do it", start="complete")
