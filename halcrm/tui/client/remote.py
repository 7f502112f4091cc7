"""``RemoteServices``: the board's operations through a running halcrm's account API.

Each method is one request (the cards of a big batch a few); the answers are the services' own
records and the refusals their own errors, so the screens cannot tell it from ``Services``.
Live events come from ``/api/events`` into ``bus`` (``tui/client/stream.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from halcrm.bus import EventBus
from halcrm.domain.stages import Source
from halcrm.services.board.records import (
    Answered,
    BoardData,
    Card,
    CompanyDetail,
    FocusItem,
    ForecastRecord,
    PipelineSummary,
)
from halcrm.services.crm.inputs import (
    CompanyCreate,
    CompanyPatch,
    ContactCreate,
    ContactPatch,
    StageCreate,
    StagePatch,
)
from halcrm.services.crm.records import (
    ActivityItem,
    CompanyRecord,
    CompanySnapshot,
    ContactRecord,
    Deleted,
    MergeResult,
    MergeUndo,
    ProjectRecord,
    StageRecord,
    StageResult,
)
from halcrm.services.page import Page
from halcrm.services.support.schemas import (
    CompanyConversation,
    ConversationDetail,
    ConversationPatch,
    MessageCreate,
    MessageRecord,
)
from halcrm.services.tasks.inputs import TaskCreate, TaskPatch
from halcrm.services.tasks.records import AGENDA_LIMIT, AgendaDay, TaskRecord
from halcrm.services.webhooks.records import (
    LAST_DELIVERIES,
    DeliveryRecord,
    EndpointOverview,
    WebhookRecord,
)
from halcrm.tui.client.http import Connection, path_id
from halcrm.tui.client.stream import EventFollower

T = TypeVar("T")

# Ids per card request (the route takes up to 1,000): a live batch may name thousands.
CARDS_PER_REQUEST = 500


def _query(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _link(contact_id: str, company_id: str) -> str:
    """The path of a contact's link to a company (PUT makes it, DELETE removes it)."""
    return f"/api/contacts/{path_id(contact_id)}/companies/{path_id(company_id)}"


class RemoteWebhooks:
    """The board's webhooks operations over the account API (``/api/webhooks``)."""

    def __init__(self, connection: Connection, project_id: str) -> None:
        self.connection = connection
        self.project_id = project_id

    async def overview(self) -> list[EndpointOverview]:
        endpoints = await self.connection.call(
            "GET", "/api/webhooks", Page[WebhookRecord], project_id=self.project_id
        )
        found = []
        for endpoint in endpoints.items:
            last = await self.connection.call(
                "GET",
                f"/api/webhooks/{path_id(endpoint.id)}/deliveries",
                Page[DeliveryRecord],
                project_id=self.project_id,
                params={"limit": LAST_DELIVERIES},
            )
            found.append(EndpointOverview(endpoint=endpoint, deliveries=last.items))
        return found

    async def retry(self, webhook_id: str, delivery_id: str) -> DeliveryRecord:
        path = f"/api/webhooks/{path_id(webhook_id)}/deliveries/{path_id(delivery_id)}/retry"
        return await self.connection.call("POST", path, DeliveryRecord, project_id=self.project_id)


class RemoteTasks:
    """``services.tasks`` (``Tasks``) over ``/api/tasks``: the same methods, records, refusals."""

    def __init__(self, connection: Connection, project_id: str) -> None:
        self.connection = connection
        self.project_id = project_id

    async def _call(
        self, method: str, path: str, answer: type[T], body: Any = None, **params: Any
    ) -> T:
        source = params.pop("source", None)
        return await self.connection.call(
            method,
            path,
            answer,
            project_id=self.project_id,
            body=body,
            params=_query(**params),
            source=source,
        )

    async def create(self, body: TaskCreate, source: Source = Source.ACCOUNT_API) -> TaskRecord:
        return await self._call("POST", "/api/tasks", TaskRecord, body, source=source)

    async def get(self, task_id: str) -> TaskRecord:
        return await self._call("GET", f"/api/tasks/{path_id(task_id)}", TaskRecord)

    async def update(
        self, task_id: str, patch: TaskPatch, source: Source = Source.ACCOUNT_API
    ) -> TaskRecord:
        path = f"/api/tasks/{path_id(task_id)}"
        return await self._call("PATCH", path, TaskRecord, patch, source=source)

    async def complete(self, task_id: str, source: Source = Source.ACCOUNT_API) -> TaskRecord:
        return await self.update(task_id, TaskPatch(status="done"), source)

    async def reopen(self, task_id: str, source: Source = Source.ACCOUNT_API) -> TaskRecord:
        return await self.update(task_id, TaskPatch(status="open"), source)

    async def delete(self, task_id: str, source: Source = Source.ACCOUNT_API) -> Deleted:
        path = f"/api/tasks/{path_id(task_id)}"
        return await self._call("DELETE", path, Deleted, source=source)

    async def restore(self, task: TaskRecord, source: Source = Source.BOARD) -> TaskRecord:
        return await self._call("POST", "/api/tasks/restores", TaskRecord, task, source=source)

    async def list_tasks(
        self,
        *,
        company_id: str | None = None,
        status: str = "open",
        due_before: str | None = None,
        due_after: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[TaskRecord]:
        return await self._call(
            "GET",
            "/api/tasks",
            Page[TaskRecord],
            company_id=company_id,
            status=status,
            due_before=due_before,
            due_after=due_after,
            limit=limit,
            cursor=cursor,
        )

    # The agenda and the forecast, as ``services.agenda`` and ``services.forecast`` have them.
    async def day(self, limit: int = AGENDA_LIMIT) -> AgendaDay:
        return await self._call("GET", "/api/agenda", AgendaDay, limit=limit)

    async def months(self, months: int = 3) -> ForecastRecord:
        return await self._call("GET", "/api/board/forecast", ForecastRecord, months=months)


class RemoteServices:
    """The operations the board calls (``BoardServices``), over one server's account API."""

    def __init__(self, connection: Connection, follower: EventFollower, project_id: str) -> None:
        self.connection = connection
        self.follower = follower
        self.project_id = project_id
        self.webhooks = RemoteWebhooks(connection, project_id)
        # One mirror answers for the three in-process areas (tasks, agenda, forecast).
        self.tasks = self.agenda = self.forecast = RemoteTasks(connection, project_id)

    @property
    def bus(self) -> EventBus:
        return self.follower.bus

    def for_project(self, project_id: str) -> RemoteServices:
        """Another project of the server's database; the event stream follows it."""
        if project_id == self.project_id:
            return self
        self.follower.follow(project_id)
        return RemoteServices(self.connection, self.follower, project_id)

    async def _get(self, path: str, answer: type[T], **params: Any) -> T:
        return await self.connection.call(
            "GET", path, answer, project_id=self.project_id, params=_query(**params)
        )

    async def _write(
        self,
        method: str,
        path: str,
        answer: type[T],
        body: Any = None,
        source: Source | None = None,
    ) -> T:
        return await self.connection.call(
            method, path, answer, project_id=self.project_id, body=body, source=source
        )

    # Reads.
    async def projects(self) -> Page[ProjectRecord]:
        return await self._get("/api/projects", Page[ProjectRecord])

    async def activity(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[ActivityItem]:
        return await self._get("/api/activity", Page[ActivityItem], limit=limit, cursor=cursor)

    async def board(self) -> BoardData:
        # After a project switch, the new project's events stream before its board loads.
        await self.follower.ready(self.project_id)
        return await self._get("/api/board", BoardData)

    async def cards(self, company_ids: list[str]) -> list[Card]:
        out: list[Card] = []
        for at in range(0, len(company_ids), CARDS_PER_REQUEST):
            ids = company_ids[at : at + CARDS_PER_REQUEST]
            # A read sent as POST (the ids in a body): no idempotency key, nothing written.
            out += await self.connection.call(
                "POST",
                "/api/board/cards",
                list[Card],
                project_id=self.project_id,
                body={"ids": ids},
                read=True,
            )
        return out

    async def company_detail(self, company_id: str) -> CompanyDetail:
        return await self._get(f"/api/companies/{path_id(company_id)}/detail", CompanyDetail)

    async def summary(self) -> PipelineSummary:
        return await self._get("/api/board/summary", PipelineSummary)

    async def focus_lane(self, limit: int = 8) -> list[FocusItem]:
        return await self._get("/api/board/focus", list[FocusItem], limit=limit)

    async def company(self, company_id: str) -> CompanyRecord:
        return await self._get(f"/api/companies/{path_id(company_id)}", CompanyRecord)

    async def capture_company(self, company_id: str) -> CompanySnapshot:
        return await self._get(f"/api/companies/{path_id(company_id)}/snapshot", CompanySnapshot)

    async def contacts(
        self,
        *,
        email: str | None = None,
        q: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[ContactRecord]:
        return await self._get(
            "/api/contacts", Page[ContactRecord], email=email, q=q, limit=limit, cursor=cursor
        )

    async def company_conversations(self, company_id: str) -> list[CompanyConversation]:
        return await self._get(
            f"/api/companies/{path_id(company_id)}/conversations", list[CompanyConversation]
        )

    async def inbox(self) -> list[CompanyConversation]:
        return await self._get("/api/board/inbox", list[CompanyConversation])

    async def conversation(self, conversation_id: str) -> ConversationDetail:
        return await self._get(f"/api/conversations/{path_id(conversation_id)}", ConversationDetail)

    # Writes (each carries its source: the board's are audited as ``board``).
    async def answer_focus(
        self, company_id: str, reason: str, state: str, until: datetime | None = None
    ) -> Answered:
        body = {"company_id": company_id, "reason": reason, "state": state, "until": until}
        return await self._write("POST", "/api/board/focus", Answered, body)

    async def create_company(
        self, body: CompanyCreate, source: Source = Source.ACCOUNT_API
    ) -> CompanyRecord:
        return await self._write("POST", "/api/companies", CompanyRecord, body, source)

    async def update_company(
        self, company_id: str, patch: CompanyPatch, source: Source = Source.ACCOUNT_API
    ) -> CompanyRecord:
        return await self._write(
            "PATCH", f"/api/companies/{path_id(company_id)}", CompanyRecord, patch, source
        )

    async def delete_company(self, company_id: str, source: Source = Source.ACCOUNT_API) -> Deleted:
        return await self._write(
            "DELETE", f"/api/companies/{path_id(company_id)}", Deleted, None, source
        )

    async def move_company(
        self,
        company_id: str,
        stage: str | None,
        *,
        source: Source = Source.BOARD,
        note: str | None = None,
    ) -> StageResult:
        return await self._write(
            "POST",
            f"/api/companies/{path_id(company_id)}/move",
            StageResult,
            {"stage": stage, "note": note},
            source,
        )

    async def restore_company(
        self, snapshot: CompanySnapshot, source: Source = Source.BOARD
    ) -> CompanyRecord:
        return await self._write("POST", "/api/restores", CompanyRecord, snapshot, source)

    async def merge_companies(self, source_id: str, into_id: str) -> MergeResult:
        return await self._write(
            "POST", f"/api/companies/{path_id(source_id)}/merge", MergeResult, {"into_id": into_id}
        )

    async def undo_merge(self, undo: MergeUndo) -> CompanyRecord:
        return await self._write("POST", "/api/merges/undo", CompanyRecord, undo)

    async def reopen(self, company_id: str) -> StageResult:
        return await self._write(
            "POST", f"/api/companies/{path_id(company_id)}/reopen", StageResult
        )

    async def create_stage(self, body: StageCreate) -> StageRecord:
        return await self._write("POST", "/api/stages", StageRecord, body, Source.BOARD)

    async def update_stage(
        self, stage: str, patch: StagePatch, source: Source = Source.ACCOUNT_API
    ) -> StageRecord:
        return await self._write(
            "PATCH", f"/api/stages/{path_id(stage)}", StageRecord, patch, source
        )

    async def create_contact(
        self, body: ContactCreate, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        return await self._write("POST", "/api/contacts", ContactRecord, body, source)

    async def contact(self, contact_id: str) -> ContactRecord:
        return await self._get(f"/api/contacts/{path_id(contact_id)}", ContactRecord)

    async def update_contact(
        self, contact_id: str, patch: ContactPatch, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        path = f"/api/contacts/{path_id(contact_id)}"
        return await self._write("PATCH", path, ContactRecord, patch, source)

    async def delete_contact(self, contact_id: str, source: Source = Source.ACCOUNT_API) -> Deleted:
        path = f"/api/contacts/{path_id(contact_id)}"
        return await self._write("DELETE", path, Deleted, None, source)

    async def link(
        self, contact_id: str, company_id: str, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        return await self._write("PUT", _link(contact_id, company_id), ContactRecord, None, source)

    async def unlink(
        self, contact_id: str, company_id: str, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        return await self._write(
            "DELETE", _link(contact_id, company_id), ContactRecord, None, source
        )

    async def update_conversation(
        self, conversation_id: str, patch: ConversationPatch, source: Source = Source.PUBLIC_API
    ) -> ConversationDetail:
        return await self._write(
            "PATCH",
            f"/api/conversations/{path_id(conversation_id)}",
            ConversationDetail,
            patch,
            source,
        )

    async def add_message(
        self, conversation_id: str, body: MessageCreate, source: Source = Source.PUBLIC_API
    ) -> MessageRecord:
        return await self._write(
            "POST",
            f"/api/conversations/{path_id(conversation_id)}/messages",
            MessageRecord,
            body,
            source,
        )
