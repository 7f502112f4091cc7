"""What the board holds: the CRM's operations, in this process (``Services``) or over HTTP
(``RemoteServices``, ``halcrm board --connect``). The screens never know which one."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Protocol

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
from halcrm.services.tasks.records import AgendaDay, TaskRecord
from halcrm.services.webhooks.records import DeliveryRecord, EndpointOverview


class BoardWebhooks(Protocol):
    """The webhooks' operations the board calls (``Webhooks``, ``RemoteWebhooks``)."""

    def overview(self) -> Awaitable[list[EndpointOverview]]: ...

    def retry(self, webhook_id: str, delivery_id: str) -> Awaitable[DeliveryRecord]: ...


class TasksArea(Protocol):
    """Next steps (``services.tasks``, or ``RemoteTasks``): method names the board relies on.

    Plain ``def``s answering awaitables: an area's ``@writes`` method is typed so."""

    def create(self, body: TaskCreate, source: Source = ...) -> Awaitable[TaskRecord]: ...

    def get(self, task_id: str) -> Awaitable[TaskRecord]: ...

    def update(
        self, task_id: str, patch: TaskPatch, source: Source = ...
    ) -> Awaitable[TaskRecord]: ...

    def complete(self, task_id: str, source: Source = ...) -> Awaitable[TaskRecord]: ...

    def reopen(self, task_id: str, source: Source = ...) -> Awaitable[TaskRecord]: ...

    def delete(self, task_id: str, source: Source = ...) -> Awaitable[Deleted]: ...

    def restore(self, task: TaskRecord, source: Source = ...) -> Awaitable[TaskRecord]: ...

    def list_tasks(
        self,
        *,
        company_id: str | None = None,
        status: str = "open",
        due_before: str | None = None,
        due_after: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Awaitable[Page[TaskRecord]]: ...


class AgendaArea(Protocol):
    def day(self, limit: int = ...) -> Awaitable[AgendaDay]: ...


class ForecastArea(Protocol):
    def months(self, months: int = 3) -> Awaitable[ForecastRecord]: ...


class BoardServices(Protocol):
    """Exactly the operations the board calls (``Services`` has them all, and more)."""

    project_id: str

    @property
    def webhooks(self) -> BoardWebhooks: ...

    @property
    def bus(self) -> EventBus: ...

    # Next steps, the agenda and the forecast (one ``RemoteTasks`` answers for all three).
    @property
    def tasks(self) -> TasksArea: ...

    @property
    def agenda(self) -> AgendaArea: ...

    @property
    def forecast(self) -> ForecastArea: ...

    def for_project(self, project_id: str) -> BoardServices: ...

    async def projects(self) -> Page[ProjectRecord]: ...

    async def activity(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[ActivityItem]: ...

    async def board(self) -> BoardData: ...

    async def cards(self, company_ids: list[str]) -> list[Card]: ...

    async def company_detail(self, company_id: str) -> CompanyDetail: ...

    async def summary(self) -> PipelineSummary: ...

    async def focus_lane(self, limit: int = 8) -> list[FocusItem]: ...

    async def inbox(self) -> list[CompanyConversation]: ...

    async def answer_focus(
        self, company_id: str, reason: str, state: str, until: datetime | None = None
    ) -> Answered: ...

    async def company(self, company_id: str) -> CompanyRecord: ...

    async def create_company(
        self, body: CompanyCreate, source: Source = Source.ACCOUNT_API
    ) -> CompanyRecord: ...

    async def update_company(
        self, company_id: str, patch: CompanyPatch, source: Source = Source.ACCOUNT_API
    ) -> CompanyRecord: ...

    async def delete_company(
        self, company_id: str, source: Source = Source.ACCOUNT_API
    ) -> Deleted: ...

    async def move_company(
        self,
        company_id: str,
        stage: str | None,
        *,
        source: Source = Source.BOARD,
        note: str | None = None,
    ) -> StageResult: ...

    async def capture_company(self, company_id: str) -> CompanySnapshot: ...

    async def restore_company(
        self, snapshot: CompanySnapshot, source: Source = Source.BOARD
    ) -> CompanyRecord: ...

    async def merge_companies(self, source_id: str, into_id: str) -> MergeResult: ...

    async def undo_merge(self, undo: MergeUndo) -> CompanyRecord: ...

    async def reopen(self, company_id: str) -> StageResult: ...

    async def create_stage(self, body: StageCreate) -> StageRecord: ...

    async def update_stage(
        self, stage: str, patch: StagePatch, source: Source = Source.ACCOUNT_API
    ) -> StageRecord: ...

    async def contacts(
        self,
        *,
        email: str | None = None,
        q: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[ContactRecord]: ...

    async def contact(self, contact_id: str) -> ContactRecord: ...

    async def create_contact(
        self, body: ContactCreate, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord: ...

    async def update_contact(
        self, contact_id: str, patch: ContactPatch, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord: ...

    async def delete_contact(
        self, contact_id: str, source: Source = Source.ACCOUNT_API
    ) -> Deleted: ...

    async def link(
        self, contact_id: str, company_id: str, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord: ...

    async def unlink(
        self, contact_id: str, company_id: str, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord: ...

    async def company_conversations(self, company_id: str) -> list[CompanyConversation]: ...

    async def conversation(self, conversation_id: str) -> ConversationDetail: ...

    async def update_conversation(
        self, conversation_id: str, patch: ConversationPatch, source: Source = Source.PUBLIC_API
    ) -> ConversationDetail: ...

    async def add_message(
        self, conversation_id: str, body: MessageCreate, source: Source = Source.PUBLIC_API
    ) -> MessageRecord: ...
