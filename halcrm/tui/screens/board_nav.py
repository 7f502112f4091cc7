"""The screens the board opens: a company, a conversation, the inbox, the contacts.

Each opened screen subscribes to the board's ``changed`` signal once composed and reads again
what a write or a live signal touched; the board never walks the screen stack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from halcrm.services.support.schemas import CompanyConversation
from halcrm.tui.errors import board_action
from halcrm.tui.modals.project_picker import ProjectPicker
from halcrm.tui.screens.board_tasks import NextSteps
from halcrm.tui.screens.company import CompanyScreen
from halcrm.tui.screens.contacts import ContactsScreen
from halcrm.tui.screens.conversation import ConversationScreen
from halcrm.tui.screens.desk import Desk, Part
from halcrm.tui.screens.inbox import InboxScreen

if TYPE_CHECKING:
    from halcrm.tui.screens.board_undo import Undoing


class Navigator(Part):
    """Opens the company, conversation, inbox and contacts screens over the board."""

    def __init__(
        self,
        desk: Desk,
        edit_company: Callable[[str], None],
        steps: NextSteps | None = None,
        undoing: Undoing | None = None,
    ) -> None:
        super().__init__(desk)
        self.edit_company = edit_company
        # The company screen's next-step keys and its `u` and `U` (the board's undo, redo).
        self.steps = steps
        self.undo = undoing.undo if undoing else None
        self.redo = undoing.redo if undoing else None

    @board_action
    async def switch_project(self) -> None:
        """A list of the database's projects; the board of the one chosen replaces this one."""
        services = self.desk.services
        projects = (await services.projects.all()).items
        if len(projects) < 2:
            self.desk.notify("This database has one project (make another: halcrm project create).")
            return

        def chosen(project_id: str | None) -> None:
            if project_id is not None and project_id != services.project_id:
                switch = getattr(self.app, "switch_project", None)
                if switch is not None:
                    switch(project_id)

        self.app.push_screen(ProjectPicker(projects, services.project_id), chosen)

    def open_focused(self) -> None:
        card = self.desk.focused()
        if card is not None:
            self.open_company(card.id)

    @board_action
    async def open_company(self, company_id: str) -> None:
        services = self.desk.services
        detail = await services.board.company_detail(company_id)
        talks = await services.support.company_conversations(company_id)
        screen = CompanyScreen(
            detail,
            on_edit=self.edit_company,
            conversations=talks,
            on_conversation=self.open_conversation,
            clock=self.desk.clock,
            on_contacts=self.contacts,
            services=services,
            changed=self.desk.changed,
            steps=self.steps,
            on_undo=self.undo,
            on_redo=self.redo,
        )
        await self.app.push_screen(screen)

    def contacts(self, company_id: str | None = None) -> None:
        """The contacts screen, linking to the focused company (or ``company_id``)."""
        board = self.desk.board
        card = board.model.cards.get(company_id) if company_id else board.focused_card
        names = {c.id: c.name for c in board.model.cards.values()}
        screen = ContactsScreen(
            self.desk.services,
            card.id if card else None,
            card.name if card else "",
            names,
            self.desk.undo_stack,
            self.undo,
            self.redo,
        )
        self.app.push_screen(screen)

    @board_action
    async def open_conversation(self, talk: CompanyConversation, reply: bool = False) -> None:
        """Shows a conversation's messages, with reply and status keys (``reply``: the reply
        box has the keys at once)."""
        detail = await self.desk.services.support.get(talk.id)
        desk = self.desk
        screen = ConversationScreen(
            desk.services,
            detail,
            talk.contact_name,
            desk.clock,
            desk.board.model.tz,
            desk.changed,
            desk.undo_stack,
        )
        await self.app.push_screen(screen)
        if reply:
            screen.action_reply()

    @board_action
    async def inbox(self) -> None:
        """Every open conversation, website chats of anonymous visitors too."""
        services = self.desk.services
        talks = await services.support.inbox()
        screen = InboxScreen(
            talks,
            self.open_conversation,
            self.desk.clock,
            services.support.inbox,
            self.desk.changed,
        )
        await self.app.push_screen(screen)
