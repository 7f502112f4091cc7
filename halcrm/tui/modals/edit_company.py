"""Create or edit a company: name, deal value, domain, industry, notes (answers a form, or None)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, TextArea

from halcrm.domain.clock import utc_now
from halcrm.domain.errors import DomainError, InvalidRequest
from halcrm.domain.when import parse_day
from halcrm.tui import errors
from halcrm.tui.format import MoneyInputError, parse_money
from halcrm.tui.modals.dialog import DIALOG_CSS, FIELD_KEYS, keys_line

FIELDS = ("name", "deal_value", "notes", "domain", "industry", "expected_close")
UTC_ZONE = ZoneInfo("UTC")
LIMITS = {"name": 200, "domain": 255, "industry": 200, "notes": 10_000}


@dataclass(frozen=True)
class CompanyForm:
    """What the dialog answers; ``deal_value`` None means no deal value."""

    name: str
    deal_value: Decimal | None
    notes: str | None
    domain: str | None = None
    industry: str | None = None
    expected_close: date | None = None


Save = Callable[["CompanyForm"], Awaitable[object]]


class EditCompany(ModalScreen[CompanyForm | None]):
    """One line per field, notes below; ctrl+s (or enter in a field) saves, escape cancels.
    Bad input is shown in plain words, not sent. Fits 80x24 with its keys in sight.

    Given ``save``, the dialog stays open while it runs and closes once it succeeded: a save
    that fails (refused, disk full, server gone) says why here, and what was typed stays."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="edit.save"),
        Binding("escape", "cancel", "Cancel", id="edit.cancel"),
        *FIELD_KEYS,
    ]

    DEFAULT_CSS = (
        DIALOG_CSS.replace("Dialog", "EditCompany")
        + """
    EditCompany Grid { grid-size: 2; grid-columns: 11 1fr; grid-gutter: 1 1; height: auto; }
    EditCompany Grid Label { color: $text-muted; }
    EditCompany TextArea { height: 4; margin-top: 1; }
    """
    )

    def __init__(
        self,
        title: str,
        form: CompanyForm | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        tz: ZoneInfo = UTC_ZONE,
        save: Save | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.form = form or CompanyForm("", None, None)
        self.save = save
        self.saving = False
        # The expected close takes the board's date forms (fri, 2w…), counted in the zone.
        self.clock, self.tz = clock, tz

    def compose(self) -> ComposeResult:
        form = self.form
        value = "" if form.deal_value is None else f"{form.deal_value:,}"
        with Vertical():
            yield Label(f"[b]{escape(self.title_text)}[/b]", markup=True, classes="title")
            with Grid():
                yield Label("Name")
                yield Input(form.name, id="name", placeholder="Acme Inc", classes="line")
                yield Label("Deal value")
                yield Input(
                    value, id="deal", placeholder="$15k, 15,000 (empty: none)", classes="line"
                )
                yield Label("Domain")
                yield Input(form.domain or "", id="domain", placeholder="acme.com", classes="line")
                yield Label("Industry")
                yield Input(form.industry or "", id="industry", placeholder="SaaS", classes="line")
                yield Label("Close by")
                close = form.expected_close.isoformat() if form.expected_close else ""
                yield Input(
                    close,
                    id="close",
                    placeholder="2026-12-24, 2w, fri (empty: none)",
                    classes="line",
                )
            yield TextArea(form.notes or "", id="notes")
            yield Label("", id="error", markup=False)
            yield keys_line(("ctrl+s", "save"), ("tab", "next field"), ("esc", "cancel"))

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()
        self.query_one("#notes", TextArea).border_title = "Notes"

    def on_input_submitted(self) -> None:
        self.action_save()

    def _text(self, field: str) -> str | None:
        return self.query_one(f"#{field}", Input).value.strip() or None

    def action_save(self) -> None:
        error = self.query_one("#error", Label)
        name = self._text("name")
        notes = self.query_one("#notes", TextArea).text.strip() or None
        domain, industry = self._text("domain"), self._text("industry")
        if not name:
            error.update("A company needs a name.")
            return
        for label, text in (("name", name), ("domain", domain), ("industry", industry)):
            if text and len(text) > LIMITS[label]:
                error.update(f"The {label} is too long: at most {LIMITS[label]} characters.")
                return
        if notes and len(notes) > LIMITS["notes"]:
            error.update(f"The notes are too long: at most {LIMITS['notes']:,} characters.")
            return
        try:
            deal = parse_money(self._text("deal") or "")
        except MoneyInputError as exc:
            error.update(str(exc))
            return
        close_text = self._text("close")
        try:
            close = None
            if close_text:
                close = parse_day(close_text, self.clock(), self.tz, field="expected close")
        except InvalidRequest as exc:
            error.update(exc.detail)
            return
        form = CompanyForm(name, deal, notes, domain, industry, close)
        if self.save is None:
            self.dismiss(form)
        elif not self.saving:
            self.saving = True
            error.update("Saving…")
            self.run_worker(self._save(form, self.save), exit_on_error=False)

    async def _save(self, form: CompanyForm, save: Save) -> None:
        try:
            async with errors.lock(self.app):
                await save(form)
        except Exception as exc:
            if not isinstance(exc, DomainError):
                errors.log.error("company save failed", exc_info=exc)
            self.query_one("#error", Label).update(errors.reason(exc))
            return
        finally:
            self.saving = False
        self.dismiss(form)

    def action_cancel(self) -> None:
        self.dismiss(None)
