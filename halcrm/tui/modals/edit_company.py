"""Create or edit a company's name, deal value and notes (answers a form, or None)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, TextArea

from halcrm.domain.errors import DomainError
from halcrm.domain.money import to_cents


@dataclass(frozen=True)
class CompanyForm:
    """What the dialog answers; ``deal_value`` None means no deal value."""

    name: str
    deal_value: Decimal | None
    notes: str | None


class EditCompany(ModalScreen[CompanyForm | None]):
    """Three fields; ctrl+s or Save answers, escape cancels. Bad input is shown, not sent."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="edit.save"),
        Binding("escape", "cancel", "Cancel", id="edit.cancel"),
    ]

    DEFAULT_CSS = """
    EditCompany { align: center middle; }
    EditCompany > Vertical {
        width: 64; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    EditCompany Label.field { margin-top: 1; color: $text-muted; }
    EditCompany TextArea { height: 6; }
    EditCompany #error { color: $error; height: auto; }
    EditCompany Horizontal { height: auto; align-horizontal: right; }
    EditCompany Button { margin-left: 2; }
    """

    def __init__(self, title: str, form: CompanyForm | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.form = form or CompanyForm("", None, None)

    def compose(self) -> ComposeResult:
        value = "" if self.form.deal_value is None else str(self.form.deal_value)
        with Vertical():
            yield Label(f"[b]{self.title_text}[/b]", markup=True)
            yield Label("Name", classes="field")
            yield Input(self.form.name, id="name", placeholder="Acme Inc")
            yield Label("Deal value", classes="field")
            yield Input(value, id="deal", placeholder="12500 (empty: none)")
            yield Label("Notes", classes="field")
            yield TextArea(self.form.notes or "", id="notes")
            yield Label("", id="error")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Save", id="save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def on_input_submitted(self) -> None:
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        deal_text = self.query_one("#deal", Input).value.strip().replace(",", "").lstrip("$")
        notes = self.query_one("#notes", TextArea).text.strip() or None
        error = self.query_one("#error", Label)
        if not name:
            error.update("A company needs a name.")
            return
        deal: Decimal | None = None
        if deal_text:
            try:
                deal = Decimal(deal_text)
                to_cents(deal)
            except (InvalidOperation, DomainError) as exc:
                error.update(str(exc) if isinstance(exc, DomainError) else "Not a number.")
                return
        self.dismiss(CompanyForm(name, deal, notes))

    def action_cancel(self) -> None:
        self.dismiss(None)
