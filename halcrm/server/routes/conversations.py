"""Conversations over the account token: the board reads one, replies and changes its status.

The same service calls as the public API's (``/api/v1``), audited as the account's writes.
"""

from litestar import Controller, get, patch, post

from halcrm.domain.stages import Source
from halcrm.domain.wire import CONVERSATIONS
from halcrm.services.container import Services
from halcrm.services.support.schemas import (
    ConversationDetail,
    ConversationPatch,
    MessageCreate,
    MessageRecord,
)


class AccountConversationController(Controller):
    path = CONVERSATIONS
    tags = ["conversations"]

    @get("/{conversation_id:str}")
    async def show(self, conversation_id: str, services: Services) -> ConversationDetail:
        """The conversation and its messages, oldest first."""
        return await services.support.get(conversation_id)

    @patch("/{conversation_id:str}", status_code=200)
    async def edit(
        self,
        conversation_id: str,
        data: ConversationPatch,
        services: Services,
        audit_source: Source,
    ) -> ConversationDetail:
        """Sets ``status`` (open, snoozed, resolved), ``snoozed_until`` or ``subject``."""
        return await services.support.update(conversation_id, data, audit_source)

    @post("/{conversation_id:str}/messages", status_code=201)
    async def message(
        self,
        conversation_id: str,
        data: MessageCreate,
        services: Services,
        audit_source: Source,
    ) -> MessageRecord:
        """Adds a message by the ``contact`` or an ``agent``; a contact's reply reopens it."""
        return await services.support.add_message(conversation_id, data, audit_source)
