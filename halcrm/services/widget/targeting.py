"""Which company a widget CRM write lands on."""

from __future__ import annotations

from halcrm.db.models import Company, Contact, Project, Visitor
from halcrm.db.tx import Tx
from halcrm.domain.errors import (
    AmbiguousCompany,
    CompanyNotLinked,
    NoCompanyContext,
    UnknownCompany,
)
from halcrm.services.crm.queries import is_linked, linked_companies, load_company, lock_company


def explicit_company(tx: Tx, project: Project, contact: Contact, company_id: str) -> Company:
    """A company named in the body: it must exist (404) and be linked to the contact (403)."""
    company = load_company(tx, project, company_id, lock=True, error=UnknownCompany)
    if not is_linked(tx, contact, company):
        raise CompanyNotLinked(f"company {company_id!r} is not linked to this visitor's contact")
    return company


def target_company(
    tx: Tx, project: Project, visitor: Visitor, contact: Contact, company_id: str | None
) -> Company:
    """Chooses the company: the body's ``company_id``, else the visitor's active company while
    still linked, else the contact's only company; several without a choice is ambiguous."""
    if company_id is not None:
        return explicit_company(tx, project, contact, company_id)
    linked = linked_companies(tx, contact)
    if visitor.active_company_pk is not None:
        for company in linked:
            if company.pk == visitor.active_company_pk:
                return lock_company(tx, company)
    if len(linked) == 1:
        return lock_company(tx, linked[0])
    if not linked:
        raise NoCompanyContext("the visitor's contact is not linked to any company")
    ids = ", ".join(c.id for c in linked)
    raise AmbiguousCompany(
        f"the contact is linked to several companies ({ids}); name one with company_id"
    )
