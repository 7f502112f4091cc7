"""Which company a widget CRM write lands on."""

from __future__ import annotations

from halcrm.db.records import CompanyRow, ContactRow, VisitorRow
from halcrm.db.tx import ProjectKeys, Tx
from halcrm.domain.errors import (
    AmbiguousCompany,
    CompanyNotLinked,
    NoCompanyContext,
    UnknownCompany,
)
from halcrm.services.crm.queries import is_linked, linked_companies, load_company, lock_company


def explicit_company(
    tx: Tx, project: ProjectKeys, contact: ContactRow, company_id: str
) -> CompanyRow:
    """A company named in the body: it must exist (404) and be linked to the contact (403)."""
    company = load_company(tx, project, company_id, lock=True, error=UnknownCompany)
    if not is_linked(tx, contact.pk, company.pk):
        raise CompanyNotLinked(f"company {company_id!r} is not linked to this visitor's contact")
    return company


def target_company(
    tx: Tx, project: ProjectKeys, visitor: VisitorRow, contact: ContactRow, company_id: str | None
) -> CompanyRow:
    """Chooses the company: the body's ``company_id``, else as ``choose_linked`` does."""
    if company_id is not None:
        return explicit_company(tx, project, contact, company_id)
    chosen = choose_linked(linked_companies(tx, contact.pk), visitor.active_company_pk)
    return lock_company(tx, chosen)


def choose_linked(linked: list[CompanyRow], active_pk: int | None) -> CompanyRow:
    """The visitor's active company while still linked, else the contact's only company;
    several without a choice is ambiguous, none has no context."""
    if active_pk is not None:
        for company in linked:
            if company.pk == active_pk:
                return company
    if len(linked) == 1:
        return linked[0]
    if not linked:
        raise NoCompanyContext("the visitor's contact is not linked to any company")
    ids = ", ".join(c.id for c in linked)
    raise AmbiguousCompany(
        f"the contact is linked to several companies ({ids}); name one with company_id"
    )
