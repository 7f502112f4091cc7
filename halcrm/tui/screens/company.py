"""The company screen: everything known about one company, its stage history included."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from halcrm.services.board import CompanyDetail
from halcrm.services.records import HistoryItem
from halcrm.tui.format import money, outcome, when


def _section(title: str, lines: list[str]) -> str:
    body = "\n".join(lines) if lines else "[dim]none[/dim]"
    return f"[b $accent]{title}[/]\n{body}"


def history_line(item: HistoryItem) -> str:
    """One history entry: who moved it where, applied or skipped and why; or an event."""
    if item.type == "stage_change":
        target = escape(item.requested_stage or "Unstaged")
        text = (
            f"{when(item.at)}  [b]{item.source}[/b] {item.mode}: "
            f"{escape(item.previous_stage or 'Unstaged')} → {target}  "
            f"{outcome(item.applied, item.reason)}"
        )
        if item.note:
            text += f"  [i]{escape(item.note)}[/i]"
        return text if item.applied else f"[$warning]{text}[/]"
    value = "" if item.value is None else f" = {escape(str(item.value))}"
    return f"{when(item.at)}  event [b]{escape(item.name or '')}[/b]{value}"


class CompanyScreen(Screen[None]):
    """Read-only view of a company; `e` edits it, escape goes back to the board."""

    BINDINGS = [
        Binding("escape,backspace", "back", "Back", id="company.back"),
        Binding("e", "edit", "Edit", id="company.edit"),
    ]

    DEFAULT_CSS = """
    CompanyScreen VerticalScroll { padding: 1 2; }
    CompanyScreen Static { margin-bottom: 1; }
    CompanyScreen #title { text-style: bold; color: $text; background: $boost; padding: 0 1; }
    """

    def __init__(
        self, detail: CompanyDetail, on_edit: Callable[[str], Awaitable[None]] | None = None
    ) -> None:
        super().__init__()
        self.detail = detail
        self.on_edit = on_edit

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(id="title")
            yield Static(id="facts")
            yield Static(id="notes")
            yield Static(id="metadata")
            yield Static(id="contacts")
            yield Static(id="history")
        yield Footer()

    def on_mount(self) -> None:
        self.show(self.detail)

    def show(self, detail: CompanyDetail) -> None:
        """Fills the sections (again, when a signal changed this company)."""
        self.detail = detail
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
        facts = [
            f"Deal value     {money(company.deal_value) or '—'}",
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
        self.query_one("#history", Static).update(
            _section("Stage history and events", [history_line(i) for i in detail.history])
        )

    def action_back(self) -> None:
        self.dismiss(None)

    async def action_edit(self) -> None:
        if self.on_edit is not None:
            await self.on_edit(self.detail.company.id)
