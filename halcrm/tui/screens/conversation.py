"""One support conversation: its messages, a reply box, and status changes, from the board."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.signal import Signal
from textual.widgets import Footer, Input, Static

from halcrm.domain.errors import NotFound
from halcrm.domain.stages import Source
from halcrm.services.support.schemas import (
    ConversationDetail,
    ConversationPatch,
    MessageCreate,
)
from halcrm.tui.client import BoardServices
from halcrm.tui.errors import board_action, guarded
from halcrm.tui.format import when
from halcrm.tui.messages import Changed
from halcrm.tui.modals.snooze import SnoozeUntil
from halcrm.tui.undo import Kept, UndoStack

AUTHORS = {"agent": "[b $accent]you[/]", "contact": "[b $warning]{name}[/]"}


class ConversationScreen(Screen[None]):
    """Messages oldest first; `r` replies (an agent message), `x`/`o`/`z` resolve, reopen,
    snooze. Every write goes through the services with source ``board``."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="conversation.back"),
        Binding("r", "reply", "Reply", id="conversation.reply"),
        Binding("x", "status('resolved')", "Resolve", id="conversation.resolve"),
        Binding("o", "status('open')", "Reopen", id="conversation.reopen"),
        Binding("z", "snooze", "Snooze…", id="conversation.snooze"),
    ]

    AUTO_FOCUS = "#messages"

    DEFAULT_CSS = """
    ConversationScreen #title { height: auto; padding: 0 1; background: $boost; }
    ConversationScreen VerticalScroll { padding: 0 2; }
    ConversationScreen .message { margin-top: 1; }
    ConversationScreen #reply { dock: bottom; margin: 0 1; }
    """

    def __init__(
        self,
        services: BoardServices,
        detail: ConversationDetail,
        contact_name: str,
        clock: Callable[[], datetime],
        tz: ZoneInfo,
        changed: Signal[Changed] | None = None,
        journal: UndoStack | None = None,
    ) -> None:
        super().__init__()
        self.tz = tz  # the project's: a snooze "until fri" ends at Friday's start there
        # The board's undo stack: a reply or a status change is a write `u` cannot take back.
        self.journal = journal
        self.services = services
        self.detail = detail
        self.contact_name = contact_name
        self.clock = clock
        self.changed = changed
        # One redraw at a time: two overlapping ones (the reply's and its signal's) would
        # each clear the list, then each add every message, showing them twice.
        self._drawing = asyncio.Lock()

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        yield VerticalScroll(id="messages")
        yield Input(id="reply", placeholder="r: write a reply · enter sends · esc leaves the box")
        yield Footer(compact=True, show_command_palette=False)

    async def on_mount(self) -> None:
        await self.draw(self.detail)
        if self.changed is not None:  # from now on: composed, so a redraw finds its list
            self.changed.subscribe(self, guarded(self, self.on_changed))

    async def on_changed(self, changed: Changed) -> None:
        """Reads the conversation again when a signal touched it or its companies."""
        touched = self.detail.id in changed.conversation_ids
        if touched or changed.company_ids & set(self.detail.company_ids):
            await self.reload()

    async def show(self, detail: ConversationDetail) -> None:
        """Draws the conversation (again, after a write or a signal), once composed."""
        self.detail = detail
        if self.is_mounted:
            await self.draw(detail)

    async def draw(self, detail: ConversationDetail) -> None:
        self.detail = detail
        async with self._drawing:
            await self._draw(self.detail)  # the newest asked for, when two waited

    async def _draw(self, detail: ConversationDetail) -> None:
        subject = escape(detail.subject or "(no subject)")
        status = detail.status
        if detail.snoozed_until is not None:
            status += f" until {when(detail.snoozed_until)}"
        self.query_one("#title", Static).update(
            f"[b]{subject}[/b]  ·  {escape(self.contact_name)}  ·  [b]{status}[/b]  ·  "
            f"{len(detail.messages)} message{'' if len(detail.messages) == 1 else 's'}"
        )
        box = self.query_one("#messages", VerticalScroll)
        await box.remove_children()
        name = escape(self.contact_name)
        await box.mount_all(
            Static(
                f"{AUTHORS.get(m.author, m.author).format(name=name)}  [dim]{when(m.created_at)}[/]"
                f"\n{escape(m.body)}",
                classes="message",
            )
            for m in detail.messages
        )
        box.scroll_end(animate=False)

    def action_back(self) -> None:
        reply = self.query_one("#reply", Input)
        if reply.has_focus:
            self.set_focus(None)  # escape leaves the reply box first
        else:
            self.dismiss(None)

    def action_reply(self) -> None:
        self.query_one("#reply", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if text:
            self.send(text)

    @board_action
    async def send(self, text: str) -> None:
        """Sends the reply; the box keeps the text when the write fails."""
        await self.services.support.add_message(
            self.detail.id, MessageCreate(author="agent", body=text), source=Source.BOARD
        )
        self.kept(f"reply to {self.contact_name}")
        # The box keeps the keys (a follow-up may start with `q` or `x`): escape leaves it.
        self.query_one("#reply", Input).value = ""
        await self.reload()

    @board_action
    async def action_status(self, status: str, until: datetime | None = None) -> None:
        patch = ConversationPatch(status=status, snoozed_until=until)  # type: ignore[arg-type]
        await self.services.support.update(self.detail.id, patch, source=Source.BOARD)
        self.kept(f"conversation with {self.contact_name} {status}")
        self.notify(f"Conversation {status}.", timeout=2)
        await self.reload()

    def kept(self, what: str) -> None:
        if self.journal is not None:
            self.journal.push(Kept(what))

    def action_snooze(self) -> None:
        def chosen(until: datetime | None) -> None:
            if until is not None:
                self.action_status("snoozed", until)

        self.app.push_screen(
            SnoozeUntil(f"the conversation with {self.contact_name}", self.clock, self.tz), chosen
        )

    async def reload(self) -> None:
        try:
            detail = await self.services.support.get(self.detail.id)
        except NotFound:
            self.dismiss(None)
            return
        await self.show(detail)
