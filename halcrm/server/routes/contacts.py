"""Contacts: one controller for the account API (``/api/contacts``, bearer token: list,
create, read, edit, delete, link, unlink, and the board's snapshot and restore) and the public
API (``/api/v1/contacts``, an API key: list, create, read, edit). Every write is audited with
``audit_source``: the account router reads it from ``X-Halcrm-Source`` (``board`` or
``account_api``), the public router answers ``public_api`` whatever the request says."""

from litestar import Controller, delete, get, patch, post, put

from halcrm.domain.stages import Source
from halcrm.domain.wire import CONTACTS
from halcrm.server.params import Limit
from halcrm.services.container import Services
from halcrm.services.crm.inputs import ContactCreate, ContactPatch
from halcrm.services.crm.records import ContactRecord, ContactSnapshot, Deleted
from halcrm.services.page import Page


class Contacts(Controller):
    """What both APIs do with contacts (routed only through the two controllers below)."""

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
        return await services.contacts.all(email=email, q=q, limit=limit, cursor=cursor)

    @post("/", status_code=201)
    async def create(
        self, data: ContactCreate, services: Services, audit_source: Source
    ) -> ContactRecord:
        """Creates only the contact (no company, no placeholder)."""
        return await services.contacts.create(data, audit_source)

    @get("/{contact_id:str}")
    async def show(self, contact_id: str, services: Services) -> ContactRecord:
        return await services.contacts.get(contact_id)

    @patch("/{contact_id:str}", status_code=200)
    async def edit(
        self, contact_id: str, data: ContactPatch, services: Services, audit_source: Source
    ) -> ContactRecord:
        """Edits fields; ``metadata`` merges."""
        return await services.contacts.update(contact_id, data, audit_source)


class ContactController(Contacts):
    """The account API's contacts: the board's contact screen writes through these."""

    path = CONTACTS
    tags = ["contacts"]

    @delete("/{contact_id:str}", status_code=200)
    async def remove(self, contact_id: str, services: Services, audit_source: Source) -> Deleted:
        return await services.contacts.delete(contact_id, audit_source)

    @get("/{contact_id:str}/snapshot")
    async def snapshot(self, contact_id: str, services: Services) -> ContactSnapshot:
        """Every row a delete of the contact would remove or let go of; posted to
        ``/api/contacts/restores`` after the delete, it puts the contact back whole (the
        board's undo)."""
        return await services.contacts.capture(contact_id)

    @post("/restores", status_code=201)
    async def restore(
        self, data: ContactSnapshot, services: Services, audit_source: Source
    ) -> ContactRecord:
        """Puts a deleted contact back from its ``snapshot``: same id, company links,
        conversations and messages, and its visitors', events' and next steps' link to it."""
        return await services.contacts.restore(data, audit_source)

    @put("/{contact_id:str}/companies/{company_id:str}", status_code=200)
    async def link(
        self, contact_id: str, company_id: str, services: Services, audit_source: Source
    ) -> ContactRecord:
        """Links the contact to the company (idempotent)."""
        return await services.contacts.link(contact_id, company_id, audit_source)

    @delete("/{contact_id:str}/companies/{company_id:str}", status_code=200)
    async def unlink(
        self, contact_id: str, company_id: str, services: Services, audit_source: Source
    ) -> ContactRecord:
        """Unlinks the contact from the company (idempotent)."""
        return await services.contacts.unlink(contact_id, company_id, audit_source)


class PublicContactController(Contacts):
    """The public API's contacts, for the founder's other tools."""

    path = "/api/v1/contacts"
    tags = ["public api"]
