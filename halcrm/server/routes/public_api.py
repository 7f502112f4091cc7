"""The public API (``X-API-Key``): conversations for the founder's other tools (its contacts
are ``server/routes/contacts.py``'s ``PublicContactController``)."""

from typing import Literal

from litestar import Controller, get, patch, post

from halcrm.server.params import Limit
from halcrm.services.container import Services
from halcrm.services.page import Page
from halcrm.services.support.schemas import (
    ConversationCreate,
    ConversationDetail,
    ConversationPatch,
    ConversationRecord,
    MessageCreate,
    MessageRecord,
)


class ConversationController(Controller):
    path = "/api/v1/conversations"
    tags = ["public api"]

    @get("/")
    async def index(
        self,
        services: Services,
        contact_id: str | None = None,
        status: Literal["open", "snoozed", "resolved"] | None = None,
        limit: Limit = None,
        cursor: str | None = None,
    ) -> Page[ConversationRecord]:
        """Conversations oldest first, filtered by ``contact_id`` and ``status``, paginated."""
        return await services.support.all(
            contact_id=contact_id, status=status, limit=limit, cursor=cursor
        )

    @post("/", status_code=201)
    async def create(self, data: ConversationCreate, services: Services) -> ConversationDetail:
        """Opens a conversation for a contact, with its first ``message`` when given."""
        return await services.support.create(data)

    @get("/{conversation_id:str}")
    async def show(self, conversation_id: str, services: Services) -> ConversationDetail:
        """The conversation and its messages, oldest first."""
        return await services.support.get(conversation_id)

    @patch("/{conversation_id:str}", status_code=200)
    async def edit(
        self, conversation_id: str, data: ConversationPatch, services: Services
    ) -> ConversationDetail:
        """Sets ``status`` (open, snoozed, resolved), ``snoozed_until`` or ``subject``."""
        return await services.support.update(conversation_id, data)

    @post("/{conversation_id:str}/messages", status_code=201)
    async def message(
        self, conversation_id: str, data: MessageCreate, services: Services
    ) -> MessageRecord:
        """Adds a message by the ``contact`` or an ``agent``; a contact's reply reopens it."""
        return await services.support.add_message(conversation_id, data)
