"""The contract's event types, and what each domain event becomes (API.md, "Webhooks").

``candidates`` answers, without touching the database, which types an event may become; only
when an enabled endpoint wants one of them does ``data_for`` build its data (a few lookups).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select

from halcrm.db.tables import contacts, messages
from halcrm.db.tx import ProjectKeys, Tx
from halcrm.domain.events import DomainEvent, EventKind
from halcrm.services.webhooks.types import (
    COMPANY_CREATED,
    COMPANY_DELETED,
    COMPANY_UPDATED,
    CONTACT_CREATED,
    DEAL_VALUE,
    MESSAGE_CREATED,
    STAGE_CHANGED,
    TASK_COMPLETED,
    TASK_CREATED,
    TASK_OVERDUE,
    VISITOR_IDENTIFIED,
)

# By the kind's value: task kinds come with the tasks area (EventKind gains them there).
_BY_KIND: dict[str, tuple[str, ...]] = {
    EventKind.COMPANY_CREATED.value: (COMPANY_CREATED,),
    EventKind.COMPANY_UPDATED.value: (COMPANY_UPDATED,),
    EventKind.COMPANY_DELETED.value: (COMPANY_DELETED,),
    EventKind.STAGE_CHANGE.value: (STAGE_CHANGED,),
    EventKind.DEAL_VALUE.value: (DEAL_VALUE,),
    EventKind.CONTACT_CREATED.value: (CONTACT_CREATED,),
    EventKind.IDENTIFY.value: (CONTACT_CREATED, VISITOR_IDENTIFIED),
    EventKind.MESSAGE.value: (MESSAGE_CREATED,),
    "task_created": (TASK_CREATED,),
    "task_done": (TASK_COMPLETED,),
    "task_overdue": (TASK_OVERDUE,),
}
_NONE: tuple[str, ...] = ()
_EMAIL: Any = select(contacts.c.email).where(contacts.c.id == bindparam("id"))
_NAME: Any = select(contacts.c.name, contacts.c.email).where(contacts.c.id == bindparam("id"))
_BODY: Any = select(messages.c.body).where(messages.c.id == bindparam("id"))
# The website's side of a chat is the visitor, whatever the stored author calls it.
AUTHORS = {"contact": "visitor", "visitor": "visitor", "agent": "agent"}


def candidates(event: DomainEvent) -> tuple[str, ...]:
    return _BY_KIND.get(event.kind.value, _NONE)


def _company(event: DomainEvent) -> dict[str, Any]:
    return {"company_id": event.company_id, "company_name": event.company_name}


def data_for(tx: Tx, project: ProjectKeys, event: DomainEvent, kind: str) -> dict[str, Any] | None:
    """The data of ``kind`` for ``event``, or ``None`` when the event is not one of it."""
    data = event.data
    if kind in (COMPANY_CREATED, COMPANY_DELETED):
        return {**_company(event), "source": event.source}
    if kind == COMPANY_UPDATED:
        return {**_company(event), "fields": data.get("fields", []), "source": event.source}
    if kind == STAGE_CHANGED:
        return _stage_changed(tx, project, event) if data.get("applied") else None
    if kind == DEAL_VALUE:
        return {
            "company_id": event.company_id,
            "company_name": event.company_name,
            "previous_value": data.get("previous"),
            "value": data.get("deal_value"),
        }
    if kind == CONTACT_CREATED:
        return _contact_created(tx, event)
    if kind == VISITOR_IDENTIFIED:
        if not data.get("contact_id"):
            return None
        return {
            "visitor_id": data.get("visitor_id"),
            "contact_id": data["contact_id"],
            "company_ids": list(event.company_ids or ()),
        }
    if kind == MESSAGE_CREATED:
        return _message(tx, event)
    return {**event.wire_data(), **_company(event)}  # the tasks' events: their data as sent


def _stage_changed(tx: Tx, project: ProjectKeys, event: DomainEvent) -> dict[str, Any]:
    data = event.data
    stage = data.get("stage")
    stage_id = next((s.id for s in tx.stages(project) if s.name == stage), None)
    return {
        **_company(event),
        "previous_stage": data.get("previous_stage"),
        "stage": stage,
        "stage_id": stage_id,
        "source": event.source,
        "mode": data.get("mode"),
    }


def _contact_created(tx: Tx, event: DomainEvent) -> dict[str, Any] | None:
    data = event.data
    if event.kind is EventKind.IDENTIFY and not data.get("contact_created"):
        return None
    contact_id = data.get("contact_id")
    if not contact_id:
        return None
    row = tx.first(_EMAIL, {"id": contact_id})
    return {"contact_id": contact_id, "email": row[0] if row else None}


def _message(tx: Tx, event: DomainEvent) -> dict[str, Any]:
    data = event.data
    body = data.get("body")
    if body is None and data.get("message_id"):
        row = tx.first(_BODY, {"id": data["message_id"]})
        body = row[0] if row else None
    who = tx.first(_NAME, {"id": data["contact_id"]}) if data.get("contact_id") else None
    return {
        "conversation_id": event.conversation_id,
        "message_id": data.get("message_id"),
        "author": AUTHORS.get(str(data.get("author")), str(data.get("author"))),
        "body": body,
        "contact_id": data.get("contact_id"),
        "visitor_id": data.get("visitor_id"),
        "company_ids": list(event.company_ids or ()),
        "company_name": event.company_name,
        "contact_name": (who[0] or who[1]) if who else None,
    }
