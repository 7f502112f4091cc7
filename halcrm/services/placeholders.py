"""Placeholder companies: made for contacts with no company, let go once a real one arrives."""

from __future__ import annotations

from sqlalchemy import delete, exists, func, select

from halcrm.db.models import Company, Contact, ContactCompany, Event, Project
from halcrm.domain.identity import email_domain, is_free_mail
from halcrm.services.ids import new_id
from halcrm.services.queries import linked_companies
from halcrm.services.tx import Tx


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
    """Links the contact to its placeholder company, creating it when needed."""
    key, name, domain = placeholder_key(contact)
    company = tx.session.scalar(
        tx.locking(
            select(Company).where(Company.project_pk == project.pk, Company.placeholder_key == key)
        )
    )
    if company is None:
        company = Company(
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
        tx.session.add(company)
        tx.session.flush()
    link(tx, contact, company)
    return company


def link(tx: Tx, contact: Contact, company: Company) -> bool:
    """Links a contact to a company; returns False when they were linked already."""
    found = tx.session.scalar(
        select(ContactCompany.contact_pk).where(
            ContactCompany.contact_pk == contact.pk, ContactCompany.company_pk == company.pk
        )
    )
    if found is not None:
        return False
    tx.session.add(ContactCompany(contact_pk=contact.pk, company_pk=company.pk, created_at=tx.now))
    tx.session.flush()
    return True


def holds_value(tx: Tx, company: Company) -> bool:
    """Whether a placeholder carries something a person would not want silently dropped."""
    if company.deal_value_cents is not None or company.stage_set_by_hand:
        return True
    if (company.notes or "").strip() or company.meta:
        return True
    has_events = tx.session.scalar(select(exists().where(Event.company_pk == company.pk)))
    return bool(has_events)


def release_placeholders(tx: Tx, contact: Contact, keep: Company | None = None) -> list[str]:
    """Unlinks the contact's placeholders that hold no value; deletes those left with no contact.

    Placeholders that hold value keep the link and stay, still marked, for the founder to merge.

    Returns:
        The ids of the placeholders deleted.
    """
    deleted: list[str] = []
    for company in linked_companies(tx, contact):
        if not company.is_placeholder or company is keep or holds_value(tx, company):
            continue
        tx.session.execute(
            delete(ContactCompany).where(
                ContactCompany.contact_pk == contact.pk, ContactCompany.company_pk == company.pk
            )
        )
        remaining = tx.session.scalar(
            select(func.count()).where(ContactCompany.company_pk == company.pk)
        )
        if not remaining:
            deleted.append(company.id)
            tx.session.delete(company)
    tx.session.flush()
    return deleted
