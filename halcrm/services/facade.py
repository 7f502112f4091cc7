"""``Services``: the one entry to the CRM rules, bound to a database and a project.

TEMPORARY (branch core): a shim over the areas of ``services/container.py`` so the callers not
yet moved to ``services.<area>.<rule>`` keep working; the branch that moves them deletes it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from pathlib import Path

from halcrm.bus import EventBus
from halcrm.db.writer import Database
from halcrm.domain.events import DomainEvent
from halcrm.domain.stages import Source
from halcrm.services import container
from halcrm.services.board.records import (
    Answered,
    BoardData,
    Card,
    CompanyDetail,
    FocusItem,
    PipelineSummary,
)
from halcrm.services.crm.inputs import (
    CompanyCreate,
    CompanyPatch,
    ContactCreate,
    ContactPatch,
    ProjectPatch,
    StageCreate,
    StagePatch,
)
from halcrm.services.crm.records import (
    ActivityItem,
    ApiKeyCreated,
    ApiKeyRecord,
    CompanyRecord,
    CompanySnapshot,
    ContactRecord,
    Deleted,
    HistoryItem,
    MergeResult,
    MergeUndo,
    ProjectRecord,
    StageRecord,
    StageResult,
    VisitorRecord,
)
from halcrm.services.crm.transfer.area import Progress
from halcrm.services.crm.transfer.report import ImportOptions, ImportReport
from halcrm.services.page import Page
from halcrm.services.support.schemas import (
    CompanyConversation,
    ConversationCreate,
    ConversationDetail,
    ConversationPatch,
    ConversationRecord,
    MessageCreate,
    MessageRecord,
)
from halcrm.services.widget.inputs import (
    ChatRead,
    ChatSend,
    Identify,
    SetDeal,
    SetProperties,
    SetStage,
    Track,
)
from halcrm.services.widget.records import (
    ChatHistory,
    ChatSent,
    DealResult,
    IdentifyResult,
    PropertiesResult,
    TrackResult,
)


class Services:
    """The CRM's operations for one project (widget calls name their own project)."""

    def __init__(self, db: Database, project_id: str) -> None:
        self.db = db
        self.project_id = project_id
        self.areas = container.Services(db, project_id)
        self.webhooks = self.areas.webhooks
        self.tasks, self.agenda = self.areas.tasks, self.areas.agenda
        self.forecast = self.areas.forecast

    # The widget's chat.
    async def chat_send(self, body: ChatSend) -> ChatSent:
        return await self.areas.widget.chat_send(body)

    async def chat_history(self, query: ChatRead) -> ChatHistory:
        return await self.areas.widget.chat_history(query)

    async def chat_check_stream(self, query: ChatRead) -> str:
        return await self.areas.widget.chat_check_stream(query)

    @property
    def bus(self) -> EventBus:
        return self.db.bus

    def for_project(self, project_id: str) -> Services:
        """The same operations on another project of the database (same threads, same bus)."""
        if project_id == self.project_id:
            return self
        return Services(self.db, project_id)

    async def create_project(self, project_id: str, name: str | None = None) -> ProjectRecord:
        return await self.areas.projects.create(project_id, name)

    async def projects(self) -> Page[ProjectRecord]:
        return await self.areas.projects.all()

    async def visitors(
        self,
        *,
        contact_id: str | None = None,
        company_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[VisitorRecord]:
        """The website's visitors, newest first (one contact's, or one company's)."""
        return await self.areas.visitors.all(
            contact_id=contact_id, company_id=company_id, limit=limit, cursor=cursor
        )

    async def ensure_project(
        self, project_id: str | None = None, stall_defaults: Mapping[str, int] | None = None
    ) -> bool:
        return await self.areas.projects.ensure(project_id, stall_defaults)

    # Widget signals.
    async def identify(self, body: Identify) -> IdentifyResult:
        return await self.areas.widget.identify(body)

    async def set_properties(self, body: SetProperties) -> PropertiesResult:
        return await self.areas.widget.set_properties(body)

    async def track(self, body: Track) -> TrackResult:
        return await self.areas.widget.track(body)

    async def set_stage(self, body: SetStage) -> StageResult:
        return await self.areas.widget.set_stage(body)

    async def set_deal(self, body: SetDeal) -> DealResult:
        return await self.areas.widget.set_deal(body)

    # Project and stages.
    async def project(self) -> ProjectRecord:
        return await self.areas.projects.get()

    async def update_project(self, patch: ProjectPatch) -> ProjectRecord:
        return await self.areas.projects.update(patch)

    async def stages(self) -> Page[StageRecord]:
        return await self.areas.stages.all()

    async def create_stage(self, body: StageCreate) -> StageRecord:
        return await self.areas.stages.create(body)

    async def update_stage(
        self, stage: str, patch: StagePatch, source: Source = Source.ACCOUNT_API
    ) -> StageRecord:
        return await self.areas.stages.update(stage, patch, source)

    async def delete_stage(self, stage: str) -> Deleted:
        return await self.areas.stages.delete(stage)

    # Companies.
    async def companies(
        self,
        *,
        stage: str | None = None,
        q: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[CompanyRecord]:
        return await self.areas.companies.all(stage=stage, q=q, limit=limit, cursor=cursor)

    async def company(self, company_id: str) -> CompanyRecord:
        return await self.areas.companies.get(company_id)

    async def create_company(
        self, body: CompanyCreate, source: Source = Source.ACCOUNT_API
    ) -> CompanyRecord:
        return await self.areas.companies.create(body, source)

    async def update_company(
        self, company_id: str, patch: CompanyPatch, source: Source = Source.ACCOUNT_API
    ) -> CompanyRecord:
        return await self.areas.companies.update(company_id, patch, source)

    async def delete_company(self, company_id: str, source: Source = Source.ACCOUNT_API) -> Deleted:
        return await self.areas.companies.delete(company_id, source)

    async def move_company(
        self,
        company_id: str,
        stage: str | None,
        *,
        source: Source = Source.BOARD,
        note: str | None = None,
    ) -> StageResult:
        """A manual, exact stage write (downgrades allowed), audited with ``source``."""
        return await self.areas.companies.move(company_id, stage, source=source, note=note)

    async def company_history(self, company_id: str) -> Page[HistoryItem]:
        return await self.areas.companies.history(company_id)

    # Contacts.
    async def contacts(
        self,
        *,
        email: str | None = None,
        q: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[ContactRecord]:
        return await self.areas.contacts.all(email=email, q=q, limit=limit, cursor=cursor)

    async def contact(self, contact_id: str) -> ContactRecord:
        return await self.areas.contacts.get(contact_id)

    async def create_contact(
        self, body: ContactCreate, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        return await self.areas.contacts.create(body, source)

    async def update_contact(
        self, contact_id: str, patch: ContactPatch, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        return await self.areas.contacts.update(contact_id, patch, source)

    async def delete_contact(self, contact_id: str, source: Source = Source.ACCOUNT_API) -> Deleted:
        return await self.areas.contacts.delete(contact_id, source)

    async def link(
        self, contact_id: str, company_id: str, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        return await self.areas.contacts.link(contact_id, company_id, source)

    async def unlink(
        self, contact_id: str, company_id: str, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        return await self.areas.contacts.unlink(contact_id, company_id, source)

    # Activity and the board's read models.
    async def activity(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[ActivityItem]:
        return await self.areas.activity.recent(limit=limit, cursor=cursor)

    async def events_after(self, after_id: int) -> list[DomainEvent]:
        return await self.areas.activity.events_after(after_id)

    async def board(self) -> BoardData:
        return await self.areas.board.load()

    async def cards(self, company_ids: list[str]) -> list[Card]:
        return await self.areas.board.cards(company_ids)

    async def company_detail(self, company_id: str) -> CompanyDetail:
        return await self.areas.board.company_detail(company_id)

    # What needs the founder now.
    async def summary(self) -> PipelineSummary:
        return await self.areas.board.summary()

    async def focus_lane(self, limit: int = 8) -> list[FocusItem]:
        return await self.areas.board.focus_lane(limit)

    async def answer_focus(
        self, company_id: str, reason: str, state: str, until: datetime | None = None
    ) -> Answered:
        """Snoozes (until a date), completes or dismisses a focus-lane item."""
        return await self.areas.board.answer_focus(company_id, reason, state, until)

    async def merge_companies(self, source_id: str, into_id: str) -> MergeResult:
        """Merges ``source_id`` (typically a placeholder) into ``into_id``; undoable."""
        return await self.areas.companies.merge(source_id, into_id)

    async def undo_merge(self, undo: MergeUndo) -> CompanyRecord:
        return await self.areas.companies.undo_merge(undo)

    async def reopen(self, company_id: str) -> StageResult:
        """Moves a won/lost company back to the open stage it was closed from."""
        return await self.areas.companies.reopen(company_id)

    # Conversations (the public API).
    async def conversations(
        self,
        *,
        contact_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[ConversationRecord]:
        return await self.areas.support.all(
            contact_id=contact_id, status=status, limit=limit, cursor=cursor
        )

    async def conversation(self, conversation_id: str) -> ConversationDetail:
        return await self.areas.support.get(conversation_id)

    async def create_conversation(
        self, body: ConversationCreate, source: Source = Source.PUBLIC_API
    ) -> ConversationDetail:
        return await self.areas.support.create(body, source)

    async def update_conversation(
        self, conversation_id: str, patch: ConversationPatch, source: Source = Source.PUBLIC_API
    ) -> ConversationDetail:
        return await self.areas.support.update(conversation_id, patch, source)

    async def add_message(
        self, conversation_id: str, body: MessageCreate, source: Source = Source.PUBLIC_API
    ) -> MessageRecord:
        return await self.areas.support.add_message(conversation_id, body, source)

    # Support context on the board.
    async def company_conversations(self, company_id: str) -> list[CompanyConversation]:
        """The company's contacts' conversations: status, last message, waiting time."""
        return await self.areas.support.company_conversations(company_id)

    async def inbox(self) -> list[CompanyConversation]:
        """Every open conversation (website chats too), those waiting for a reply first."""
        return await self.areas.support.inbox()

    # API keys.
    async def create_api_key(self, name: str | None = None) -> ApiKeyCreated:
        """Makes a public API key; its secret is in this answer and nowhere else."""
        return await self.areas.api_keys.create(name)

    async def api_keys(self) -> list[ApiKeyRecord]:
        return await self.areas.api_keys.all()

    async def revoke_api_key(self, key_id: str) -> ApiKeyRecord:
        return await self.areas.api_keys.revoke(key_id)

    async def find_api_key(self, key: str | None) -> tuple[ApiKeyRecord, str]:
        """The live key matching ``key`` in any project, and that project's id."""
        return await self.areas.api_keys.find(key)

    # Data in and out (issue 15): CSV import and streaming export (services/crm/transfer/).
    async def import_file(
        self,
        path: Path,
        options: ImportOptions,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Imports a CSV file of companies, contacts or deal rows (see ``transfer.importer``)."""
        return await self.areas.transfer.import_file(path, options, progress)

    def export(self, what: str, fmt: str = "csv") -> AsyncIterator[str]:
        """``stages``, ``companies``, ``contacts`` or ``activity`` as CSV or JSON, page by page;
        an unknown kind or format is refused at once (before anything is streamed)."""
        return self.areas.transfer.export(what, fmt)

    # The board's undo of a delete (tui area): capture a company whole, put it back.
    async def capture_company(self, company_id: str) -> CompanySnapshot:
        """Everything a delete of ``company_id`` would remove (read it before deleting)."""
        return await self.areas.companies.capture(company_id)

    async def restore_company(
        self, snapshot: CompanySnapshot, source: Source = Source.BOARD
    ) -> CompanyRecord:
        """Puts a deleted company back with the same id, as ``capture_company`` read it."""
        return await self.areas.companies.restore(snapshot, source)
