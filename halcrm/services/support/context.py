"""Support context for the board: conversations as the company view and the inbox list them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from halcrm.db.models import Company, Contact, ContactCompany, Conversation, Message
from halcrm.db.tx import Tx
from halcrm.services.support.schemas import PREVIEW, CompanyConversation


def company_names(tx: Tx, contact_pks: list[int]) -> dict[int, list[str]]:
    """Contact pk -> the names of its companies, alphabetically."""
    names: dict[int, list[str]] = {}
    if not contact_pks:
        return names
    rows = tx.session.execute(
        select(ContactCompany.contact_pk, Company.name)
        .join(Company, Company.pk == ContactCompany.company_pk)
        .where(ContactCompany.contact_pk.in_(set(contact_pks)))
        .order_by(Company.name)
    )
    for pk, name in rows:
        names.setdefault(pk, []).append(name)
    return names


def last_messages() -> Any:
    """Per conversation: its last message's pk and its message count (a subquery)."""
    return (
        select(
            Message.conversation_pk,
            func.max(Message.pk).label("pk"),
            func.count().label("n"),
        )
        .group_by(Message.conversation_pk)
        .subquery()
    )


def conversation_row(
    conversation: Conversation,
    contact: Contact | None,
    message: Message | None,
    count: int,
    visitor_id: str | None = None,
    companies: list[str] | None = None,
) -> CompanyConversation:
    waiting = (
        message.created_at
        if message is not None and message.author == "contact" and conversation.status == "open"
        else None
    )
    return CompanyConversation(
        id=conversation.id,
        contact_id=contact.id if contact else None,
        contact_name=(
            (contact.name or contact.email or contact.id) if contact else f"visitor {visitor_id}"
        ),
        subject=conversation.subject,
        status=conversation.status,
        snoozed_until=conversation.snoozed_until,
        message_count=count,
        last_message_at=conversation.last_message_at,
        last_author=message.author if message else None,
        last_body=message.body[:PREVIEW] if message else None,
        waiting_since=waiting,
        companies=companies or [],
    )
