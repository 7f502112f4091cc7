"""The CRM's areas over the account API: companies, contacts, stages, projects, activity."""

from __future__ import annotations

from halcrm.domain.stages import Source
from halcrm.domain.wire import ACTIVITY, API, COMPANIES, CONTACTS, PROJECTS, STAGES
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
    ContactSnapshot,
    Deleted,
    MergeResult,
    MergeUndo,
    ProjectRecord,
    StageRecord,
    StageResult,
)
from halcrm.services.page import Page
from halcrm.tui.client.area import RemoteArea
from halcrm.tui.client.http import path_id


def _company(company_id: str, rest: str = "") -> str:
    return f"{COMPANIES}/{path_id(company_id)}{rest}"


def _contact(contact_id: str) -> str:
    return f"{CONTACTS}/{path_id(contact_id)}"


def _link(contact_id: str, company_id: str) -> str:
    """The path of a contact's link to a company (PUT makes it, DELETE removes it)."""
    return f"{_contact(contact_id)}/companies/{path_id(company_id)}"


class RemoteCompanies(RemoteArea):
    """``services.companies`` over ``/api/companies`` (and the restores and merges' undo)."""

    async def get(self, company_id: str) -> CompanyRecord:
        return await self._get(_company(company_id), CompanyRecord)

    async def create(
        self, body: CompanyCreate, source: Source = Source.ACCOUNT_API
    ) -> CompanyRecord:
        return await self._write("POST", COMPANIES, CompanyRecord, body, source)

    async def update(
        self, company_id: str, patch: CompanyPatch, source: Source = Source.ACCOUNT_API
    ) -> CompanyRecord:
        return await self._write("PATCH", _company(company_id), CompanyRecord, patch, source)

    async def delete(self, company_id: str, source: Source = Source.ACCOUNT_API) -> Deleted:
        return await self._write("DELETE", _company(company_id), Deleted, None, source)

    async def move(
        self,
        company_id: str,
        stage: str | None,
        *,
        source: Source = Source.BOARD,
        note: str | None = None,
    ) -> StageResult:
        body = {"stage": stage, "note": note}
        return await self._write("POST", _company(company_id, "/move"), StageResult, body, source)

    async def reopen(self, company_id: str) -> StageResult:
        return await self._write("POST", _company(company_id, "/reopen"), StageResult)

    async def merge(
        self, source_id: str, into_id: str, source: Source = Source.BOARD
    ) -> MergeResult:
        body = {"into_id": into_id}
        path = _company(source_id, "/merge")
        return await self._write("POST", path, MergeResult, body, source)

    async def undo_merge(self, undo: MergeUndo, source: Source = Source.BOARD) -> CompanyRecord:
        return await self._write("POST", f"{API}/merges/undo", CompanyRecord, undo, source)

    async def capture(self, company_id: str) -> CompanySnapshot:
        return await self._get(_company(company_id, "/snapshot"), CompanySnapshot)

    async def restore(
        self, snapshot: CompanySnapshot, source: Source = Source.BOARD
    ) -> CompanyRecord:
        return await self._write("POST", f"{API}/restores", CompanyRecord, snapshot, source)


class RemoteContacts(RemoteArea):
    """``services.contacts`` over ``/api/contacts``."""

    async def all(
        self,
        *,
        email: str | None = None,
        q: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[ContactRecord]:
        return await self._get(
            CONTACTS, Page[ContactRecord], email=email, q=q, limit=limit, cursor=cursor
        )

    async def get(self, contact_id: str) -> ContactRecord:
        return await self._get(_contact(contact_id), ContactRecord)

    async def create(
        self, body: ContactCreate, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        return await self._write("POST", CONTACTS, ContactRecord, body, source)

    async def update(
        self, contact_id: str, patch: ContactPatch, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        return await self._write("PATCH", _contact(contact_id), ContactRecord, patch, source)

    async def delete(self, contact_id: str, source: Source = Source.ACCOUNT_API) -> Deleted:
        return await self._write("DELETE", _contact(contact_id), Deleted, None, source)

    async def capture(self, contact_id: str) -> ContactSnapshot:
        return await self._get(f"{_contact(contact_id)}/snapshot", ContactSnapshot)

    async def restore(
        self, snapshot: ContactSnapshot, source: Source = Source.BOARD
    ) -> ContactRecord:
        return await self._write("POST", f"{CONTACTS}/restores", ContactRecord, snapshot, source)

    async def link(
        self, contact_id: str, company_id: str, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        return await self._write("PUT", _link(contact_id, company_id), ContactRecord, None, source)

    async def unlink(
        self, contact_id: str, company_id: str, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        path = _link(contact_id, company_id)
        return await self._write("DELETE", path, ContactRecord, None, source)


class RemoteStages(RemoteArea):
    """``services.stages`` over ``/api/stages``."""

    async def create(self, body: StageCreate) -> StageRecord:
        # The board's only caller of ``create``: audited as the board's, as in process.
        return await self._write("POST", STAGES, StageRecord, body, Source.BOARD)

    async def update(
        self, stage: str, patch: StagePatch, source: Source = Source.ACCOUNT_API
    ) -> StageRecord:
        path = f"{STAGES}/{path_id(stage)}"
        return await self._write("PATCH", path, StageRecord, patch, source)


class RemoteProjects(RemoteArea):
    """``services.projects``: the server database's projects (the board's project picker)."""

    async def all(self) -> Page[ProjectRecord]:
        return await self._get(PROJECTS, Page[ProjectRecord])


class RemoteActivity(RemoteArea):
    """``services.activity``: the project's recent activity, newest first."""

    async def recent(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[ActivityItem]:
        return await self._get(ACTIVITY, Page[ActivityItem], limit=limit, cursor=cursor)
