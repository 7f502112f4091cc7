"""The board's read models and the support inbox over the account API."""

from __future__ import annotations

from datetime import datetime

from halcrm.domain.stages import Source
from halcrm.domain.wire import BOARD, COMPANIES, CONVERSATIONS
from halcrm.services.board.records import (
    Answered,
    BoardData,
    Card,
    CompanyDetail,
    FocusItem,
    PipelineSummary,
)
from halcrm.services.support.schemas import (
    CompanyConversation,
    ConversationDetail,
    ConversationPatch,
    MessageCreate,
    MessageRecord,
)
from halcrm.tui.client.area import RemoteArea
from halcrm.tui.client.http import Connection, path_id
from halcrm.tui.client.stream import EventFollower

# Ids per card request (the route takes up to 1,000): a live batch may name thousands.
CARDS_PER_REQUEST = 500


class RemoteBoard(RemoteArea):
    """``services.board``: the cards, a company's detail, the summary and the focus lane."""

    def __init__(self, connection: Connection, follower: EventFollower, project_id: str) -> None:
        super().__init__(connection, project_id)
        self.follower = follower

    async def load(self) -> BoardData:
        # After a project switch, the new project's events stream before its board loads.
        await self.follower.ready(self.project_id)
        return await self._get(BOARD, BoardData)

    async def cards(self, company_ids: list[str]) -> list[Card]:
        out: list[Card] = []
        for at in range(0, len(company_ids), CARDS_PER_REQUEST):
            ids = company_ids[at : at + CARDS_PER_REQUEST]
            # A read sent as POST (the ids in a body): no idempotency key, nothing written.
            out += await self.connection.call(
                "POST",
                f"{BOARD}/cards",
                list[Card],
                project_id=self.project_id,
                body={"ids": ids},
                read=True,
            )
        return out

    async def company_detail(self, company_id: str) -> CompanyDetail:
        return await self._get(f"{COMPANIES}/{path_id(company_id)}/detail", CompanyDetail)

    async def summary(self) -> PipelineSummary:
        return await self._get(f"{BOARD}/summary", PipelineSummary)

    async def focus_lane(self, limit: int = 8) -> list[FocusItem]:
        return await self._get(f"{BOARD}/focus", list[FocusItem], limit=limit)

    async def answer_focus(
        self, company_id: str, reason: str, state: str, until: datetime | None = None
    ) -> Answered:
        body = {"company_id": company_id, "reason": reason, "state": state, "until": until}
        return await self._write("POST", f"{BOARD}/focus", Answered, body)


def _conversation(conversation_id: str, rest: str = "") -> str:
    return f"{CONVERSATIONS}/{path_id(conversation_id)}{rest}"


class RemoteSupport(RemoteArea):
    """``services.support``: the inbox, a company's conversations, a conversation, replies."""

    async def get(self, conversation_id: str) -> ConversationDetail:
        return await self._get(_conversation(conversation_id), ConversationDetail)

    async def update(
        self, conversation_id: str, patch: ConversationPatch, source: Source = Source.PUBLIC_API
    ) -> ConversationDetail:
        path = _conversation(conversation_id)
        return await self._write("PATCH", path, ConversationDetail, patch, source)

    async def add_message(
        self, conversation_id: str, body: MessageCreate, source: Source = Source.PUBLIC_API
    ) -> MessageRecord:
        path = _conversation(conversation_id, "/messages")
        return await self._write("POST", path, MessageRecord, body, source)

    async def company_conversations(self, company_id: str) -> list[CompanyConversation]:
        path = f"{COMPANIES}/{path_id(company_id)}/conversations"
        return await self._get(path, list[CompanyConversation])

    async def inbox(self) -> list[CompanyConversation]:
        return await self._get(f"{BOARD}/inbox", list[CompanyConversation])
