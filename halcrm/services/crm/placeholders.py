"""Placeholder companies: made for contacts with no company, let go once a real one arrives."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from halcrm.db.models import Company, Contact, ContactCompany, Event, Project
from halcrm.db.sql import columns
from halcrm.db.tx import Tx
from halcrm.domain.identity import email_domain, is_free_mail
from halcrm.services.crm.queries import linked_companies
from halcrm.services.ids import new_id


def placeholder_key(contact: Contact) -> tuple[str, str, str | None]:
    """The placeholder's unique key, its name and its domain for this contact.

    A work email shares one placeholder per domain; a free-mail address (or no email) gets one
    of its own.
    """
    if contact.email and not is_free_mail(contact.email):
        domain = email_domain(contact.email)
        return f"domain:{domain}", domain, domain
    name = contact.name or contact.email or contact.user_id or contact.id
    return f"contact:{contact.id}", name, None


def ensure_placeholder(tx: Tx, project: Project, contact: Contact) -> Company:
    """The contact's placeholder company, created when needed (the caller links it)."""
    key, name, domain = placeholder_key(contact)
    params = {"project_pk": project.pk, "key": key}
    company = tx.one(Company, tx.lock(_PLACEHOLDER), params)
    if company is None:
        company = tx.insert(
            Company,
            id=new_id("co"),
            project_pk=project.pk,
            name=name,
            domain=domain,
            meta={},
            is_placeholder=True,
            placeholder_key=key,
            created_at=tx.now,
            updated_at=tx.now,
            last_activity_at=tx.now,
        )
    return company


def link(tx: Tx, contact: Contact, company: Company) -> bool:
    """Links a contact to a company; returns False when they were linked already."""
    if contact.pk is None or company.pk is None:
        tx.session.flush()  # made through the session and not written yet
    stmt = _LINK_SQLITE if tx.is_sqlite else _LINK_POSTGRESQL
    params = {"contact_pk": contact.pk, "company_pk": company.pk, "created_at": tx.now}
    return tx.rowcount(stmt, params) > 0


def holds_value(tx: Tx, company: Company) -> bool:
    """Whether a placeholder carries something a person would not want silently dropped."""
    if company.deal_value_cents is not None or company.stage_set_by_hand:
        return True
    if (company.notes or "").strip() or company.meta:
        return True
    return tx.first(_HAS_EVENTS, {"company_pk": company.pk}) is not None


def release_placeholders(
    tx: Tx,
    contact: Contact,
    keep: Company | None = None,
    linked: list[Company] | None = None,
) -> list[str]:
    """Unlinks the contact's placeholders that hold no value; deletes those left with no contact.

    Placeholders that hold value keep the link and stay, still marked, for the founder to merge.

    Args:
        linked: The contact's companies, when the caller holds them already; the placeholders
            let go are taken out of it.

    Returns:
        The ids of the placeholders deleted.
    """
    deleted: list[str] = []
    companies = linked_companies(tx, contact) if linked is None else list(linked)
    for company in companies:
        if not company.is_placeholder or holds_value(tx, company):
            continue
        if keep is not None and company.pk == keep.pk:
            continue
        params = {"contact_pk": contact.pk, "company_pk": company.pk}
        tx.execute(_UNLINK, params)
        if linked is not None:
            linked.remove(company)
        if tx.first(_ANY_LINK, {"company_pk": company.pk}) is None:
            deleted.append(company.id)
            tx.delete(company)
    return deleted


_PLACEHOLDER = columns(Company).where(
    Company.project_pk == bindparam("project_pk"), Company.placeholder_key == bindparam("key")
)
_LINK_VALUES: dict[str, Any] = {
    "contact_pk": bindparam("contact_pk"),
    "company_pk": bindparam("company_pk"),
    "created_at": bindparam("created_at"),
}
_LINK_SQLITE = sqlite_insert(ContactCompany).values(_LINK_VALUES).on_conflict_do_nothing()
_LINK_POSTGRESQL = postgresql_insert(ContactCompany).values(_LINK_VALUES).on_conflict_do_nothing()
_HAS_EVENTS = select(Event.pk).where(Event.company_pk == bindparam("company_pk")).limit(1)
_UNLINK = delete(ContactCompany).where(
    ContactCompany.contact_pk == bindparam("contact_pk"),
    ContactCompany.company_pk == bindparam("company_pk"),
)
_ANY_LINK = (
    select(ContactCompany.contact_pk)
    .where(ContactCompany.company_pk == bindparam("company_pk"))
    .limit(1)
)
