"""A contact's dialog, new or edited: name, email, phone, title, tags (answers a form, or None);
a name or an email at least."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from halcrm.services.crm.inputs import ContactCreate, ContactPatch
from halcrm.services.crm.records import ContactRecord
from halcrm.tui.modals.dialog import DIALOG_CSS, FIELD_KEYS, keys_line

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ContactForm:
    name: str | None
    email: str | None
    phone: str | None = None
    title: str | None = None  # kept in the contact's metadata, as "title"
    tags: tuple[str, ...] = ()


def contact_form_of(record: ContactRecord) -> ContactForm:
    title = record.metadata.get("title")
    return ContactForm(
        record.name,
        record.email,
        record.phone,
        title if isinstance(title, str) else None,
        tuple(record.tags),
    )


def contact_create(form: ContactForm) -> ContactCreate:
    meta = {"title": form.title} if form.title else None
    return ContactCreate(
        name=form.name, email=form.email, phone=form.phone, tags=list(form.tags), metadata=meta
    )


def contact_patch(before: ContactForm, after: ContactForm) -> ContactPatch:
    """The fields the dialog changed (a cleared title leaves the metadata)."""
    patch = ContactPatch()
    for field in ("name", "email", "phone"):
        if getattr(after, field) != getattr(before, field):
            setattr(patch, field, getattr(after, field))
    if after.tags != before.tags:
        patch.tags = list(after.tags)
    if after.title != before.title:
        patch.metadata = {"title": after.title}
    return patch


class NewContact(ModalScreen[ContactForm | None]):
    """One line per field; enter or ctrl+s saves, escape cancels; bad input is said in plain
    words. Given a ``form``, it edits that contact."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="contact.save"),
        Binding("escape", "cancel", "Cancel", id="contact.cancel"),
        *FIELD_KEYS,
    ]

    DEFAULT_CSS = (
        DIALOG_CSS.replace("Dialog", "NewContact")
        + """
    NewContact Grid { grid-size: 2; grid-columns: 7 1fr; grid-gutter: 0 1; height: auto; }
    NewContact Grid Label { color: $text-muted; }
    """
    )

    def __init__(self, company: str | None = None, form: ContactForm | None = None) -> None:
        super().__init__()
        self.company = company
        self.form = form or ContactForm(None, None)
        self.editing = form is not None

    def compose(self) -> ComposeResult:
        form = self.form
        if self.editing:
            title = f"Edit {form.name or form.email or 'contact'}"
        else:
            title = "New contact" + (f" at {self.company}" if self.company else "")
        with Vertical():
            yield Label(f"[b]{escape(title)}[/b]", markup=True, classes="title")
            with Grid():
                for label, field, value, hint in (
                    ("Name", "name", form.name, "Ana Núñez"),
                    ("Email", "email", form.email, "ana@acme.com"),
                    ("Phone", "phone", form.phone, "+1 555 0100"),
                    ("Title", "title", form.title, "Head of Sales"),
                    ("Tags", "tags", ", ".join(form.tags), "vip, billing (commas)"),
                ):
                    yield Label(label)
                    yield Input(value or "", id=field, placeholder=hint, classes="line")
            yield Label("", id="error", markup=False)
            yield keys_line(("enter", "save"), ("tab", "next field"), ("esc", "cancel"))

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def on_input_submitted(self) -> None:
        self.action_save()

    def _text(self, field: str) -> str | None:
        return self.query_one(f"#{field}", Input).value.strip() or None

    def action_save(self) -> None:
        name, email, phone, title = (self._text(f) for f in ("name", "email", "phone", "title"))
        tags = tuple(t.strip() for t in (self._text("tags") or "").split(",") if t.strip())
        error = self.query_one("#error", Label)
        if name is None and email is None:
            error.update("A contact needs a name or an email.")
            return
        if email is not None and not EMAIL.match(email):
            error.update(f"“{email}” is not an email address (like ana@acme.com).")
            return
        for label, text, most in (("name", name, 200), ("phone", phone, 50), ("title", title, 200)):
            if text is not None and len(text) > most:
                error.update(f"The {label} is too long: at most {most} characters.")
                return
        if any(len(tag) > 100 for tag in tags) or len(tags) > 100:
            error.update("Tags: at most 100, each at most 100 characters.")
            return
        self.dismiss(ContactForm(name, email, phone, title, tags))

    def action_cancel(self) -> None:
        self.dismiss(None)
