"""``Services``: the one entry to the CRM rules, bound to a database and a project.

The HTTP handlers and the board both call these methods; neither holds a rule of its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from pathlib import Path

from halcrm.bus import EventBus
from halcrm.db.writer import Database
from halcrm.domain.events import DomainEvent
from halcrm.domain.stages import Source
from halcrm.services.board import cards as board
from halcrm.services.board import focus, summary
from halcrm.services.board.forecast import Forecast
from halcrm.services.board.records import (
    Answered,
    BoardData,
    Card,
    CompanyDetail,
    FocusItem,
    PipelineSummary,
)
from halcrm.services.crm import (
    activity,
    api_keys,
    companies,
    contacts,
    merge,
    projects,
    restore,
    stages,
    visitors,
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
from halcrm.services.crm.transfer import exporter, importer
from halcrm.services.crm.transfer.report import ImportOptions, ImportReport
from halcrm.services.page import Page
from halcrm.services.support import context as support
from halcrm.services.support import conversations
from halcrm.services.support.schemas import (
    CompanyConversation,
    ConversationCreate,
    ConversationDetail,
    ConversationPatch,
    ConversationRecord,
    MessageCreate,
    MessageRecord,
)
from halcrm.services.tasks.agenda import Agenda
from halcrm.services.tasks.area import Tasks
from halcrm.services.webhooks.area import Webhooks
from halcrm.services.widget import calls as widget
from halcrm.services.widget import identify
from halcrm.services.widget.chat_ops import ChatOps
from halcrm.services.widget.inputs import (
    Identify,
    SetDeal,
    SetProperties,
    SetStage,
    Track,
)
from halcrm.services.widget.records import (
    DealResult,
    IdentifyResult,
    PropertiesResult,
    TrackResult,
)


class Services(ChatOps):
    """The CRM's operations for one project (widget calls name their own project)."""

    def __init__(self, db: Database, project_id: str) -> None:
        self.db = db
        self.project_id = project_id
        self.webhooks = Webhooks(db, project_id)
        self.tasks, self.agenda = Tasks(db, project_id), Agenda(db, project_id)
        self.forecast = Forecast(db, project_id)

    @property
    def bus(self) -> EventBus:
        return self.db.bus

    def for_project(self, project_id: str) -> Services:
        """The same operations on another project of the database (same threads, same bus)."""
        if project_id == self.project_id:
            return self
        return Services(self.db, project_id)

    async def create_project(self, project_id: str, name: str | None = None) -> ProjectRecord:
        return await projects.create_project(self.db, project_id, name)

    async def projects(self) -> Page[ProjectRecord]:
        return await projects.list_projects(self.db)

    async def visitors(
        self,
        *,
        contact_id: str | None = None,
        company_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[VisitorRecord]:
        """The website's visitors, newest first (one contact's, or one company's)."""
        return await visitors.list_visitors(
            self.db,
            self.project_id,
            contact_id=contact_id,
            company_id=company_id,
            limit=limit,
            cursor=cursor,
        )

    async def ensure_project(
        self, project_id: str | None = None, stall_defaults: Mapping[str, int] | None = None
    ) -> bool:
        return await projects.ensure_project(
            self.db, project_id or self.project_id, stall_defaults=stall_defaults
        )

    # Widget signals.
    async def identify(self, body: Identify) -> IdentifyResult:
        return await identify.identify(self.db, body)

    async def set_properties(self, body: SetProperties) -> PropertiesResult:
        return await widget.set_properties(self.db, body)

    async def track(self, body: Track) -> TrackResult:
        return await widget.track(self.db, body)

    async def set_stage(self, body: SetStage) -> StageResult:
        return await widget.set_stage(self.db, body)

    async def set_deal(self, body: SetDeal) -> DealResult:
        return await widget.set_deal(self.db, body)

    # Project and stages.
    async def project(self) -> ProjectRecord:
        return await projects.get_project(self.db, self.project_id)

    async def update_project(self, patch: ProjectPatch) -> ProjectRecord:
        return await projects.update_project(self.db, self.project_id, patch)

    async def stages(self) -> Page[StageRecord]:
        return await stages.list_stages(self.db, self.project_id)

    async def create_stage(self, body: StageCreate) -> StageRecord:
        return await stages.create(self.db, self.project_id, body)

    async def update_stage(
        self, stage: str, patch: StagePatch, source: Source = Source.ACCOUNT_API
    ) -> StageRecord:
        return await stages.update(self.db, self.project_id, stage, patch, source)

    async def delete_stage(self, stage: str) -> Deleted:
        return await stages.delete_stage(self.db, self.project_id, stage)

    # Companies.
    async def companies(
        self,
        *,
        stage: str | None = None,
        q: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[CompanyRecord]:
        return await companies.list_companies(
            self.db, self.project_id, stage=stage, q=q, limit=limit, cursor=cursor
        )

    async def company(self, company_id: str) -> CompanyRecord:
        return await companies.get(self.db, self.project_id, company_id)

    async def create_company(
        self, body: CompanyCreate, source: Source = Source.ACCOUNT_API
    ) -> CompanyRecord:
        return await companies.create(self.db, self.project_id, body, source)

    async def update_company(
        self, company_id: str, patch: CompanyPatch, source: Source = Source.ACCOUNT_API
    ) -> CompanyRecord:
        return await companies.update(self.db, self.project_id, company_id, patch, source)

    async def delete_company(self, company_id: str, source: Source = Source.ACCOUNT_API) -> Deleted:
        return await companies.delete_company(self.db, self.project_id, company_id, source)

    async def move_company(
        self,
        company_id: str,
        stage: str | None,
        *,
        source: Source = Source.BOARD,
        note: str | None = None,
    ) -> StageResult:
        """A manual, exact stage write (downgrades allowed), audited with ``source``."""
        return await companies.move(
            self.db, self.project_id, company_id, stage, source=source, note=note
        )

    async def company_history(self, company_id: str) -> Page[HistoryItem]:
        return await companies.history(self.db, self.project_id, company_id)

    # Contacts.
    async def contacts(
        self,
        *,
        email: str | None = None,
        q: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[ContactRecord]:
        return await contacts.list_contacts(
            self.db, self.project_id, email=email, q=q, limit=limit, cursor=cursor
        )

    async def contact(self, contact_id: str) -> ContactRecord:
        return await contacts.get(self.db, self.project_id, contact_id)

    async def create_contact(
        self, body: ContactCreate, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        return await contacts.create(self.db, self.project_id, body, source)

    async def update_contact(
        self, contact_id: str, patch: ContactPatch, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        return await contacts.update(self.db, self.project_id, contact_id, patch, source)

    async def delete_contact(self, contact_id: str, source: Source = Source.ACCOUNT_API) -> Deleted:
        return await contacts.delete_contact(self.db, self.project_id, contact_id, source)

    async def link(
        self, contact_id: str, company_id: str, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        return await contacts.set_link(
            self.db, self.project_id, contact_id, company_id, linked=True, source=source
        )

    async def unlink(
        self, contact_id: str, company_id: str, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        return await contacts.set_link(
            self.db, self.project_id, contact_id, company_id, linked=False, source=source
        )

    # Activity and the board's read models.
    async def activity(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[ActivityItem]:
        return await activity.recent(self.db, self.project_id, limit=limit, cursor=cursor)

    async def events_after(self, after_id: int) -> list[DomainEvent]:
        return await activity.events_after(self.db, self.project_id, after_id)

    async def board(self) -> BoardData:
        return await board.load_board(self.db, self.project_id)

    async def cards(self, company_ids: list[str]) -> list[Card]:
        return await board.load_cards(self.db, self.project_id, company_ids)

    async def company_detail(self, company_id: str) -> CompanyDetail:
        return await board.company_detail(self.db, self.project_id, company_id)

    # What needs the founder now.
    async def summary(self) -> PipelineSummary:
        return await summary.pipeline_summary(self.db, self.project_id)

    async def focus_lane(self, limit: int = 8) -> list[FocusItem]:
        return await focus.focus_lane(self.db, self.project_id, limit)

    async def answer_focus(
        self, company_id: str, reason: str, state: str, until: datetime | None = None
    ) -> Answered:
        """Snoozes (until a date), completes or dismisses a focus-lane item."""
        return await focus.answer(self.db, self.project_id, company_id, reason, state, until)

    async def merge_companies(self, source_id: str, into_id: str) -> MergeResult:
        """Merges ``source_id`` (typically a placeholder) into ``into_id``; undoable."""
        return await merge.merge_companies(self.db, self.project_id, source_id, into_id)

    async def undo_merge(self, undo: MergeUndo) -> CompanyRecord:
        return await merge.undo_merge(self.db, self.project_id, undo)

    async def reopen(self, company_id: str) -> StageResult:
        """Moves a won/lost company back to the open stage it was closed from."""
        return await companies.reopen(self.db, self.project_id, company_id)

    # Conversations (the public API).
    async def conversations(
        self,
        *,
        contact_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[ConversationRecord]:
        return await conversations.list_conversations(
            self.db,
            self.project_id,
            contact_id=contact_id,
            status=status,
            limit=limit,
            cursor=cursor,
        )

    async def conversation(self, conversation_id: str) -> ConversationDetail:
        return await conversations.get(self.db, self.project_id, conversation_id)

    async def create_conversation(
        self, body: ConversationCreate, source: Source = Source.PUBLIC_API
    ) -> ConversationDetail:
        return await conversations.create(self.db, self.project_id, body, source)

    async def update_conversation(
        self, conversation_id: str, patch: ConversationPatch, source: Source = Source.PUBLIC_API
    ) -> ConversationDetail:
        return await conversations.update(self.db, self.project_id, conversation_id, patch, source)

    async def add_message(
        self, conversation_id: str, body: MessageCreate, source: Source = Source.PUBLIC_API
    ) -> MessageRecord:
        return await conversations.add_message(
            self.db, self.project_id, conversation_id, body, source
        )

    # Support context on the board.
    async def company_conversations(self, company_id: str) -> list[CompanyConversation]:
        """The company's contacts' conversations: status, last message, waiting time."""
        return await support.company_conversations(self.db, self.project_id, company_id)

    async def inbox(self) -> list[CompanyConversation]:
        """Every open conversation (website chats too), those waiting for a reply first."""
        return await support.open_conversations(self.db, self.project_id)

    # API keys.
    async def create_api_key(self, name: str | None = None) -> ApiKeyCreated:
        """Makes a public API key; its secret is in this answer and nowhere else."""
        return await api_keys.create(self.db, self.project_id, name)

    async def api_keys(self) -> list[ApiKeyRecord]:
        return await api_keys.list_keys(self.db, self.project_id)

    async def revoke_api_key(self, key_id: str) -> ApiKeyRecord:
        return await api_keys.revoke(self.db, self.project_id, key_id)

    async def authenticate_api_key(self, key: str | None) -> ApiKeyRecord:
        """The live key of this project matching ``key``, else ``Unauthorized``."""
        return await api_keys.authenticate(self.db, self.project_id, key)

    async def find_api_key(self, key: str | None) -> tuple[ApiKeyRecord, str]:
        """The live key matching ``key`` in any project, and that project's id."""
        return await api_keys.find_key(self.db, None, key)

    # Data in and out (issue 15): CSV import and streaming export (services/crm/transfer/).
    async def import_file(
        self,
        path: Path,
        options: ImportOptions,
        progress: importer.Progress | None = None,
    ) -> ImportReport:
        """Imports a CSV file of companies, contacts or deal rows (see ``transfer.importer``)."""
        return await importer.import_file(self.db, self.project_id, path, options, progress)

    def export(self, what: str, fmt: str = "csv") -> AsyncIterator[str]:
        """``stages``, ``companies``, ``contacts`` or ``activity`` as CSV or JSON, page by page;
        an unknown kind or format is refused at once (before anything is streamed)."""
        exporter.check(what, fmt)
        return exporter.stream(self.db, self.project_id, what, fmt)

    # The board's undo of a delete (tui area): capture a company whole, put it back.
    async def capture_company(self, company_id: str) -> CompanySnapshot:
        """Everything a delete of ``company_id`` would remove (read it before deleting)."""
        return await restore.capture_company(self.db, self.project_id, company_id)

    async def restore_company(
        self, snapshot: CompanySnapshot, source: Source = Source.BOARD
    ) -> CompanyRecord:
        """Puts a deleted company back with the same id, as ``capture_company`` read it."""
        return await restore.restore_company(self.db, self.project_id, snapshot, source)
