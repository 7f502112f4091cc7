"""The company screen: everything known about one company, its stage history included."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.markup import escape
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.signal import Signal
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from halcrm.domain.errors import NotFound
from halcrm.services.board.records import CompanyDetail
from halcrm.services.crm.records import HistoryItem
from halcrm.services.support.schemas import CompanyConversation
from halcrm.tui.client import BoardServices
from halcrm.tui.errors import guarded
from halcrm.tui.format import ago, money, outcome, waited, when
from halcrm.tui.messages import Changed
from halcrm.tui.screens.listing import clipped, fit_width, hanging
from halcrm.tui.widgets.next_steps import StepList

if TYPE_CHECKING:
    from halcrm.tui.screens.board_tasks import NextSteps

STATUS_MARKS = {"open": "[b $warning]✉ open[/]", "snoozed": "◔ snoozed", "resolved": "✓ resolved"}


def _section(title: str, lines: list[str]) -> str:
    body = "\n".join(lines) if lines else "[dim]none[/dim]"
    return f"[b $accent]{title}[/]\n{body}"


def history_line(item: HistoryItem) -> str:
    """One history entry after its time: who moved it where, applied or skipped and why; who
    changed the deal value from what to what; or an event, a conversation, a message."""
    if item.type == "stage_change":
        target = escape(item.requested_stage or "Unstaged")
        text = (
            f"[b]{item.source}[/b] {item.mode}: "
            f"{escape(item.previous_stage or 'Unstaged')} → {target}  "
            f"{outcome(item.applied, item.reason)}"
        )
        if item.note:
            text += f"  [i]{escape(item.note)}[/i]"
        return text if item.applied else f"[$warning]{text}[/]"
    if item.type == "deal_value":
        was, now = money(item.previous_deal_value) or "none", money(item.deal_value) or "none"
        return f"[b]{item.source}[/b] deal value: {was} → {now}"
    if item.type == "conversation":
        subject = escape(item.subject or "(no subject)")
        return f"conversation [b]{subject}[/b] started ({item.status})"
    if item.type == "message":
        who = "you" if item.author == "agent" else "contact"
        words = " ".join((item.body or "").split())
        body = escape(words if len(words) <= 80 else words[:79] + "…")
        return f"message from {who}: [i]{body}[/i]"
    value = "" if item.value is None else f" = {escape(str(item.value))}"
    return f"event [b]{escape(item.name or '')}[/b]{value}"


def history(items: Sequence[HistoryItem], width: int) -> Content:
    """The history section: each entry's time, then its words wrapped beside it."""
    lines = [
        hanging(Content(f"{when(i.at)}  "), Content.from_markup(history_line(i)), width, under=2)
        for i in items
    ]
    title = Content.from_markup("[b $accent]History[/]")
    return Content("\n").join([title, *(lines or [Content.from_markup("[dim]none[/dim]")])])


def conversation_prompt(talk: CompanyConversation, now: datetime, width: int) -> Content:
    """Status, how long the contact has waited, contact, subject and message count, then the
    last message on one line, each line cut to ``width`` (an inbox row is a glance: enter
    opens the whole); the wait comes first, where no long name can cut it off."""
    head = STATUS_MARKS.get(talk.status, talk.status)
    if talk.waiting_since is not None:
        head += f"  [b $error]waiting {waited(talk.waiting_since, now)}[/]"
    head += (
        f"  [b]{escape(talk.contact_name)}[/b]"
        + (f" ({escape(', '.join(talk.companies))})" if talk.companies else "")
        + f"  {escape(talk.subject or '(no subject)')}  [dim]{talk.message_count} msg[/dim]"
    )
    if talk.last_body is not None:
        who = "you" if talk.last_author == "agent" else talk.contact_name
        age = ago(talk.last_message_at, now)
        age = "just now" if age == "now" else f"{age} ago"
        body = " ".join(talk.last_body.split())  # its line breaks are the conversation's
        head += f"\n[dim]{escape(who)}, {age}: {escape(body)}[/dim]"
    return clipped(Content.from_markup(head), width)


# The page's padding and scrollbar: what a line may not use; a list's border and padding too.
PAGE_GUTTER = 6
TALK_GUTTER = PAGE_GUTTER + 4


class CompanyScreen(Screen[None]):
    """Read-only view of a company; `e` edits it, enter on a conversation opens it, escape
    goes back to the board."""

    BINDINGS = [
        Binding("escape,backspace", "back", "Back", id="company.back"),
        Binding("e", "edit", "Edit", id="company.edit"),
        # Short labels, one key less in the footer: it fits 80 columns with `?` in it.
        Binding("enter", "open_conversation", "Open", id="company.open"),
        Binding("r", "reply", "Reply", id="company.reply"),
        Binding("c", "contacts", "Contacts…", id="company.contacts"),
        Binding("t", "step('add')", "New step", id="company.add_step"),
        Binding("x", "step('complete')", "Done", id="company.complete_step"),
        Binding("s", "step('reschedule')", "Reschedule", show=False, id="company.reschedule_step"),
        Binding("T", "step('edit')", "Edit step", show=False, id="company.edit_step"),
        Binding("D", "step('delete')", "Delete step", show=False, id="company.delete_step"),
        Binding("u", "undo", "Undo", show=False, id="company.undo"),
        Binding("U,ctrl+r", "redo", "Redo", show=False, id="company.redo"),
    ]

    DEFAULT_CSS = """
    CompanyScreen VerticalScroll { padding: 1 2; }
    CompanyScreen Static { margin-bottom: 1; }
    CompanyScreen #title { text-style: bold; color: $text; background: $boost; padding: 0 1; }
    CompanyScreen #conversations { height: auto; max-height: 12; margin-bottom: 1; }
    CompanyScreen #conversations.-none { display: none; }
    """

    def __init__(
        self,
        detail: CompanyDetail,
        on_edit: Callable[[str], None] | None = None,
        *,
        conversations: Sequence[CompanyConversation] = (),
        on_conversation: Callable[[CompanyConversation, bool], None] | None = None,
        clock: Callable[[], datetime] | None = None,
        on_contacts: Callable[[str], None] | None = None,
        services: BoardServices | None = None,
        changed: Signal[Changed] | None = None,
        steps: NextSteps | None = None,
        on_undo: Callable[[], object] | None = None,
        on_redo: Callable[[], object] | None = None,
    ) -> None:
        super().__init__()
        # The next-step writes (the board's) and its undo and redo, for the step keys.
        self.steps, self.on_undo, self.on_redo = steps, on_undo, on_redo
        self.services = services
        self.changed = changed
        self.on_contacts = on_contacts
        self.detail = detail
        self.on_edit = on_edit
        self.conversations = list(conversations)
        self.on_conversation = on_conversation
        self.clock = clock

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(id="title")
            yield Static(id="facts")
            yield StepList()
            yield Static(id="notes")
            yield Static(id="metadata")
            yield Static(id="contacts")
            yield Static(id="visitors")
            yield Static(id="talks")
            yield OptionList(id="conversations")
            yield Static(id="history")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.draw(self.detail, self.conversations)
        if self.changed is not None:  # from now on: composed, so a redraw finds its sections
            self.changed.subscribe(self, guarded(self, self.on_changed))

    def on_resize(self, event: events.Resize) -> None:
        """The history and the conversations are laid out for a width: a new one lays them out
        again."""
        if self.is_mounted:
            self.draw(self.detail, self.conversations)

    async def on_changed(self, changed: Changed) -> None:
        """Reads the company again when a write or a signal touched it (gone: back to the
        board)."""
        company_id = self.detail.company.id
        if self.services is None or company_id not in changed.company_ids:
            return
        try:
            detail = await self.services.board.company_detail(company_id)
            talks = await self.services.support.company_conversations(company_id)
        except NotFound:
            self.dismiss(None)
            return
        self.show(detail, talks)

    def show_conversations(self, talks: Sequence[CompanyConversation]) -> None:
        """Lists the contacts' conversations, open ones first; enter opens one."""
        self.conversations = list(talks)
        now = self.clock() if self.clock else self.detail.company.updated_at
        waiting = sum(1 for t in talks if t.waiting_since is not None)
        title = f"Conversations ({len(talks)}" + (f", {waiting} waiting)" if waiting else ")")
        hint = "  [dim]enter opens the highlighted one, r replies[/dim]" if talks else ""
        self.query_one("#talks", Static).update(
            f"[b $accent]{title}[/]{hint}" + ("" if talks else "\n[dim]none[/dim]")
        )
        options = self.query_one("#conversations", OptionList)
        at = options.highlighted
        options.clear_options()
        width = fit_width(self.app.size.width, TALK_GUTTER)
        options.add_options(Option(conversation_prompt(t, now, width), id=t.id) for t in talks)
        options.set_class(not talks, "-none")
        if talks:
            options.highlighted = min(at or 0, len(talks) - 1)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_list.id == "steps":
            self.action_step("edit")
            return
        talk = next((t for t in self.conversations if t.id == event.option.id), None)
        if talk is not None and self.on_conversation is not None:
            self.on_conversation(talk, False)

    def _talk(self) -> CompanyConversation | None:
        """The highlighted conversation, else the first (open ones come first)."""
        if not self.conversations:
            self.notify("No conversation with this company's contacts.", timeout=3)
            return None
        at = self.query_one("#conversations", OptionList).highlighted or 0
        return self.conversations[min(at, len(self.conversations) - 1)]

    def action_open_conversation(self, reply: bool = False) -> None:
        talk = self._talk()
        if talk is not None and self.on_conversation is not None:
            self.on_conversation(talk, reply)

    def action_reply(self) -> None:
        """Opens the conversation with its reply box holding the keys."""
        self.action_open_conversation(reply=True)

    def show(
        self, detail: CompanyDetail, talks: Sequence[CompanyConversation] | None = None
    ) -> None:
        """Fills the sections (again, when a signal changed this company), once composed."""
        if not self.is_mounted:
            self.detail = detail
            self.conversations = list(talks) if talks is not None else self.conversations
            return
        self.draw(detail, talks)

    def draw(
        self, detail: CompanyDetail, talks: Sequence[CompanyConversation] | None = None
    ) -> None:
        self.detail = detail
        if talks is not None:
            self.show_conversations(talks)
        company = detail.company
        marks = []
        if company.is_placeholder:
            marks.append("placeholder")
        if company.stalled:
            marks.append("stalled")
        title = f"{escape(company.name)}  ·  {escape(company.stage or 'Unstaged')}"
        if marks:
            title += f"  ·  {', '.join(marks)}"
        self.query_one("#title", Static).update(title)
        close = company.expected_close.isoformat() if company.expected_close else "—"
        facts = [
            f"Deal value     {money(company.deal_value) or '—'}",
            f"Close by       {close}",
            f"Id             {escape(company.id)}",
            f"Domain         {escape(company.domain or '—')}",
            f"Industry       {escape(company.industry or '—')}",
            f"Created        {when(company.created_at)}",
            f"Last activity  {when(company.last_activity_at)}",
        ]
        if company.last_moved_by:
            facts.append(
                f"Last moved     by {company.last_moved_by} at {when(company.last_moved_at)}"
            )
        self.query_one("#facts", Static).update(_section("Company", facts))
        now = self.clock() if self.clock else company.updated_at
        self.query_one(StepList).show(detail.tasks, now, self.steps.tz if self.steps else UTC)
        notes = [escape(company.notes)] if company.notes else []
        self.query_one("#notes", Static).update(_section("Notes", notes))
        meta = [
            f"{escape(k)}: {escape(json.dumps(v, ensure_ascii=False))}"
            for k, v in sorted(company.metadata.items())
        ]
        self.query_one("#metadata", Static).update(_section("Metadata", meta))
        people = [
            f"{escape(c.name or '—')}  <{escape(c.email or c.user_id or c.id)}>"
            for c in detail.contacts
        ]
        self.query_one("#contacts", Static).update(_section(f"Contacts ({len(people)})", people))
        seen = [
            f"{escape(v.visitor_id)}  {escape(v.contact_email or v.contact_name or '—')}"
            f"  last seen {when(v.last_seen_at)}" + ("  ✓ verified" if v.verified else "")
            for v in detail.visitors
        ]
        self.query_one("#visitors", Static).update(_section(f"Visitors ({len(seen)})", seen))
        width = fit_width(self.app.size.width, PAGE_GUTTER)
        self.query_one("#history", Static).update(history(detail.history, width))

    def action_back(self) -> None:
        self.dismiss(None)

    def action_contacts(self) -> None:
        """Search, create, link and unlink this company's contacts."""
        if self.on_contacts is not None:
            self.on_contacts(self.detail.company.id)

    def action_edit(self) -> None:
        if self.on_edit is not None:
            self.on_edit(self.detail.company.id)

    def action_step(self, what: str) -> None:
        """A next-step key: ``add`` for the company, the others on the highlighted step."""
        if self.steps is None:
            return
        if what == "add":
            self.steps.add(self.detail.company.id)
            return
        task = self.query_one(StepList).current()
        if task is None:
            self.notify("No next step here: t adds one.", timeout=3)
        elif what == "complete" and task.status == "done":
            self.notify(f"{task.title!r} is done already.", timeout=3)
        else:
            getattr(self.steps, what)(task)

    def action_undo(self) -> None:
        if self.on_undo is not None:
            self.on_undo()

    def action_redo(self) -> None:
        if self.on_redo is not None:
            self.on_redo()
