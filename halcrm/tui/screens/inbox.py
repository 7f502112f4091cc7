"""The inbox: every open conversation, website chats of anonymous visitors included.

A visitor who has not identified yet belongs to no company, so no card and no company screen
shows their chat; this list does, those waiting for a reply first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from halcrm.services.support.context import CompanyConversation
from halcrm.tui.screens.company import conversation_prompt


class InboxScreen(Screen[None]):
    """Open conversations; enter opens one (reply with `r` there), `r` opens it replying."""

    BINDINGS = [
        Binding("escape,i", "back", "Back", id="inbox.back"),
        Binding("enter", "open", "Open", id="inbox.open"),
        Binding("r", "open(True)", "Reply", id="inbox.reply"),
    ]

    DEFAULT_CSS = """
    InboxScreen #title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    InboxScreen OptionList { height: 1fr; border: none; padding: 0 1; }
    InboxScreen #empty { padding: 1 2; color: $text-muted; display: none; }
    InboxScreen.-empty #empty { display: block; }
    InboxScreen.-empty OptionList { display: none; }
    """

    def __init__(
        self,
        talks: Sequence[CompanyConversation],
        on_open: Callable[[CompanyConversation, bool], None],
        clock: Callable[[], datetime],
    ) -> None:
        super().__init__()
        self.talks = list(talks)
        self.on_open = on_open
        self.clock = clock

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        yield OptionList()
        yield Static("No open conversation. Escape goes back to the board.", id="empty")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.show(self.talks)

    def show(self, talks: Sequence[CompanyConversation]) -> None:
        """Lists the conversations again, the highlight kept on the same one."""
        options = self.query_one(OptionList)
        at = options.highlighted
        keep = self.talks[at].id if at is not None and at < len(self.talks) else None
        self.talks = list(talks)
        waiting = sum(1 for t in self.talks if t.waiting_since is not None)
        self.query_one("#title", Static).update(
            f"Inbox: {len(self.talks)} open"
            + (f", {waiting} waiting on your reply" if waiting else "")
        )
        now = self.clock()
        options.clear_options()
        options.add_options(Option(conversation_prompt(t, now), id=t.id) for t in self.talks)
        self.set_class(not self.talks, "-empty")
        if self.talks:
            ids = [t.id for t in self.talks]
            options.highlighted = ids.index(keep) if keep in ids else 0
            options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_open(self, reply: bool = False) -> None:
        at = self.query_one(OptionList).highlighted
        if at is None or at >= len(self.talks):
            self.notify("No conversation to open.", severity="warning", timeout=2)
            return
        self.on_open(self.talks[at], reply)
