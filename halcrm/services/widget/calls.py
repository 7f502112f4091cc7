"""The widget's other calls: set-properties, track, set-stage and set-deal."""

from __future__ import annotations

import msgspec

from halcrm.db.models import Event
from halcrm.db.records import CompanyRow, ContactRow
from halcrm.db.tx import Tx
from halcrm.db.writer import Database
from halcrm.domain import metadata as meta_rules
from halcrm.domain.errors import VisitorNotIdentified
from halcrm.domain.events import EventKind
from halcrm.domain.money import from_cents, to_cents
from halcrm.domain.stages import Source
from halcrm.services.crm.pipeline import apply_stage
from halcrm.services.crm.queries import linked_companies
from halcrm.services.crm.records import StageResult
from halcrm.services.ids import new_id
from halcrm.services.widget.context import (
    identified_visitor,
    open_call,
    save_visitor,
    visitor_contact,
    widget_mode,
)
from halcrm.services.widget.inputs import SetDeal, SetProperties, SetStage, Track
from halcrm.services.widget.records import DealResult, PropertiesResult, TrackResult
from halcrm.services.widget.targeting import explicit_company, target_company


async def set_properties(db: Database, body: SetProperties) -> PropertiesResult:
    """Merges properties into the visitor and its contact; never touches a company."""
    meta_rules.check(body.properties, field="properties")

    def work(tx: Tx) -> PropertiesResult:
        project, found = open_call(tx, body)
        properties = found.properties if found else {}
        merged = meta_rules.merge_checked(properties, body.properties, field="properties")
        visitor = save_visitor(tx, project, found, body.visitor_id, properties=merged)
        contact = visitor_contact(tx, visitor)
        if contact is not None:
            meta = meta_rules.merge_checked(contact.meta, body.properties, field="properties")
            tx.update(ContactRow, contact.pk, meta=meta, updated_at=tx.now)
        tx.record(
            project,
            EventKind.PROPERTIES,
            Source.WIDGET,
            f"visitor {visitor.visitor_id} set {', '.join(sorted(body.properties))[:200]}",
            data={"visitor_id": visitor.visitor_id, "keys": sorted(body.properties)},
        )
        return PropertiesResult(
            visitor_id=visitor.visitor_id, contact_id=contact.id if contact else None
        )

    return await db.write(work)


async def track(db: Database, body: Track) -> TrackResult:
    """Stores a visitor event, or a company event when ``company_id`` names a linked company."""

    def work(tx: Tx) -> TrackResult:
        project, found = open_call(tx, body)
        visitor = save_visitor(tx, project, found, body.visitor_id)
        contact = visitor_contact(tx, visitor)
        company = None
        if body.company_id is not None:
            if contact is None:
                raise VisitorNotIdentified(
                    f"visitor {body.visitor_id!r} is not identified: company events need a contact"
                )
            company = explicit_company(tx, project, contact, body.company_id)
            tx.update(CompanyRow, company.pk, last_activity_at=tx.now)
        elif contact is not None:
            # A person's product milestone is activity for every company they belong to.
            for linked in linked_companies(tx, contact.pk):
                tx.update(CompanyRow, linked.pk, last_activity_at=tx.now)
        event_id = new_id("ev")
        tx.add(
            Event,
            id=event_id,
            project_pk=project.pk,
            name=body.name,
            value=body.value,
            visitor_pk=visitor.pk,
            contact_pk=contact.pk if contact else None,
            company_pk=company.pk if company else None,
            created_at=tx.now,
        )
        where = f" at {company.name}" if company else ""
        tx.record(
            project,
            EventKind.TRACK,
            Source.WIDGET,
            f"{body.name}{where}",
            company,
            data={"event_id": event_id, "name": body.name, "value": body.value},
        )
        return TrackResult(event_id=event_id, company_id=company.id if company else None)

    return await db.write(work)


async def set_stage(db: Database, body: SetStage) -> StageResult:
    """A widget stage signal, under the project's mode unless the body overrides it."""

    def work(tx: Tx) -> StageResult:
        project, found = open_call(tx, body)
        visitor, contact = identified_visitor(tx, found, body.visitor_id)
        company = target_company(tx, project, visitor, contact, body.company_id)
        mode = widget_mode(project, body.stage_update_mode)
        return apply_stage(tx, project, company, body.stage, mode, Source.WIDGET)

    return await db.write(work)


async def set_deal(db: Database, body: SetDeal) -> DealResult:
    """Sets the targeted company's deal value, and its stage when one is given."""
    cents = to_cents(body.deal_value)

    def work(tx: Tx) -> DealResult:
        project, found = open_call(tx, body)
        visitor, contact = identified_visitor(tx, found, body.visitor_id)
        company = target_company(tx, project, visitor, contact, body.company_id)
        mode = widget_mode(project, body.stage_update_mode)
        previous = company.deal_value_cents
        deal = {"deal_value_cents": cents, "updated_at": tx.now, "last_activity_at": tx.now}
        tx.record(
            project,
            EventKind.DEAL_VALUE,
            Source.WIDGET,
            f"{company.name} deal value {from_cents(cents)}",
            company,
            data={"previous": from_cents(previous), "deal_value": from_cents(cents)},
        )
        if body.stage is not None:
            stage = apply_stage(tx, project, company, body.stage, mode, Source.WIDGET, also=deal)
            return DealResult(**msgspec.structs.asdict(stage), deal_value=from_cents(cents))
        tx.update(CompanyRow, company.pk, **deal)
        now_in = tx.snapshot(project.id).by_pk.get(company.stage_pk) if company.stage_pk else None
        current = now_in.name if now_in else None
        return DealResult(
            company_id=company.id,
            stage=current,
            previous_stage=current,
            requested_stage=None,
            mode=mode.value,
            applied=False,
            reason=None,
            deal_value=from_cents(cents),
        )

    return await db.write(work)
