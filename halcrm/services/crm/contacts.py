"""``Contacts``: the account API's and the board's contacts: reads, edits, and links to
companies."""

from __future__ import annotations

from msgspec import UNSET
from sqlalchemy import delete, select
from sqlalchemy import update as sql_update

from halcrm.db.models import Company, Contact, ContactCompany, Event, Project, Visitor
from halcrm.db.tx import Tx
from halcrm.domain import metadata as meta_rules
from halcrm.domain.errors import Conflict
from halcrm.domain.events import EventKind
from halcrm.domain.identity import normalize_email
from halcrm.domain.stages import Source
from halcrm.services.area import Area, reads, writes
from halcrm.services.crm.contact_restore import capture_contact_in, restore_contact_in
from halcrm.services.crm.inputs import ContactCreate, ContactPatch
from halcrm.services.crm.placeholders import link, release_placeholders
from halcrm.services.crm.queries import (
    company_ids_by_contact,
    contact_record,
    contact_records,
    ensure_contact_free,
    get_company,
    get_contact,
)
from halcrm.services.crm.records import ContactRecord, ContactSnapshot, Deleted
from halcrm.services.ids import new_id
from halcrm.services.page import Page
from halcrm.services.paging import fetch_page, page_params, text_matches


class Contacts(Area):
    """The contacts of one project."""

    @reads
    def all(
        self,
        tx: Tx,
        *,
        email: str | None = None,
        q: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[ContactRecord]:
        size, after = page_params(limit, cursor)
        project = self.project(tx)
        stmt = select(Contact).where(Contact.project_pk == project.pk)
        if email is not None:
            stmt = stmt.where(Contact.email == email.strip().lower())
        if q:
            stmt = stmt.where(text_matches(q, Contact.name, Contact.email, Contact.user_id))
        rows, next_cursor = fetch_page(tx, stmt, Contact.pk, size, after)
        return Page(items=contact_records(tx, rows), next_cursor=next_cursor)

    @reads
    def get(self, tx: Tx, contact_id: str) -> ContactRecord:
        return contact_record(tx, get_contact(tx, self.project(tx), contact_id))

    @writes
    def create(
        self, tx: Tx, body: ContactCreate, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        """Creates only the contact: no company, no placeholder."""
        email = normalize_email(body.email) if body.email else None
        if body.metadata:
            meta_rules.check(body.metadata, field="metadata")
        project = self.project(tx)
        contact_id = body.id or new_id("ct")
        taken = tx.session.scalar(
            select(Contact.pk).where(Contact.project_pk == project.pk, Contact.id == contact_id)
        )
        if taken is not None:
            raise Conflict(
                f"a contact with id {contact_id!r} exists already", code="already_exists"
            )
        ensure_contact_free(tx, project, email, body.user_id, None)
        contact = Contact(
            id=contact_id,
            project_pk=project.pk,
            email=email,
            user_id=body.user_id,
            name=body.name,
            phone=body.phone,
            notes=body.notes,
            tags=list(body.tags or []),
            meta=dict(body.metadata or {}),
            created_at=tx.now,
            updated_at=tx.now,
        )
        tx.session.add(contact)
        tx.session.flush()
        tx.record(
            project,
            EventKind.CONTACT_CREATED,
            source,
            f"contact {_who(contact)} created",
            data={"contact_id": contact.id},
        )
        return contact_record(tx, contact)

    @writes
    def update(
        self, tx: Tx, contact_id: str, patch: ContactPatch, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        """Edits a contact: fields given replace, ``metadata`` merges."""
        email = normalize_email(patch.email) if isinstance(patch.email, str) else patch.email
        if patch.metadata is not UNSET:
            meta_rules.check(patch.metadata, field="metadata")
        project = self.project(tx)
        contact = get_contact(tx, project, contact_id, lock=True)
        ensure_contact_free(
            tx,
            project,
            email if isinstance(email, str) else None,
            patch.user_id if isinstance(patch.user_id, str) else None,
            contact,
        )
        changed = []
        values = {
            "email": email,
            "user_id": patch.user_id,
            "name": patch.name,
            "phone": patch.phone,
            "notes": patch.notes,
            "tags": patch.tags,
        }
        for field, value in values.items():
            if value is not UNSET and getattr(contact, field) != value:
                setattr(contact, field, list(value) if isinstance(value, list) else value)
                changed.append(field)
        if patch.metadata is not UNSET:
            contact.meta = meta_rules.merge_checked(contact.meta, patch.metadata, field="metadata")
            changed.append("metadata")
        if changed:
            contact.updated_at = tx.now
            tx.record(
                project,
                EventKind.CONTACT_UPDATED,
                source,
                f"contact {_who(contact)} edited",
                data={"contact_id": contact.id, "fields": changed},
            )
        return contact_record(tx, contact)

    @writes
    def delete(self, tx: Tx, contact_id: str, source: Source = Source.ACCOUNT_API) -> Deleted:
        project = self.project(tx)
        contact = get_contact(tx, project, contact_id, lock=True)
        tx.session.execute(
            sql_update(Visitor).where(Visitor.contact_pk == contact.pk).values(contact_pk=None)
        )
        tx.session.execute(
            sql_update(Event).where(Event.contact_pk == contact.pk).values(contact_pk=None)
        )
        # The companies it was linked to lose a contact: their cards' counts change.
        companies = company_ids_by_contact(tx, [contact.pk]).get(contact.pk, [])
        tx.session.execute(delete(ContactCompany).where(ContactCompany.contact_pk == contact.pk))
        tx.record(
            project,
            EventKind.CONTACT_DELETED,
            source,
            f"contact {_who(contact)} deleted",
            data={"contact_id": contact.id},
            company_ids=companies,
        )
        tx.session.delete(contact)
        return Deleted(id=contact_id)

    @reads
    def capture(self, tx: Tx, contact_id: str) -> ContactSnapshot:
        """Everything a delete of ``contact_id`` would remove or let go of (read it before
        deleting: ``restore`` puts it back)."""
        return capture_contact_in(tx, self.project(tx), contact_id)

    @writes
    def restore(
        self, tx: Tx, snapshot: ContactSnapshot, source: Source = Source.BOARD
    ) -> ContactRecord:
        """Puts a deleted contact back with the same id, as ``capture`` read it: its company
        links, its conversations and their messages, its visitors', events' and next steps'
        link to it."""
        return restore_contact_in(tx, self.project(tx), snapshot, source)

    @writes
    def link(
        self, tx: Tx, contact_id: str, company_id: str, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        """Links the contact to the company; gaining a real company lets go of the contact's
        idle placeholders."""
        project = self.project(tx)
        contact = get_contact(tx, project, contact_id, lock=True)
        company = get_company(tx, project, company_id)
        deleted: list[str] = []
        if link(tx, contact.pk, company.pk):
            if not company.is_placeholder:
                deleted = release_placeholders(tx, contact.pk, keep_pk=company.pk)
            _linked(tx, project, contact, company, source, deleted)
        return contact_record(tx, contact)

    @writes
    def unlink(
        self, tx: Tx, contact_id: str, company_id: str, source: Source = Source.ACCOUNT_API
    ) -> ContactRecord:
        """Unlinks the contact from the company (its visitors stop pointing at it)."""
        project = self.project(tx)
        contact = get_contact(tx, project, contact_id, lock=True)
        company = get_company(tx, project, company_id)
        result = tx.session.execute(
            delete(ContactCompany).where(
                ContactCompany.contact_pk == contact.pk,
                ContactCompany.company_pk == company.pk,
            )
        )
        unlinked = bool(result.rowcount)  # type: ignore[attr-defined]
        tx.session.execute(
            sql_update(Visitor)
            .where(Visitor.contact_pk == contact.pk, Visitor.active_company_pk == company.pk)
            .values(active_company_pk=None)
        )
        if unlinked:
            _linked(tx, project, contact, company, source, None)
        return contact_record(tx, contact)


def _who(contact: Contact) -> str:
    return contact.email or contact.name or contact.id


def _linked(
    tx: Tx,
    project: Project,
    contact: Contact,
    company: Company,
    source: Source,
    deleted: list[str] | None,
) -> None:
    """Records a link (``deleted``: the placeholders it let go of) or, with None, an unlink."""
    company.last_activity_at = tx.now
    verb = "unlinked from" if deleted is None else "linked to"
    tx.record(
        project,
        EventKind.UNLINK if deleted is None else EventKind.LINK,
        source,
        f"{_who(contact)} {verb} {company.name}",
        company,
        data={"contact_id": contact.id},
        deleted_company_ids=deleted or [],
    )
