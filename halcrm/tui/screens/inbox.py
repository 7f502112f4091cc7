"""The inbox: every open conversation, website chats of anonymous visitors included.

A visitor who has not identified yet belongs to no company, so no card and no company screen
shows their chat; this list does, those waiting for a reply first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from textual.binding import Binding
from textual.signal import Signal
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from halcrm.services.support.schemas import CompanyConversation
from halcrm.tui.errors import guarded
from halcrm.tui.messages import Changed
from halcrm.tui.screens.company import conversation_prompt
from halcrm.tui.screens.listing import ListScreen


class InboxScreen(ListScreen):
    """Open conversations; enter opens one (reply with `r` there), `r` opens it replying."""

    BINDINGS = [
        Binding("escape,i", "back", "Back", id="inbox.back"),
        Binding("enter", "open", "Open", id="inbox.open"),
        Binding("r", "open(True)", "Reply", id="inbox.reply"),
    ]

    EMPTY = "No open conversation. Escape goes back to the board."

    def __init__(
        self,
        talks: Sequence[CompanyConversation],
        on_open: Callable[[CompanyConversation, bool], None],
        clock: Callable[[], datetime],
        load: Callable[[], Awaitable[Sequence[CompanyConversation]]] | None = None,
        changed: Signal[Changed] | None = None,
    ) -> None:
        super().__init__()
        self.talks = list(talks)
        self.on_open = on_open
        self.clock = clock
        self.load = load
        self.changed = changed

    def on_mount(self) -> None:
        self.draw(self.talks)
        if self.changed is not None:  # from now on: composed, so a redraw finds its list
            self.changed.subscribe(self, guarded(self, self.on_changed))

    async def on_changed(self, changed: Changed) -> None:
        """Lists the conversations again when a message or a status change touched one."""
        if self.load is not None and changed.conversation_ids:
            self.show(await self.load())

    def show(self, talks: Sequence[CompanyConversation]) -> None:
        """Lists the conversations again, the highlight kept on the same one (once composed:
        a live signal may come between the push and the mount)."""
        if not self.is_mounted:
            self.talks = list(talks)
            return
        self.draw(talks)

    def redraw(self) -> None:
        self.draw(self.talks)

    def draw(self, talks: Sequence[CompanyConversation]) -> None:
        """Redraws in place: the listed conversations keep their rows (a reply must not go to
        whoever moved under the cursor), new ones come first, closed ones leave; the
        highlight stays on its conversation."""
        options = self.query_one(OptionList)
        at = options.highlighted
        keep = (
            options.get_option_at_index(at).id
            if at is not None and at < options.option_count
            else None
        )
        fresh = {t.id: t for t in talks}
        known = [t.id for t in self.talks if t.id in fresh]
        self.talks = [t for t in talks if t.id not in known] + [fresh[i] for i in known]
        waiting = sum(1 for t in self.talks if t.waiting_since is not None)
        self.query_one("#title", Static).update(
            f"Inbox: {len(self.talks)} open"
            + (f", {waiting} waiting on your reply" if waiting else "")
        )
        now = self.clock()
        width = self.row_width
        self.fill(Option(conversation_prompt(t, now, width), id=t.id) for t in self.talks)
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
