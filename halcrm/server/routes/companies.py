"""Companies (account token): list, create, read, edit, delete, history, and the board's
own reads and writes of one company (detail, move, reopen, merge, snapshot, conversations)."""

import msgspec
from litestar import Controller, delete, get, patch, post

from halcrm.domain.stages import Source
from halcrm.domain.wire import COMPANIES
from halcrm.server.params import Limit
from halcrm.services.board.records import CompanyDetail
from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyCreate, CompanyPatch
from halcrm.services.crm.records import (
    CompanyRecord,
    CompanySnapshot,
    Deleted,
    HistoryItem,
    MergeResult,
    StageResult,
)
from halcrm.services.fields import Notes, RecordId, StageRef
from halcrm.services.page import Page
from halcrm.services.support.schemas import CompanyConversation


class CompanyMove(msgspec.Struct, kw_only=True):
    """A manual stage write: ``stage`` (name or id; null: no stage), an optional note."""

    stage: StageRef | None
    note: Notes | None = None


class CompanyMerge(msgspec.Struct, kw_only=True):
    into_id: RecordId


class CompanyController(Controller):
    path = COMPANIES
    tags = ["companies"]

    @get("/")
    async def index(
        self,
        services: Services,
        stage: str | None = None,
        q: str | None = None,
        limit: Limit = None,
        cursor: str | None = None,
    ) -> Page[CompanyRecord]:
        """Companies, filtered by ``stage`` (name or id) and ``q`` (text), paginated."""
        return await services.companies.all(stage=stage, q=q, limit=limit, cursor=cursor)

    @post("/", status_code=201)
    async def create(
        self, data: CompanyCreate, services: Services, audit_source: Source
    ) -> CompanyRecord:
        """Creates only the company; a ``stage`` given is an exact write."""
        return await services.companies.create(data, audit_source)

    @get("/{company_id:str}")
    async def show(self, company_id: str, services: Services) -> CompanyRecord:
        return await services.companies.get(company_id)

    @patch("/{company_id:str}", status_code=200)
    async def edit(
        self, company_id: str, data: CompanyPatch, services: Services, audit_source: Source
    ) -> CompanyRecord:
        """Edits fields; ``metadata`` merges; ``stage`` is an exact write."""
        return await services.companies.update(company_id, data, audit_source)

    @delete("/{company_id:str}", status_code=200)
    async def remove(self, company_id: str, services: Services, audit_source: Source) -> Deleted:
        return await services.companies.delete(company_id, audit_source)

    @get("/{company_id:str}/history")
    async def history(self, company_id: str, services: Services) -> Page[HistoryItem]:
        """Stage changes (applied and skipped) and events, newest first."""
        return await services.companies.history(company_id)

    @get("/{company_id:str}/detail")
    async def detail(self, company_id: str, services: Services) -> CompanyDetail:
        """The company with its contacts, history and website visitors (the board's view)."""
        return await services.board.company_detail(company_id)

    @get("/{company_id:str}/conversations")
    async def conversations(self, company_id: str, services: Services) -> list[CompanyConversation]:
        """Its contacts' conversations, open ones first, with how long each has waited."""
        return await services.support.company_conversations(company_id)

    @post("/{company_id:str}/move", status_code=200)
    async def move(
        self, company_id: str, data: CompanyMove, services: Services, audit_source: Source
    ) -> StageResult:
        """An exact stage write (downgrades allowed) with an optional note (a Lost reason),
        audited as `board` when the request says `X-Halcrm-Source: board`."""
        return await services.companies.move(
            company_id, data.stage, source=audit_source, note=data.note
        )

    @post("/{company_id:str}/reopen", status_code=200)
    async def reopen(self, company_id: str, services: Services) -> StageResult:
        """Moves a won or lost deal back to the open stage it was closed from."""
        return await services.companies.reopen(company_id)

    @post("/{company_id:str}/merge", status_code=200)
    async def merge(
        self, company_id: str, data: CompanyMerge, services: Services, audit_source: Source
    ) -> MergeResult:
        """Merges this company (a placeholder, typically) into ``into_id``; the answer's
        ``undo`` posted to ``/api/merges/undo`` puts it back."""
        return await services.companies.merge(company_id, data.into_id, audit_source)

    @get("/{company_id:str}/snapshot")
    async def snapshot(self, company_id: str, services: Services) -> CompanySnapshot:
        """Every row a delete of the company would remove; posted to ``/api/restores`` after
        the delete, it puts the company back (the board's undo)."""
        return await services.companies.capture(company_id)
