"""The chat's part of ``Services`` (kept apart so the facade stays one screenful per area)."""

from __future__ import annotations

from halcrm.db.writer import Database
from halcrm.services.widget import chat
from halcrm.services.widget.inputs import ChatRead, ChatSend
from halcrm.services.widget.records import ChatHistory, ChatSent


class ChatOps:
    """The widget chat's operations; widget calls name their own project."""

    db: Database

    async def chat_send(self, body: ChatSend) -> ChatSent:
        """A visitor's message: opens or continues its chat."""
        return await chat.send(self.db, body)

    async def chat_history(self, query: ChatRead) -> ChatHistory:
        """The visitor's own chat, oldest first."""
        return await chat.history(self.db, query)

    async def chat_check_stream(self, query: ChatRead) -> str:
        """Verifies a chat stream's visitor; answers the project it is scoped to."""
        return await chat.check_stream(self.db, query)
