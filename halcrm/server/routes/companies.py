"""Companies (account token): list, create, read, edit, delete, history."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post

from halcrm.server.params import Limit
from halcrm.services.crm.inputs import CompanyCreate, CompanyPatch
from halcrm.services.crm.records import CompanyRecord, Deleted, HistoryItem
from halcrm.services.facade import Services
from halcrm.services.page import Page


class CompanyController(Controller):
    path = "/api/companies"
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
        return await services.companies(stage=stage, q=q, limit=limit, cursor=cursor)

    @post("/", status_code=201)
    async def create(self, data: CompanyCreate, services: Services) -> CompanyRecord:
        """Creates only the company; a ``stage`` given is an exact write."""
        return await services.create_company(data)

    @get("/{company_id:str}")
    async def show(self, company_id: str, services: Services) -> CompanyRecord:
        return await services.company(company_id)

    @patch("/{company_id:str}", status_code=200)
    async def edit(self, company_id: str, data: CompanyPatch, services: Services) -> CompanyRecord:
        """Edits fields; ``metadata`` merges; ``stage`` is an exact write."""
        return await services.update_company(company_id, data)

    @delete("/{company_id:str}", status_code=200)
    async def remove(self, company_id: str, services: Services) -> Deleted:
        return await services.delete_company(company_id)

    @get("/{company_id:str}/history")
    async def history(self, company_id: str, services: Services) -> Page[HistoryItem]:
        """Stage changes (applied and skipped) and events, newest first."""
        return await services.company_history(company_id)
