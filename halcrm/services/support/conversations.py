"""Support conversations of a contact (and so of its companies) and their messages, written
inside the caller's transaction (the ``Support`` rules and the widget's chat share them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from msgspec import UNSET
from sqlalchemy import func, select

from halcrm.db.models import Contact, Conversation, Message, Visitor
from halcrm.db.records import CompanyRow
from halcrm.db.tx import ProjectKeys, Tx
from halcrm.domain.errors import InvalidRequest, NotFound
from halcrm.domain.events import EventKind
from halcrm.domain.stages import Source
from halcrm.services.crm.queries import company_ids_by_contact, linked_companies
from halcrm.services.ids import new_id
from halcrm.services.support.schemas import (
    ConversationDetail,
    ConversationPatch,
    ConversationRecord,
    MessageCreate,
    MessageRecord,
)


def open_in(
    tx: Tx,
    project: ProjectKeys,
    contact: Contact | None,
    source: Source,
    *,
    subject: str | None = None,
    status: str = "open",
    snoozed_until: datetime | None = None,
    visitor_pk: int | None = None,
) -> Conversation:
    """Opens a conversation inside the caller's transaction and records its event; a website
    visitor's chat (``visitor_pk``) may have no contact yet."""
    conversation = Conversation(
        id=new_id("cv"),
        project_pk=project.pk,
        contact_pk=contact.pk if contact else None,
        visitor_pk=visitor_pk,
        subject=subject,
        status=status,
        snoozed_until=snoozed_until,
        created_at=tx.now,
        updated_at=tx.now,
    )
    tx.session.add(conversation)
    tx.session.flush()
    companies = _touch_companies(tx, contact)
    what = f" ({subject})" if subject else ""
    data = _data(conversation, contact, action="opened")
    visitor_id = _visitor_id(tx, conversation)
    if visitor_id is not None:
        data["visitor_id"] = visitor_id
    tx.record(
        project,
        EventKind.CONVERSATION,
        source.value,
        f"conversation with {_who(tx, conversation, contact)} opened{what}",
        companies[0] if companies else None,
        data=data,
        conversation_id=conversation.id,
        company_ids=[c.id for c in companies],
    )
    return conversation


def update_in(
    tx: Tx, project: ProjectKeys, conversation_id: str, patch: ConversationPatch, source: Source
) -> ConversationDetail:
    """Changes the subject or the status; leaving ``snoozed`` clears ``snoozed_until``."""
    conversation = get_conversation(tx, project, conversation_id, lock=True)
    status = conversation.status if patch.status is UNSET else patch.status
    until = conversation.snoozed_until if patch.snoozed_until is UNSET else patch.snoozed_until
    if patch.snoozed_until not in (UNSET, None) and status != "snoozed":
        raise InvalidRequest("snoozed_until needs status snoozed", field="snoozed_until")
    if status != "snoozed":
        until = None
    changed = []
    for field, value in (
        ("subject", patch.subject),
        ("status", status),
        ("snoozed_until", until),
    ):
        if value is not UNSET and getattr(conversation, field) != value:
            setattr(conversation, field, value)
            changed.append(field)
    if changed:
        conversation.updated_at = tx.now
        contact = contact_of(tx, conversation)
        companies = _touch_companies(tx, contact)
        tx.record(
            project,
            EventKind.CONVERSATION,
            source.value,
            f"conversation with {_who(tx, conversation, contact)} "
            f"{_verb(conversation.status, changed)}",
            companies[0] if companies else None,
            data={
                **_data(conversation, contact, action="updated"),
                "fields": changed,
            },
            conversation_id=conversation.id,
            company_ids=[c.id for c in companies],
        )
    return conversation_detail(tx, conversation)


def add_message_in(
    tx: Tx,
    project: ProjectKeys,
    conversation: Conversation,
    contact: Contact | None,
    body: MessageCreate,
    source: Source,
) -> MessageRecord:
    """Adds a message inside the caller's transaction and records its ``message`` event.

    A website chat's event carries the visitor id and the whole body, so the visitor's own
    stream (server/chat_streams.py) can deliver a reply without reading the database again.
    """
    message = Message(
        id=new_id("msg"),
        conversation_pk=conversation.pk,
        author=body.author,
        body=body.body,
        created_at=tx.now,
    )
    tx.session.add(message)
    # As in Intercom: a customer's reply brings a parked conversation back to the inbox.
    if body.author == "contact" and conversation.status != "open":
        conversation.status = "open"
        conversation.snoozed_until = None
    conversation.last_message_at = conversation.updated_at = tx.now
    tx.session.flush()
    companies = _touch_companies(tx, contact)
    who = _who(tx, conversation, contact) if body.author == "contact" else "agent"
    data = {
        **_data(conversation, contact, action="message"),
        "message_id": message.id,
        "author": body.author,
    }
    visitor_id = _visitor_id(tx, conversation)
    if visitor_id is not None:
        data.update(visitor_id=visitor_id, body=body.body, created_at=_iso(tx.now))
    tx.record(
        project,
        EventKind.MESSAGE,
        source.value,
        f"{who}: {body.body[:120]}",
        companies[0] if companies else None,
        data=data,
        conversation_id=conversation.id,
        company_ids=[c.id for c in companies],
    )
    return _message_record(message, conversation)


def get_conversation(
    tx: Tx, project: ProjectKeys, conversation_id: str, *, lock: bool = False
) -> Conversation:
    stmt = select(Conversation).where(
        Conversation.project_pk == project.pk, Conversation.id == conversation_id
    )
    conversation = tx.session.scalar(tx.locking(stmt) if lock else stmt)
    if conversation is None:
        raise NotFound(f"no conversation with id {conversation_id!r}")
    return conversation


def contact_of(tx: Tx, conversation: Conversation) -> Contact | None:
    """The conversation's contact; None for an anonymous visitor's chat."""
    if conversation.contact_pk is None:
        return None
    return tx.session.scalar(select(Contact).where(Contact.pk == conversation.contact_pk))


def _visitor_id(tx: Tx, conversation: Conversation) -> str | None:
    if conversation.visitor_pk is None:
        return None
    return tx.session.scalar(
        select(Visitor.visitor_id).where(Visitor.pk == conversation.visitor_pk)
    )


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def _touch_companies(tx: Tx, contact: Contact | None) -> list[CompanyRow]:
    """A conversation is activity for every company of its contact (it keeps them un-stalled)."""
    if contact is None:
        return []
    companies = linked_companies(tx, contact.pk)
    for company in companies:
        tx.update(CompanyRow, company.pk, last_activity_at=tx.now)
    return companies


def _who(tx: Tx, conversation: Conversation, contact: Contact | None) -> str:
    if contact is None:
        return f"visitor {_visitor_id(tx, conversation) or '?'}"
    return contact.email or contact.name or contact.user_id or contact.id


def _verb(status: str, changed: list[str]) -> str:
    if "status" in changed:
        return {"open": "reopened", "snoozed": "snoozed", "resolved": "resolved"}[status]
    return "edited"


def _data(conversation: Conversation, contact: Contact | None, *, action: str) -> dict[str, object]:
    return {
        "action": action,
        "contact_id": contact.id if contact else None,
        "status": conversation.status,
    }


def _message_record(message: Message, conversation: Conversation) -> MessageRecord:
    return MessageRecord(
        id=message.id,
        conversation_id=conversation.id,
        author=message.author,
        body=message.body,
        created_at=message.created_at,
    )


def conversation_records(tx: Tx, rows: Sequence[Conversation]) -> list[ConversationRecord]:
    if not rows:
        return []
    pks = [r.pk for r in rows]
    counts = dict(
        (
            tx.session.execute(
                select(Message.conversation_pk, func.count())
                .where(Message.conversation_pk.in_(pks))
                .group_by(Message.conversation_pk)
            )
        ).all()
    )
    contact_pks = sorted({r.contact_pk for r in rows if r.contact_pk is not None})
    contact_ids: dict[int | None, str] = dict(
        (
            tx.session.execute(select(Contact.pk, Contact.id).where(Contact.pk.in_(contact_pks)))
        ).all()
    )
    visitor_pks = sorted({r.visitor_pk for r in rows if r.visitor_pk is not None})
    visitor_ids: dict[int | None, str] = dict(
        tx.session.execute(
            select(Visitor.pk, Visitor.visitor_id).where(Visitor.pk.in_(visitor_pks))
        ).all()
    )
    companies = company_ids_by_contact(tx, contact_pks)
    return [
        ConversationRecord(
            id=r.id,
            contact_id=contact_ids.get(r.contact_pk),
            visitor_id=visitor_ids.get(r.visitor_pk),
            company_ids=companies.get(r.contact_pk, []) if r.contact_pk is not None else [],
            subject=r.subject,
            status=r.status,
            snoozed_until=r.snoozed_until,
            message_count=counts.get(r.pk, 0),
            created_at=r.created_at,
            updated_at=r.updated_at,
            last_message_at=r.last_message_at,
        )
        for r in rows
    ]


def conversation_detail(tx: Tx, conversation: Conversation) -> ConversationDetail:
    (record,) = conversation_records(tx, [conversation])
    messages = tx.session.scalars(
        select(Message).where(Message.conversation_pk == conversation.pk).order_by(Message.pk)
    )
    fields = {name: getattr(record, name) for name in record.__struct_fields__}
    return ConversationDetail(
        **fields, messages=[_message_record(m, conversation) for m in messages]
    )
