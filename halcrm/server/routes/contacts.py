"""Contacts (account token): list, create, read, edit, delete, link and unlink."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post, put

from halcrm.domain.stages import Source
from halcrm.domain.wire import CONTACTS
from halcrm.server.params import Limit
from halcrm.services.crm.inputs import ContactCreate, ContactPatch
from halcrm.services.crm.records import ContactRecord, Deleted
from halcrm.services.facade import Services
from halcrm.services.page import Page


class ContactController(Controller):
    path = CONTACTS
    tags = ["contacts"]

    @get("/")
    async def index(
        self,
        services: Services,
        email: str | None = None,
        q: str | None = None,
        limit: Limit = None,
        cursor: str | None = None,
    ) -> Page[ContactRecord]:
        """Contacts, filtered by ``email`` (exact, any case) and ``q`` (text), paginated."""
        return await services.contacts(email=email, q=q, limit=limit, cursor=cursor)

    @post("/", status_code=201)
    async def create(
        self, data: ContactCreate, services: Services, audit_source: Source
    ) -> ContactRecord:
        """Creates only the contact (no company, no placeholder)."""
        return await services.create_contact(data, audit_source)

    @get("/{contact_id:str}")
    async def show(self, contact_id: str, services: Services) -> ContactRecord:
        return await services.contact(contact_id)

    @patch("/{contact_id:str}", status_code=200)
    async def edit(self, contact_id: str, data: ContactPatch, services: Services) -> ContactRecord:
        """Edits fields; ``metadata`` merges."""
        return await services.update_contact(contact_id, data)

    @delete("/{contact_id:str}", status_code=200)
    async def remove(self, contact_id: str, services: Services) -> Deleted:
        return await services.delete_contact(contact_id)

    @put("/{contact_id:str}/companies/{company_id:str}", status_code=200)
    async def link(
        self, contact_id: str, company_id: str, services: Services, audit_source: Source
    ) -> ContactRecord:
        """Links the contact to the company (idempotent)."""
        return await services.link(contact_id, company_id, audit_source)

    @delete("/{contact_id:str}/companies/{company_id:str}", status_code=200)
    async def unlink(
        self, contact_id: str, company_id: str, services: Services, audit_source: Source
    ) -> ContactRecord:
        """Unlinks the contact from the company (idempotent)."""
        return await services.unlink(contact_id, company_id, audit_source)
