"""identify: a visitor becomes a contact linked to companies (API.md, identify rules 1-7)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, bindparam

from halcrm.db.models import Company, Contact, Project, Visitor
from halcrm.db.sql import columns
from halcrm.db.tx import Tx
from halcrm.db.writer import Database
from halcrm.domain import metadata as meta_rules
from halcrm.domain.errors import InvalidRequest, UnknownCompany, VisitorNotIdentified
from halcrm.domain.events import EventKind
from halcrm.domain.identity import normalize_email
from halcrm.domain.stages import Source
from halcrm.services.crm.pipeline import apply_stage
from halcrm.services.crm.placeholders import ensure_placeholder, link, release_placeholders
from halcrm.services.crm.queries import (
    find_company,
    linked_companies,
    load_company,
    lock_company,
)
from halcrm.services.crm.records import StageResult
from halcrm.services.ids import new_id
from halcrm.services.widget.context import (
    upsert_visitor,
    visitor_contact,
    widget_mode,
    widget_project,
)
from halcrm.services.widget.inputs import Identify, IdentifyCompany
from halcrm.services.widget.records import IdentifyResult
from halcrm.services.widget.targeting import target_company


async def identify(db: Database, body: Identify) -> IdentifyResult:
    """Runs the identify rules in one transaction; see API.md for each numbered rule."""
    email = normalize_email(body.email) if body.email else None
    _check_body(body)
    return await db.write(lambda tx: _identify(tx, body, email))


def _check_body(body: Identify) -> None:
    if body.metadata is not None:
        meta_rules.check(body.metadata, field="metadata")
    if body.company is not None:
        if body.company.metadata is not None:
            meta_rules.check(body.company.metadata, field="company.metadata")
        company = body.company
        if not (company.id or company.name or company.stage or company.metadata):
            raise InvalidRequest("company needs at least one of id, name, stage or metadata")


def _identify(tx: Tx, body: Identify, email: str | None) -> IdentifyResult:
    project, verified = widget_project(tx, body)
    mode = widget_mode(project, body.stage_update_mode)
    # Rule 1: the visitor.
    visitor = upsert_visitor(tx, project, body.visitor_id, needs_pk=False)
    # Rule 2: the contact.
    contact, is_new = _contact(tx, project, visitor, email, body.user_id)
    if contact is None:
        if body.company is not None or body.company_ids:
            raise VisitorNotIdentified(
                "linking companies needs an identified visitor: send email or user_id"
            )
        _merge_into_visitor(tx, visitor, body)
        tx.record(project, EventKind.IDENTIFY, Source.WIDGET, f"visitor {visitor.visitor_id} seen")
        return IdentifyResult(
            visitor_id=visitor.visitor_id,
            contact_id=None,
            company_ids=[],
            active_company_id=None,
            verified=verified,
            stage=None,
        )
    if body.name:
        tx.set(contact, name=body.name)
    if body.metadata:
        merged = meta_rules.merge_checked(contact.meta, body.metadata, field="metadata")
        tx.set(contact, meta=merged)
    tx.set(contact, updated_at=tx.now)
    # The contact's companies, kept up to date below rather than read again after each change.
    linked = Linked(tx, contact, [] if is_new else linked_companies(tx, contact))

    # Rule 3 (company_ids): links to existing companies only.
    gained_real = False
    deleted: list[str] = []
    for company_id in body.company_ids or ():
        company = linked.find(company_id) or load_company(
            tx, project, company_id, error=UnknownCompany
        )
        linked.add(company)
        gained_real = gained_real or not company.is_placeholder
    # Rules 3 and 4 (company): the targeted company.
    target: Company | None = None
    if body.company is not None:
        target, real = _company(tx, project, visitor, linked, body.company)
        gained_real = gained_real or real
    # Rules 5 and 6: placeholders.
    if not linked.companies:
        linked.add(ensure_placeholder(tx, project, contact))
    elif gained_real:
        deleted = release_placeholders(tx, contact, keep=target, linked=linked.companies)
    # Rule 7: company metadata and stage.
    stage_result: StageResult | None = None
    if target is not None and body.company is not None:
        if body.company.metadata:
            merged = meta_rules.merge_checked(
                target.meta, body.company.metadata, field="company.metadata"
            )
            tx.set(target, meta=merged, updated_at=tx.now)
        if body.company.stage:
            stage_result = apply_stage(tx, project, target, body.company.stage, mode, Source.WIDGET)

    companies = linked.ordered()
    for company in companies:
        tx.set(company, last_activity_at=tx.now)
    linked_pks = {c.pk for c in companies}
    if visitor.active_company_pk is not None and visitor.active_company_pk not in linked_pks:
        tx.set(visitor, active_company_pk=None)
    active = next((c for c in companies if c.pk == visitor.active_company_pk), None)
    who = contact.email or contact.user_id or contact.id
    tx.record(
        project,
        EventKind.IDENTIFY,
        Source.WIDGET,
        f"{who} identified" + (f" at {target.name}" if target else ""),
        target or (companies[0] if len(companies) == 1 else None),
        data={
            "contact_id": contact.id,
            "company_ids": [c.id for c in companies],
            "deleted_company_ids": deleted,
        },
    )
    return IdentifyResult(
        visitor_id=visitor.visitor_id,
        contact_id=contact.id,
        company_ids=[c.id for c in companies],
        active_company_id=active.id if active else None,
        verified=verified,
        stage=stage_result,
    )


def _contact(
    tx: Tx, project: Project, visitor: Visitor, email: str | None, user_id: str | None
) -> tuple[Contact | None, bool]:
    """Rule 2: finds the contact by email, else by user_id, else creates it; links the visitor.

    Returns:
        The contact, and whether it was created now.
    """
    if email is None and user_id is None:
        return visitor_contact(tx, visitor), False
    contact = None
    is_new = False
    if email is not None:
        contact = _find_contact(tx, project, _BY_EMAIL, email)
    if contact is None and user_id is not None:
        contact = _find_contact(tx, project, _BY_USER_ID, user_id)
    if contact is None:
        is_new = True
        contact = tx.insert(
            Contact,
            id=new_id("ct"),
            project_pk=project.pk,
            email=email,
            user_id=user_id,
            tags=[],
            meta={},
            created_at=tx.now,
            updated_at=tx.now,
        )
    else:
        # Fill in the other identifier when it is new and nobody else holds it.
        if (
            email is not None
            and contact.email is None
            and _find_contact(tx, project, _BY_EMAIL, email) is None
        ):
            tx.set(contact, email=email)
        if (
            user_id is not None
            and contact.user_id is None
            and _find_contact(tx, project, _BY_USER_ID, user_id) is None
        ):
            tx.set(contact, user_id=user_id)
    if visitor.contact_pk != contact.pk:
        # The active company belonged to the previous person on this browser.
        tx.set(visitor, contact_pk=contact.pk, active_company_pk=None)
    return contact, is_new


def _find_contact(tx: Tx, project: Project, stmt: Select[Any], value: str) -> Contact | None:
    return tx.one(Contact, tx.lock(stmt), {"project_pk": project.pk, "value": value})


_BY_EMAIL = columns(Contact).where(
    Contact.project_pk == bindparam("project_pk"), Contact.email == bindparam("value")
)
_BY_USER_ID = columns(Contact).where(
    Contact.project_pk == bindparam("project_pk"), Contact.user_id == bindparam("value")
)


def _company(
    tx: Tx, project: Project, visitor: Visitor, linked: Linked, spec: IdentifyCompany
) -> tuple[Company, bool]:
    """Rules 3 and 4: the company named by ``company.id`` or ``company.name``.

    Returns:
        The targeted company, and whether the contact gained a real (non-placeholder) company.
    """
    if spec.id is not None:
        company = linked.find(spec.id)
        if company is not None:
            company = lock_company(tx, company)
        else:
            company = _company_by_id(tx, project, spec.id, spec.name or spec.id)
            linked.add(company)
        tx.set(visitor, active_company_pk=company.pk)
        return company, not company.is_placeholder
    if spec.name is not None:
        current = linked.companies
        if len(current) == 1 and current[0].is_placeholder:
            company = lock_company(tx, current[0])
            tx.set(
                company,
                name=spec.name,
                is_placeholder=False,
                placeholder_key=None,
                updated_at=tx.now,
            )
        else:
            folded = spec.name.casefold()
            match = next((c for c in current if c.name.casefold() == folded), None)
            if match is None:
                company = _new_company(tx, project, new_id("co"), spec.name)
                linked.add(company)
            else:
                company = lock_company(tx, match)
        tx.set(visitor, active_company_pk=company.pk)
        return company, not company.is_placeholder
    # Only stage or metadata: the company is chosen as for set-stage.
    return target_company(tx, project, visitor, linked.contact, None), False


class Linked:
    """The companies of one contact during an identify, in link order, with links made here."""

    def __init__(self, tx: Tx, contact: Contact, companies: list[Company]) -> None:
        self.tx = tx
        self.contact = contact
        self.companies = companies
        self._before = {c.pk for c in companies}

    def find(self, company_id: str) -> Company | None:
        return next((c for c in self.companies if c.id == company_id), None)

    def add(self, company: Company) -> None:
        if any(c.pk == company.pk for c in self.companies):
            return
        link(self.tx, self.contact, company)
        self.companies.append(company)

    def ordered(self) -> list[Company]:
        """As ``linked_companies`` orders them: links made now (one timestamp) by company pk."""
        old = [c for c in self.companies if c.pk in self._before]
        new = sorted((c for c in self.companies if c.pk not in self._before), key=lambda c: c.pk)
        return old + new


def _company_by_id(tx: Tx, project: Project, company_id: str, name: str) -> Company:
    company = find_company(tx, project, company_id, lock=True)
    if company is None:
        company = _new_company(tx, project, company_id, name)
    return company


def _new_company(tx: Tx, project: Project, company_id: str, name: str) -> Company:
    return tx.insert(
        Company,
        id=company_id,
        project_pk=project.pk,
        name=name,
        meta={},
        created_at=tx.now,
        updated_at=tx.now,
        last_activity_at=tx.now,
    )


def _merge_into_visitor(tx: Tx, visitor: Visitor, body: Identify) -> None:
    """An anonymous identify keeps what it knows on the visitor until a contact exists."""
    patch = dict(body.metadata or {})
    if body.name:
        patch["name"] = body.name
    if patch:
        merged = meta_rules.merge_checked(visitor.properties, patch, field="metadata")
        tx.set(visitor, properties=merged)
