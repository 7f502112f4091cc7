"""``Services``: the areas of the CRM's rules, bound to one database and one project.

The routes, the board, the CLI and the benches reach every rule as ``services.<area>.<rule>``
(``services.companies.move(…)``, ``services.board.cards(…)``, ``services.widget.identify(…)``);
``RemoteServices`` (``tui/client/remote.py``) mirrors the same areas over HTTP.

TEMPORARY (branch prep): the areas below whose class is defined in this module are adapters over
the old module functions; each is replaced by the real ``Area`` class written in its own module
(``services/crm/companies.py``: ``class Companies(Area)``…) with exactly these signatures.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from functools import cached_property
from pathlib import Path

from halcrm.bus import EventBus
from halcrm.db.writer import Database
from halcrm.domain.events import DomainEvent
from halcrm.domain.stages import Source
from halcrm.services.area import Area
from halcrm.services.board import cards as board_cards
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
from halcrm.services.crm.secret import SecretRotation
from halcrm.services.crm.transfer import exporter, importer
from halcrm.services.crm.transfer.report import ImportOptions, ImportReport
from halcrm.services.page import Page
from halcrm.services.support import context as support_context
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
from halcrm.services.widget import calls as widget_calls
from halcrm.services.widget import chat, identify
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


class Projects(Area):
    async def all(self) -> Page[ProjectRecord]:
        """Every project of the database."""
        return await projects.list_projects(self.db)

    async def get(self) -> ProjectRecord:
        """This area's project."""
        return await projects.get_project(self.db, self.project_id)

    async def update(self, patch: ProjectPatch) -> ProjectRecord:
        return await projects.update_project(self.db, self.project_id, patch)

    async def create(self, project_id: str, name: str | None = None) -> ProjectRecord:
        return await projects.create_project(self.db, project_id, name)

    async def ensure(
        self, project_id: str | None = None, stall_defaults: Mapping[str, int] | None = None
    ) -> bool:
        return await projects.ensure_project(
            self.db, project_id or self.project_id, stall_defaults=stall_defaults
        )


class Stages(Area):
    async def all(self) -> Page[StageRecord]:
        return await stages.list_stages(self.db, self.project_id)

    async def create(self, body: StageCreate) -> StageRecord:
        return await stages.create(self.db, self.project_id, body)

    async def update(
        self, stage: str, patch: StagePatch, source: Source = Source.ACCOUNT_API
    ) -> StageRecord:
        return await stages.update(self.db, self.project_id, stage, patch, source)

    async def delete(self, stage: str) -> Deleted:
        return await stages.delete_stage(self.db, self.project_id, stage)


class Companies(Area):
    async def all(
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

    async def get(self, company_id: str) -> CompanyRecord:
        return await companies.get(self.db, self.project_id, company_id)

    async def create(
        self, body: CompanyCreate, source: Source = Source.ACCOUNT_API
    ) -> CompanyRecord:
        return await companies.create(self.db, self.project_id, body, source)

    async def update(
        self, company_id: str, patch: CompanyPatch, source: Source = Source.ACCOUNT_API
    ) -> CompanyRecord:
        return await companies.update(self.db, self.project_id, company_id, patch, source)

    async def delete(self, company_id: str, source: Source = Source.ACCOUNT_API) -> Deleted:
        return await companies.delete_company(self.db, self.project_id, company_id, source)

    async def move(
        self,
        company_id: str,
        stage: str | None,
        *,
        source: Source = Source.BOARD,
        note: str | None = None,
    ) -> StageResult:
        return await companies.move(
            self.db, self.project_id, company_id, stage, source=source, note=note
        )

    async def history(self, company_id: str) -> Page[HistoryItem]:
        return await companies.history(self.db, self.project_id, company_id)

    async def reopen(self, company_id: str) -> StageResult:
        return await companies.reopen(self.db, self.project_id, company_id)

    async def merge(self, source_id: str, into_id: str) -> MergeResult:
        return await merge.merge_companies(self.db, self.project_id, source_id, into_id)

    async def undo_merge(self, undo: MergeUndo) -> CompanyRecord:
        return await merge.undo_merge(self.db, self.project_id, undo)

    async def capture(self, company_id: str) -> CompanySnapshot:
        return await restore.capture_company(self.db, self.project_id, company_id)

    async def restore(
        self, snapshot: CompanySnapshot, source: Source = Source.BOARD
    ) -> CompanyRecord:
        return await restore.restore_company(self.db, self.project_id, snapshot, source)


class Contacts(Area):
    async def all(
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

    async def get(self, contact_id: str) -> ContactRecord:
        return await contacts.get(self.db, self.project_id, contact_id)

    async def create(
        self, body: ContactCreate, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        return await contacts.create(self.db, self.project_id, body, source)

    async def update(
        self, contact_id: str, patch: ContactPatch, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        return await contacts.update(self.db, self.project_id, contact_id, patch, source)

    async def delete(self, contact_id: str, source: Source = Source.ACCOUNT_API) -> Deleted:
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


class ApiKeys(Area):
    async def all(self) -> list[ApiKeyRecord]:
        return await api_keys.list_keys(self.db, self.project_id)

    async def create(self, name: str | None = None) -> ApiKeyCreated:
        """Makes a public API key; its secret is in this answer and nowhere else."""
        return await api_keys.create(self.db, self.project_id, name)

    async def revoke(self, key_id: str) -> ApiKeyRecord:
        return await api_keys.revoke(self.db, self.project_id, key_id)

    async def find(self, key: str | None) -> tuple[ApiKeyRecord, str]:
        """The live key matching ``key`` in any project, and that project's id."""
        return await api_keys.find_key(self.db, None, key)


class Visitors(Area):
    async def all(
        self,
        *,
        contact_id: str | None = None,
        company_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[VisitorRecord]:
        return await visitors.list_visitors(
            self.db,
            self.project_id,
            contact_id=contact_id,
            company_id=company_id,
            limit=limit,
            cursor=cursor,
        )


class Activity(Area):
    async def recent(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[ActivityItem]:
        return await activity.recent(self.db, self.project_id, limit=limit, cursor=cursor)

    async def events_after(self, after_id: int) -> list[DomainEvent]:
        return await activity.events_after(self.db, self.project_id, after_id)


class Board(Area):
    async def load(self) -> BoardData:
        return await board_cards.load_board(self.db, self.project_id)

    async def cards(self, company_ids: list[str]) -> list[Card]:
        return await board_cards.load_cards(self.db, self.project_id, company_ids)

    async def company_detail(self, company_id: str) -> CompanyDetail:
        return await board_cards.company_detail(self.db, self.project_id, company_id)

    async def summary(self) -> PipelineSummary:
        return await summary.pipeline_summary(self.db, self.project_id)

    async def focus_lane(self, limit: int = 8) -> list[FocusItem]:
        return await focus.focus_lane(self.db, self.project_id, limit)

    async def answer_focus(
        self, company_id: str, reason: str, state: str, until: datetime | None = None
    ) -> Answered:
        return await focus.answer(self.db, self.project_id, company_id, reason, state, until)


class Support(Area):
    async def all(
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

    async def get(self, conversation_id: str) -> ConversationDetail:
        return await conversations.get(self.db, self.project_id, conversation_id)

    async def create(
        self, body: ConversationCreate, source: Source = Source.PUBLIC_API
    ) -> ConversationDetail:
        return await conversations.create(self.db, self.project_id, body, source)

    async def update(
        self, conversation_id: str, patch: ConversationPatch, source: Source = Source.PUBLIC_API
    ) -> ConversationDetail:
        return await conversations.update(self.db, self.project_id, conversation_id, patch, source)

    async def add_message(
        self, conversation_id: str, body: MessageCreate, source: Source = Source.PUBLIC_API
    ) -> MessageRecord:
        return await conversations.add_message(
            self.db, self.project_id, conversation_id, body, source
        )

    async def company_conversations(self, company_id: str) -> list[CompanyConversation]:
        return await support_context.company_conversations(self.db, self.project_id, company_id)

    async def inbox(self) -> list[CompanyConversation]:
        return await support_context.open_conversations(self.db, self.project_id)


class Widget(Area):
    """The website widget's calls; each names its own project (``app_id``)."""

    async def identify(self, body: Identify) -> IdentifyResult:
        return await identify.identify(self.db, body)

    async def set_properties(self, body: SetProperties) -> PropertiesResult:
        return await widget_calls.set_properties(self.db, body)

    async def track(self, body: Track) -> TrackResult:
        return await widget_calls.track(self.db, body)

    async def set_stage(self, body: SetStage) -> StageResult:
        return await widget_calls.set_stage(self.db, body)

    async def set_deal(self, body: SetDeal) -> DealResult:
        return await widget_calls.set_deal(self.db, body)

    async def chat_send(self, body: ChatSend) -> ChatSent:
        return await chat.send(self.db, body)

    async def chat_history(self, query: ChatRead) -> ChatHistory:
        return await chat.history(self.db, query)

    async def chat_check_stream(self, query: ChatRead) -> str:
        return await chat.check_stream(self.db, query)


class Transfer(Area):
    async def import_file(
        self, path: Path, options: ImportOptions, progress: importer.Progress | None = None
    ) -> ImportReport:
        return await importer.import_file(self.db, self.project_id, path, options, progress)

    def export(self, what: str, fmt: str = "csv") -> AsyncIterator[str]:
        exporter.check(what, fmt)
        return exporter.stream(self.db, self.project_id, what, fmt)


class Services:
    """Every area of the CRM's rules for one project of one database."""

    def __init__(self, db: Database, project_id: str) -> None:
        self.db = db
        self.project_id = project_id

    @property
    def bus(self) -> EventBus:
        return self.db.bus

    def for_project(self, project_id: str) -> Services:
        """The same areas on another project of the database (same threads, same bus)."""
        return self if project_id == self.project_id else Services(self.db, project_id)

    @cached_property
    def projects(self) -> Projects:
        return Projects(self.db, self.project_id)

    @cached_property
    def stages(self) -> Stages:
        return Stages(self.db, self.project_id)

    @cached_property
    def companies(self) -> Companies:
        return Companies(self.db, self.project_id)

    @cached_property
    def contacts(self) -> Contacts:
        return Contacts(self.db, self.project_id)

    @cached_property
    def api_keys(self) -> ApiKeys:
        return ApiKeys(self.db, self.project_id)

    @cached_property
    def visitors(self) -> Visitors:
        return Visitors(self.db, self.project_id)

    @cached_property
    def activity(self) -> Activity:
        return Activity(self.db, self.project_id)

    @cached_property
    def board(self) -> Board:
        return Board(self.db, self.project_id)

    @cached_property
    def support(self) -> Support:
        return Support(self.db, self.project_id)

    @cached_property
    def widget(self) -> Widget:
        return Widget(self.db, self.project_id)

    @cached_property
    def transfer(self) -> Transfer:
        return Transfer(self.db, self.project_id)

    @cached_property
    def secret(self) -> SecretRotation:
        return SecretRotation(self.db, self.project_id)

    @cached_property
    def tasks(self) -> Tasks:
        return Tasks(self.db, self.project_id)

    @cached_property
    def agenda(self) -> Agenda:
        return Agenda(self.db, self.project_id)

    @cached_property
    def forecast(self) -> Forecast:
        return Forecast(self.db, self.project_id)

    @cached_property
    def webhooks(self) -> Webhooks:
        return Webhooks(self.db, self.project_id)
