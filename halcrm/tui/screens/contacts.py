"""Contacts from the board: search, open, create, and link to or unlink from a company."""

from __future__ import annotations

from collections.abc import Callable

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from halcrm.domain.stages import Source
from halcrm.services.crm.records import ContactRecord
from halcrm.tui.client import BoardServices
from halcrm.tui.errors import board_action
from halcrm.tui.modals.confirm import Confirm
from halcrm.tui.modals.contact_form import (
    ContactForm,
    NewContact,
    contact_create,
    contact_form_of,
    contact_patch,
)
from halcrm.tui.screens.board_contacts import who
from halcrm.tui.screens.help import key_text
from halcrm.tui.undo import ContactEdited, ContactMade, ContactRemoved, Kept, Undo, UndoStack

LIMIT = 50  # contacts listed per search: type more to narrow it


def contact_prompt(contact: ContactRecord, company_id: str | None) -> str:
    linked = company_id is not None and company_id in contact.company_ids
    mark = "[b $success]● linked[/]  " if linked else ""
    name = escape(contact.name or "—")
    reach = escape(contact.email or contact.user_id or contact.id)
    firms = len(contact.company_ids)
    return f"{mark}[b]{name}[/b]  <{reach}>  [dim]{firms} compan{'y' if firms == 1 else 'ies'}[/]"


def contact_detail(contact: ContactRecord, names: dict[str, str]) -> str:
    companies = ", ".join(escape(names.get(c, c)) for c in contact.company_ids) or "none"
    lines = [
        f"[b]{escape(contact.name or '—')}[/b]",
        f"Email      {escape(contact.email or '—')}",
        f"User id    {escape(contact.user_id or '—')}",
        f"Phone      {escape(contact.phone or '—')}",
        f"Companies  {companies}",
    ]
    if contact.notes:
        lines.append(f"Notes      {escape(contact.notes)}")
    return "\n".join(lines)


class ContactsScreen(Screen[None]):
    """Every contact, searched as you type; for a company, `l` links and `x` unlinks one."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="contacts.back"),
        Binding("slash", "search", "Search", key_display="/", id="contacts.search"),
        Binding("n", "new", "New", id="contacts.new"),
        Binding("l", "link", "Link", id="contacts.link"),
        Binding("x", "unlink", "Unlink", id="contacts.unlink"),
        Binding("e", "edit", "Edit", id="contacts.edit"),
        Binding("d", "delete", "Delete", id="contacts.delete"),
        Binding("u", "undo", "Undo", id="contacts.undo"),
        Binding("U,ctrl+r", "redo", "Redo", show=False, id="contacts.redo"),
    ]

    DEFAULT_CSS = """
    ContactsScreen #title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    ContactsScreen #search { margin: 0 1; }
    ContactsScreen #list { height: 1fr; margin: 0 1; }
    ContactsScreen #detail { height: auto; max-height: 8; padding: 0 2; }
    """

    def __init__(
        self,
        services: BoardServices,
        company_id: str | None = None,
        company_name: str = "",
        names: dict[str, str] | None = None,
        journal: UndoStack | None = None,
        on_undo: Callable[[], object] | None = None,
        on_redo: Callable[[], object] | None = None,
    ) -> None:
        super().__init__()
        # The board's undo stack, its `u` and `U`: each write here can be taken back (and put
        # forward again) from either.
        self.journal = journal
        self.on_undo, self.on_redo = on_undo, on_redo
        self.services = services
        self.company_id = company_id
        self.company_name = company_name
        self.names = names or {}  # company id -> name, to show a contact's companies
        self.found: list[ContactRecord] = []
        self.query_text = ""

    def compose(self) -> ComposeResult:
        title = "Contacts" + (
            f" · linking to {escape(self.company_name)}" if self.company_id else ""
        )
        yield Static(title, id="title")
        yield Input(id="search", placeholder="/ search names and emails · enter: to the list")
        yield OptionList(id="list")
        yield Static(id="detail")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#list", OptionList).focus()
        self.search("")

    @board_action
    async def search(self, text: str) -> None:
        """Lists the contacts matching ``text`` (all of them, first ``LIMIT``, when empty)."""
        self.query_text = text
        page = await self.services.contacts.all(q=text.strip() or None, limit=LIMIT)
        if text != self.query_text:
            return  # typing went on: a newer search follows
        self.show(page.items)

    def show(self, contacts: list[ContactRecord]) -> None:
        self.found = contacts
        options = self.query_one("#list", OptionList)
        at = options.highlighted
        options.clear_options()
        options.add_options(Option(contact_prompt(c, self.company_id), id=c.id) for c in contacts)
        if contacts:
            options.highlighted = min(at or 0, len(contacts) - 1)
        else:
            self.query_one("#detail", Static).update("[dim]No contact matches.[/dim]")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.search(event.value)

    def on_input_submitted(self) -> None:
        self.query_one("#list", OptionList).focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        contact = self.current
        if contact is not None:
            self.query_one("#detail", Static).update(contact_detail(contact, self.names))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # enter opens: the detail below shows the highlighted contact in full
        self.on_option_list_option_highlighted(event)  # type: ignore[arg-type]

    @property
    def current(self) -> ContactRecord | None:
        at = self.query_one("#list", OptionList).highlighted
        return self.found[at] if at is not None and at < len(self.found) else None

    def action_back(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_focus:
            self.query_one("#list", OptionList).focus()
        else:
            self.dismiss(None)

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_new(self) -> None:
        def made(form: ContactForm | None) -> None:
            if form is not None:
                self.create(form)

        self.app.push_screen(NewContact(self.company_name or None), made)

    @board_action
    async def create(self, form: ContactForm) -> None:
        contact = await self.services.contacts.create(contact_create(form), source=Source.BOARD)
        if self.company_id is not None:
            await self.services.contacts.link(contact.id, self.company_id, Source.BOARD)
        self.wrote(ContactMade(contact.id, who(contact)))
        self.notify(f"Contact {who(contact)} created.", timeout=3)
        self.search(self.query_text)

    def wrote(self, undo: Undo) -> None:
        if self.journal is not None:
            self.journal.push(undo)

    def action_edit(self) -> None:
        contact = self.current
        if contact is None:
            self.notify("No contact here.", severity="warning", timeout=2)
            return
        before = contact_form_of(contact)

        def edited(after: ContactForm | None) -> None:
            if after is not None and after != before:
                self.save_edit(contact, before, after)

        self.app.push_screen(NewContact(form=before), edited)

    @board_action
    async def save_edit(
        self, contact: ContactRecord, before: ContactForm, after: ContactForm
    ) -> None:
        patch = contact_patch(before, after)
        record = await self.services.contacts.update(contact.id, patch, Source.BOARD)
        self.wrote(ContactEdited(record.id, who(record), contact_patch(after, before)))
        self.notify(f"Saved {who(record)} ({self.undo_key} undoes).", timeout=4)
        self.search(self.query_text)

    def action_delete(self) -> None:
        contact = self.current
        if contact is None:
            self.notify("No contact here.", severity="warning", timeout=2)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete(contact)

        question = (
            f"Delete {who(contact)}? Their company links and conversations go too "
            f"({self.undo_key} brings everything back)."
        )
        self.app.push_screen(Confirm(question, yes="Delete"), answered)

    @board_action
    async def delete(self, contact: ContactRecord) -> None:
        # Read whole first: the undo puts back its links, conversations and visitors.
        snapshot = await self.services.contacts.capture(contact.id)
        await self.services.contacts.delete(contact.id, Source.BOARD)
        self.wrote(ContactRemoved(who(contact), snapshot))
        self.notify(f"Deleted {who(contact)} ({self.undo_key} undoes).", timeout=4)
        self.search(self.query_text)

    @property
    def undo_key(self) -> str:
        keymap: dict[str, str] = getattr(self.app, "keymap", {})
        return key_text(keymap.get("contacts.undo", "u").split(",")[0])

    def action_undo(self) -> None:
        if self.on_undo is None:
            self.notify("Undo is the board's: go back to it.", severity="warning")
            return
        self.on_undo()
        self.search(self.query_text)  # after the undo: the actions run one at a time

    def action_redo(self) -> None:
        if self.on_redo is None:
            self.notify("Redo is the board's: go back to it.", severity="warning")
            return
        self.on_redo()
        self.search(self.query_text)

    @board_action
    async def action_link(self) -> None:
        await self._set_link(True)

    @board_action
    async def action_unlink(self) -> None:
        await self._set_link(False)

    async def _set_link(self, linked: bool) -> None:
        contact = self.current
        if self.company_id is None:
            self.notify("Open contacts from a company to link them.", severity="warning")
            return
        if contact is None:
            self.notify("No contact here.", severity="warning", timeout=2)
            return
        if linked:
            await self.services.contacts.link(contact.id, self.company_id, Source.BOARD)
        else:
            await self.services.contacts.unlink(contact.id, self.company_id, Source.BOARD)
        name = who(contact)
        where = self.company_name or self.company_id
        self.wrote(Kept(f"{name} {'linked to' if linked else 'unlinked from'} {where}"))
        self.notify(f"{name} {'linked to' if linked else 'unlinked from'} {where}.", timeout=3)
        page = await self.services.contacts.all(q=self.query_text.strip() or None, limit=LIMIT)
        self.show(page.items)
