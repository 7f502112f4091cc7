"""A new contact: name and email (answers a form, or None); at least one of the two."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from halcrm.tui.modals.dialog import DIALOG_CSS, keys_line

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ContactForm:
    name: str | None
    email: str | None


class NewContact(ModalScreen[ContactForm | None]):
    """Two lines; enter or ctrl+s saves, escape cancels; bad input is said in plain words."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="contact.save"),
        Binding("escape", "cancel", "Cancel", id="contact.cancel"),
    ]

    DEFAULT_CSS = (
        DIALOG_CSS.replace("Dialog", "NewContact")
        + """
    NewContact Grid { grid-size: 2; grid-columns: 7 1fr; grid-gutter: 1 1; height: auto; }
    NewContact Grid Label { color: $text-muted; }
    """
    )

    def __init__(self, company: str | None = None) -> None:
        super().__init__()
        self.company = company

    def compose(self) -> ComposeResult:
        title = "New contact" + (f" at {self.company}" if self.company else "")
        with Vertical():
            yield Label(f"[b]{escape(title)}[/b]", markup=True, classes="title")
            with Grid():
                yield Label("Name")
                yield Input(id="name", placeholder="Ana Núñez", classes="line")
                yield Label("Email")
                yield Input(id="email", placeholder="ana@acme.com", classes="line")
            yield Label("", id="error")
            yield keys_line(("enter", "save"), ("tab", "next field"), ("esc", "cancel"))

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def on_input_submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        name = self.query_one("#name", Input).value.strip() or None
        email = self.query_one("#email", Input).value.strip() or None
        error = self.query_one("#error", Label)
        if name is None and email is None:
            error.update("A contact needs a name or an email.")
            return
        if email is not None and not EMAIL.match(email):
            error.update(f"“{email}” is not an email address (like ana@acme.com).")
            return
        if name is not None and len(name) > 200:
            error.update("The name is too long: at most 200 characters.")
            return
        self.dismiss(ContactForm(name, email))

    def action_cancel(self) -> None:
        self.dismiss(None)
