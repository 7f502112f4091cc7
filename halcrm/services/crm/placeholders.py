"""Placeholder companies: made for contacts with no company, let go once a real one arrives."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Insert, bindparam, delete, select, union_all

from halcrm.db.models import Company, ContactCompany, Event
from halcrm.db.records import CompanyRow, ContactRow, select_of
from halcrm.db.tx import ProjectKeys, Tx
from halcrm.domain.identity import email_domain, is_free_mail
from halcrm.services.crm.queries import linked_companies
from halcrm.services.ids import new_id


def placeholder_key(contact: ContactRow) -> tuple[str, str, str | None]:
    """The placeholder's unique key, its name and its domain for this contact.

    A work email shares one placeholder per domain; a free-mail address (or no email) gets one
    of its own.
    """
    if contact.email and not is_free_mail(contact.email):
        domain = email_domain(contact.email)
        return f"domain:{domain}", domain, domain
    name = contact.name or contact.email or contact.user_id or contact.id
    return f"contact:{contact.id}", name, None


def company_for_new_contact(tx: Tx, project: ProjectKeys, contact: ContactRow) -> CompanyRow:
    """Rules 5 and 9: the one real company whose ``domain`` is the contact's work-email domain,
    else the contact's placeholder company, created when needed (the caller links it)."""
    key, name, domain = placeholder_key(contact)
    params = {"project_pk": project.pk, "key": key, "domain": domain}
    found = tx.all(CompanyRow, _FOR_DOMAIN, params)
    real = [c for c in found if not c.is_placeholder]
    if len(real) == 1:
        return real[0]
    placeholder = next((c for c in found if c.placeholder_key == key), None)
    return placeholder or _new_placeholder(tx, project, key, name, domain)


def ensure_placeholder(tx: Tx, project: ProjectKeys, contact: ContactRow) -> CompanyRow:
    """The contact's placeholder company, created when needed (the caller links it)."""
    key, name, domain = placeholder_key(contact)
    params = {"project_pk": project.pk, "key": key}
    company = tx.one(CompanyRow, tx.lock(_PLACEHOLDER), params)
    return company or _new_placeholder(tx, project, key, name, domain)


def _new_placeholder(
    tx: Tx, project: ProjectKeys, key: str, name: str, domain: str | None
) -> CompanyRow:
    return tx.insert(
        CompanyRow,
        id=new_id("co"),
        project_pk=project.pk,
        name=name,
        domain=domain,
        is_placeholder=True,
        placeholder_key=key,
        created_at=tx.now,
        updated_at=tx.now,
        last_activity_at=tx.now,
    )


def link(tx: Tx, contact_pk: int, company_pk: int) -> bool:
    """Links a contact to a company; returns False when they were linked already."""
    params = {"contact_pk": contact_pk, "company_pk": company_pk, "created_at": tx.now}
    return tx.rowcount(_link(tx.is_sqlite), params) > 0


def ensure_link(tx: Tx, contact_pk: int, company_pk: int) -> None:
    """``link`` for a caller that does not ask whether it was new: nobody waits for its answer
    (on PostgreSQL it leaves with the call's next statement)."""
    params = {"contact_pk": contact_pk, "company_pk": company_pk, "created_at": tx.now}
    tx.execute(_link(tx.is_sqlite), params)


def holds_value(tx: Tx, company: CompanyRow) -> bool:
    """Whether a placeholder carries something a person would not want silently dropped."""
    if company.deal_value_cents is not None or company.stage_set_by_hand:
        return True
    if (company.notes or "").strip() or company.meta:
        return True
    return tx.first(_HAS_EVENTS, {"company_pk": company.pk}) is not None


def release_placeholders(
    tx: Tx,
    contact_pk: int,
    keep_pk: int | None = None,
    linked: list[CompanyRow] | None = None,
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
    companies = linked_companies(tx, contact_pk) if linked is None else list(linked)
    for company in companies:
        if not company.is_placeholder or company.pk == keep_pk or holds_value(tx, company):
            continue
        tx.execute(_UNLINK, {"contact_pk": contact_pk, "company_pk": company.pk})
        if linked is not None:
            linked.remove(company)
        if tx.first(_ANY_LINK, {"company_pk": company.pk}) is None:
            deleted.append(company.id)
            tx.delete(CompanyRow, company.pk)
    return deleted


_PLACEHOLDER = select_of(CompanyRow).where(
    Company.project_pk == bindparam("project_pk"), Company.placeholder_key == bindparam("key")
)
# Two indexed lookups in one statement (an OR of them made SQLite scan the project). No row
# lock: a placeholder created twice at once is a unique violation, and the call runs again.
_FOR_DOMAIN = union_all(
    select_of(CompanyRow).where(
        Company.project_pk == bindparam("project_pk"), Company.placeholder_key == bindparam("key")
    ),
    select_of(CompanyRow).where(
        Company.project_pk == bindparam("project_pk"),
        Company.domain == bindparam("domain"),
        Company.is_placeholder.is_(False),
    ),
).limit(3)
_LINK_VALUES: dict[str, Any] = {
    "contact_pk": bindparam("contact_pk"),
    "company_pk": bindparam("company_pk"),
    "created_at": bindparam("created_at"),
}


@cache
def _link(is_sqlite: bool) -> Insert:
    """``INSERT … ON CONFLICT DO NOTHING`` of a link, in the one dialect the process uses (the
    other is never imported)."""
    if is_sqlite:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(ContactCompany).values(_LINK_VALUES).on_conflict_do_nothing()
    from sqlalchemy.dialects.postgresql import insert as postgresql_insert

    return postgresql_insert(ContactCompany).values(_LINK_VALUES).on_conflict_do_nothing()


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
