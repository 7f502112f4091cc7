"""``Visitors``: the website's visitors, who they are (their contact) and when they were last
seen."""

from __future__ import annotations

from sqlalchemy import select

from halcrm.db.models import Company, Contact, ContactCompany, Visitor
from halcrm.db.tx import Tx
from halcrm.domain.errors import NotFound
from halcrm.services.area import Area, reads
from halcrm.services.crm.records import VisitorRecord
from halcrm.services.page import Page
from halcrm.services.paging import fetch_page, page_params


class Visitors(Area):
    """The website's visitors of one project."""

    @reads
    def all(
        self,
        tx: Tx,
        *,
        contact_id: str | None = None,
        company_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[VisitorRecord]:
        """Visitors newest first; ``contact_id`` keeps one contact's, ``company_id`` those whose
        contact is linked to that company."""
        size, after = page_params(limit, cursor)
        project = self.project(tx)
        stmt = select(Visitor).where(Visitor.project_pk == project.pk)
        if contact_id is not None:
            pk = tx.session.scalar(
                select(Contact.pk).where(Contact.project_pk == project.pk, Contact.id == contact_id)
            )
            if pk is None:
                raise NotFound(f"no contact with id {contact_id!r}")
            stmt = stmt.where(Visitor.contact_pk == pk)
        if company_id is not None:
            company = tx.session.scalar(
                select(Company.pk).where(Company.project_pk == project.pk, Company.id == company_id)
            )
            if company is None:
                raise NotFound(f"no company with id {company_id!r}")
            linked = select(ContactCompany.contact_pk).where(ContactCompany.company_pk == company)
            stmt = stmt.where(Visitor.contact_pk.in_(linked))
        rows, next_cursor = fetch_page(tx, stmt, Visitor.pk, size, after, newest_first=True)
        return Page(items=_records(tx, rows), next_cursor=next_cursor)


def company_visitors(tx: Tx, company_pk: int, limit: int = 20) -> list[VisitorRecord]:
    """The visitors whose contact is linked to the company, last seen first."""
    linked = select(ContactCompany.contact_pk).where(ContactCompany.company_pk == company_pk)
    rows = tx.session.scalars(
        select(Visitor)
        .where(Visitor.contact_pk.in_(linked))
        .order_by(Visitor.last_seen_at.desc(), Visitor.pk.desc())
        .limit(limit)
    )
    return _records(tx, list(rows))


def _records(tx: Tx, visitors: list[Visitor]) -> list[VisitorRecord]:
    contacts = {
        c.pk: c
        for c in tx.session.scalars(
            select(Contact).where(Contact.pk.in_({v.contact_pk for v in visitors if v.contact_pk}))
        )
    }
    active = {v.active_company_pk for v in visitors if v.active_company_pk}
    rows = tx.session.execute(select(Company.pk, Company.id).where(Company.pk.in_(active)))
    companies: dict[int, str] = {pk: company_id for pk, company_id in rows}
    out = []
    for visitor in visitors:
        contact = contacts.get(visitor.contact_pk) if visitor.contact_pk else None
        active_pk = visitor.active_company_pk
        out.append(
            VisitorRecord(
                visitor_id=visitor.visitor_id,
                contact_id=contact.id if contact else None,
                contact_email=contact.email if contact else None,
                contact_name=contact.name if contact else None,
                active_company_id=companies.get(active_pk) if active_pk else None,
                verified=visitor.verified_identity is not None,
                properties=dict(visitor.properties or {}),
                created_at=visitor.created_at,
                last_seen_at=visitor.last_seen_at,
            )
        )
    return out
