"""A company's conversations and messages as lines of its history (through its contacts)."""

from __future__ import annotations

from sqlalchemy import select

from halcrm.db.models import Company, Contact, ContactCompany, Conversation, Message
from halcrm.db.tx import Tx
from halcrm.services.crm.records import HistoryItem


def conversation_items(tx: Tx, company: Company, limit: int) -> list[HistoryItem]:
    """Conversations of the company's contacts and their messages, newest first."""
    of_company = (
        select(Conversation, Contact.id)
        .join(Contact, Contact.pk == Conversation.contact_pk)
        .join(ContactCompany, ContactCompany.contact_pk == Conversation.contact_pk)
        .where(ContactCompany.company_pk == company.pk)
    )
    conversations = tx.session.execute(of_company.order_by(Conversation.pk.desc()).limit(limit))
    items = [
        HistoryItem(
            type="conversation",
            id=c.id,
            at=c.created_at,
            contact_id=contact_id,
            conversation_id=c.id,
            subject=c.subject,
            status=c.status,
        )
        for c, contact_id in conversations
    ]
    messages = tx.session.execute(
        select(Message, Conversation.id, Contact.id)
        .join(Conversation, Conversation.pk == Message.conversation_pk)
        .join(Contact, Contact.pk == Conversation.contact_pk)
        .join(ContactCompany, ContactCompany.contact_pk == Conversation.contact_pk)
        .where(ContactCompany.company_pk == company.pk)
        .order_by(Message.pk.desc())
        .limit(limit)
    )
    items += [
        HistoryItem(
            type="message",
            id=m.id,
            at=m.created_at,
            contact_id=contact_id,
            conversation_id=conversation_id,
            author=m.author,
            body=m.body,
        )
        for m, conversation_id, contact_id in messages
    ]
    return items
