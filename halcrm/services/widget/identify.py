"""identify: a visitor becomes a contact linked to companies (API.md, identify rules 1-9).

Rows are read once as records and each is written once, with the values the rules settle on:
the contact and the visitor when the call's work is done, a company with its stage write.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Select, bindparam

from halcrm.db.models import Contact
from halcrm.db.records import CompanyRow, ContactRow, ProjectRow, VisitorRow, select_of
from halcrm.db.tx import Tx
from halcrm.domain import metadata as meta_rules
from halcrm.domain.errors import InvalidRequest, UnknownCompany, VisitorNotIdentified
from halcrm.domain.events import EventKind
from halcrm.domain.identity import normalize_email
from halcrm.domain.stages import Source
from halcrm.services.crm.pipeline import apply_stage
from halcrm.services.crm.placeholders import (
    company_for_new_contact,
    ensure_placeholder,
    release_placeholders,
)
from halcrm.services.crm.queries import find_company_ahead, linked_companies, load_company
from halcrm.services.crm.records import StageResult
from halcrm.services.ids import new_id
from halcrm.services.widget.chat import attach_visitor_chats
from halcrm.services.widget.companies import Linked, target_for
from halcrm.services.widget.context import (
    project_and_visitor,
    visitor_contact,
    widget_mode,
    write_visitor,
)
from halcrm.services.widget.inputs import Identify
from halcrm.services.widget.records import IdentifyResult
from halcrm.services.widget.verification import (
    Proof,
    check_claim,
    check_company,
    check_identify,
    choose_contact,
)


def check_body(body: Identify) -> str | None:
    """What identify checks before a transaction is asked for: the metadata's limits and the
    company's shape; answers the normalised email."""
    email = normalize_email(body.email) if body.email else None
    if body.metadata is not None:
        meta_rules.check(body.metadata, field="metadata")
    if body.company is not None:
        if body.company.metadata is not None:
            meta_rules.check(body.company.metadata, field="company.metadata")
        company = body.company
        if not (company.id or company.name or company.stage or company.metadata):
            raise InvalidRequest("company needs at least one of id, name, stage or metadata")
    return email


@dataclass
class _Call:
    """One identify as it goes: what it read, and what the visitor row will hold."""

    tx: Tx
    body: Identify
    project: ProjectRow
    visitor: VisitorRow | None
    proof: Proof | None
    visitor_values: dict[str, Any] = field(default_factory=dict)


def identify_in(tx: Tx, body: Identify, email: str | None) -> IdentifyResult:
    """Runs the identify rules in the caller's transaction (API.md, rules 1-9); ``email`` as
    ``check_body`` normalised it."""
    project, found = project_and_visitor(tx, body, lambda p: _send_ahead(tx, body, email, p))
    proof = check_identify(project, body, email, found, tx.now)
    call = _Call(tx, body, project, found, proof)
    if proof is not None:
        call.visitor_values["verified_identity"] = proof.value
    # Rules 1 and 2: the visitor and its contact.
    contact, is_new = _contact(call, email)
    if contact is None:
        return _anonymous(call)
    linked = Linked(tx, contact.pk, [] if is_new else linked_companies(tx, contact.pk))

    # Rule 3 (company_ids): links to existing companies only.
    gained_real = False
    hashes = body.company_hashes or []
    for index, company_id in enumerate(body.company_ids or ()):
        company = linked.find(company_id)
        if company is None:
            company = load_company(tx, project, company_id, error=UnknownCompany)
            given = hashes[index] if index < len(hashes) else None
            check_company(tx, project, company, contact.pk, given)
        linked.add(company)
        gained_real = gained_real or not company.is_placeholder
    # Rules 3 and 4 (company): the targeted company.
    target: CompanyRow | None = None
    if body.company is not None:
        active = call.visitor_values.get("active_company_pk", _active(call))
        target, real, make_active = target_for(tx, project, linked, body.company, active)
        gained_real = gained_real or real
        if make_active:
            call.visitor_values["active_company_pk"] = target.pk
    # Rules 5, 6 and 9: placeholders, or the company of the email's domain.
    deleted: list[str] = []
    if not linked.companies:
        place = company_for_new_contact if is_new else ensure_placeholder
        linked.add(place(tx, project, contact), created=True)
    elif gained_real:
        keep = target.pk if target else None
        deleted = release_placeholders(tx, contact.pk, keep_pk=keep, linked=linked.companies)
    # Rule 7: company metadata and stage; every linked company saw activity now.
    stage_result = _write_companies(call, linked, target)
    return _finish(call, contact, linked, target, deleted, stage_result, is_new)


def _send_ahead(tx: Tx, body: Identify, email: str | None, project: ProjectRow) -> None:
    """PostgreSQL: the reads most identifies make, sent with the visitor's (``Tx.ahead``):
    the contacts by email and user_id, and the company named by id. None of them depends on
    what the call writes before it reads them (the contacts are read first; the company is
    written only after it is read)."""
    if email:
        tx.ahead(tx.lock(_BY_EMAIL), {"project_pk": project.pk, "value": email})
    if body.user_id:
        tx.ahead(tx.lock(_BY_USER_ID), {"project_pk": project.pk, "value": body.user_id})
    if body.company is not None and body.company.id is not None:
        find_company_ahead(tx, project, body.company.id)


def _active(call: _Call) -> int | None:
    return call.visitor.active_company_pk if call.visitor else None


def _anonymous(call: _Call) -> IdentifyResult:
    """No email or user_id and no contact yet: what is known stays on the visitor."""
    body, tx = call.body, call.tx
    if body.company is not None or body.company_ids:
        raise VisitorNotIdentified(
            "linking companies needs an identified visitor: send email or user_id"
        )
    patch = dict(body.metadata or {})
    if body.name:
        patch["name"] = body.name
    if patch:
        properties = call.visitor.properties if call.visitor else {}
        merged = meta_rules.merge_checked(properties, patch, field="metadata")
        call.visitor_values["properties"] = merged
    write_visitor(tx, call.project, call.visitor, body.visitor_id, **call.visitor_values)
    tx.record(call.project, EventKind.IDENTIFY, Source.WIDGET, f"visitor {body.visitor_id} seen")
    return IdentifyResult(
        visitor_id=body.visitor_id,
        contact_id=None,
        company_ids=[],
        active_company_id=None,
        verified=call.proof is not None,
        stage=None,
    )


def _contact(call: _Call, email: str | None) -> tuple[ContactRow | None, bool]:
    """Rule 2: the contact by email, else by user_id, else a new one, written once with what
    the call brings (rule 8: the visitor's earlier properties, then the call's metadata).

    Returns:
        The contact, and whether it was created now.
    """
    tx, body, project, visitor = call.tx, call.body, call.project, call.visitor
    user_id = body.user_id
    if email is None and user_id is None:
        contact = visitor_contact(tx, visitor)
        check_claim(tx, project, body, call.proof, contact, visitor)
        if contact is not None:
            contact = _update_contact(call, contact, {}, links=False)
        return contact, False
    by_email = _find_contact(tx, project, _BY_EMAIL, email) if email else None
    by_user = _find_contact(tx, project, _BY_USER_ID, user_id) if user_id else None
    chosen = choose_contact(project, call.proof, by_email, by_user)
    contact = chosen.contact
    check_claim(tx, project, body, call.proof, contact, visitor)
    links = visitor is None or visitor.contact_pk != (contact.pk if contact else None)
    if contact is None:
        # A new contact is never the one the visitor holds: it is linked now (an anonymous
        # visitor seen before this identify must not stay unlinked).
        links = True
        meta = _merged_meta(call, {}, links=True)
        contact = tx.insert(
            ContactRow,
            id=new_id("ct"),
            project_pk=project.pk,
            email=email,
            user_id=user_id,
            name=body.name,
            tags=[],
            meta=meta,
            created_at=tx.now,
            updated_at=tx.now,
        )
        is_new = True
    else:
        # Fill in the other identifier when it is new and nobody else holds it.
        fill: dict[str, Any] = {}
        if email is not None and chosen.fill_email:
            fill["email"] = email
        if user_id is not None and chosen.fill_user_id:
            fill["user_id"] = user_id
        contact = _update_contact(call, contact, fill, links=links)
        is_new = False
    if links:
        # The active company belonged to the previous person on this browser.
        call.visitor_values.update(contact_pk=contact.pk, active_company_pk=None)
    return contact, is_new


def _update_contact(
    call: _Call, contact: ContactRow, fill: dict[str, Any], *, links: bool
) -> ContactRow:
    values = dict(fill)
    if call.body.name:
        values["name"] = call.body.name
    meta = _merged_meta(call, contact.meta, links=links)
    if meta != contact.meta:
        values["meta"] = meta
    call.tx.update(ContactRow, contact.pk, **values, updated_at=call.tx.now)
    return replace(contact, **values)


def _merged_meta(call: _Call, meta: dict[str, Any], *, links: bool) -> dict[str, Any]:
    """Rule 8 (when this call links the visitor: its properties, the contact's keys winning),
    then the call's own ``metadata`` on top (rule 2)."""
    visitor = call.visitor
    if links and visitor is not None and visitor.properties:
        meta = {**visitor.properties, **meta}
    if call.body.metadata:
        meta = meta_rules.merge_checked(meta, call.body.metadata, field="metadata")
    return meta


def _find_contact(tx: Tx, project: ProjectRow, stmt: Select[Any], value: str) -> ContactRow | None:
    return tx.one(ContactRow, tx.lock(stmt), {"project_pk": project.pk, "value": value})


_BY_EMAIL = select_of(ContactRow).where(
    Contact.project_pk == bindparam("project_pk"), Contact.email == bindparam("value")
)
_BY_USER_ID = select_of(ContactRow).where(
    Contact.project_pk == bindparam("project_pk"), Contact.user_id == bindparam("value")
)


def _write_companies(call: _Call, linked: Linked, target: CompanyRow | None) -> StageResult | None:
    """Rule 7 on the target (metadata, stage), and ``last_activity_at`` on every company."""
    tx, project, spec = call.tx, call.project, call.body.company
    result: StageResult | None = None
    done: set[int] = set(linked.created)
    if target is not None and spec is not None:
        values: dict[str, Any] = {"last_activity_at": tx.now}
        if spec.metadata:
            values["meta"] = meta_rules.merge_checked(
                target.meta, spec.metadata, field="company.metadata"
            )
            values["updated_at"] = tx.now
        if spec.stage:
            mode = widget_mode(project, call.body.stage_update_mode)
            result = apply_stage(
                tx, project, target, spec.stage, mode, Source.WIDGET, also=values, unknown_ok=True
            )
        elif target.pk not in done or len(values) > 1:
            tx.update(CompanyRow, target.pk, **values)
        done.add(target.pk)
    for company in linked.companies:
        if company.pk not in done:
            tx.update(CompanyRow, company.pk, last_activity_at=tx.now)
    return result


def _finish(
    call: _Call,
    contact: ContactRow,
    linked: Linked,
    target: CompanyRow | None,
    deleted: list[str],
    stage_result: StageResult | None,
    is_new: bool,
) -> IdentifyResult:
    tx, project, body = call.tx, call.project, call.body
    companies = linked.ordered()
    pks = {c.pk for c in companies}
    active_pk = call.visitor_values.get("active_company_pk", _active(call))
    if active_pk is not None and active_pk not in pks:
        active_pk = call.visitor_values["active_company_pk"] = None
    write_visitor(tx, project, call.visitor, body.visitor_id, **call.visitor_values)
    if "contact_pk" in call.visitor_values and call.visitor is not None:
        # The chats the visitor wrote before it was known become this contact's (a new visitor
        # row has none, so that UPDATE is skipped on the hot path of first identifies).
        attach_visitor_chats(tx, call.visitor.pk, contact.pk)
    active = next((c for c in companies if c.pk == active_pk), None)
    who = contact.email or contact.user_id or contact.id
    tx.record(
        project,
        EventKind.IDENTIFY,
        Source.WIDGET,
        f"{who} identified" + (f" at {target.name}" if target else ""),
        target or (companies[0] if len(companies) == 1 else None),
        data={
            "contact_id": contact.id,
            # The webhooks' visitor.identified and contact.created (an identify's new contact).
            "visitor_id": body.visitor_id,
            "contact_created": is_new,
        },
        company_ids=[c.id for c in companies],
        deleted_company_ids=deleted,
    )
    return IdentifyResult(
        visitor_id=body.visitor_id,
        contact_id=contact.id,
        company_ids=[c.id for c in companies],
        active_company_id=active.id if active else None,
        verified=call.proof is not None,
        stage=stage_result,
    )
