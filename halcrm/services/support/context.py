"""Support context for the board: a company's conversations (through its contacts), newest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from halcrm.db.models import Company, Contact, ContactCompany, Conversation, Message, Visitor
from halcrm.db.tx import Tx
from halcrm.db.writer import Database
from halcrm.services.crm.queries import get_company
from halcrm.services.support.schemas import PREVIEW, CompanyConversation


async def company_conversations(
    db: Database, project_id: str, company_id: str
) -> list[CompanyConversation]:
    """The conversations of every contact linked to the company, open ones first."""

    def work(tx: Tx) -> list[CompanyConversation]:
        project = tx.project(project_id)
        company = get_company(tx, project, company_id)
        last = (
            select(
                Message.conversation_pk,
                func.max(Message.pk).label("pk"),
                func.count().label("n"),
            )
            .group_by(Message.conversation_pk)
            .subquery()
        )
        rows = tx.session.execute(
            select(Conversation, Contact, Message, func.coalesce(last.c.n, 0))
            .join(ContactCompany, ContactCompany.contact_pk == Conversation.contact_pk)
            .join(Contact, Contact.pk == Conversation.contact_pk)
            .outerjoin(last, last.c.conversation_pk == Conversation.pk)
            .outerjoin(Message, Message.pk == last.c.pk)
            .where(ContactCompany.company_pk == company.pk)
            .order_by(Conversation.updated_at.desc(), Conversation.pk.desc())
        )
        out = [_row(c, contact, message, int(n)) for c, contact, message, n in rows]
        return sorted(out, key=lambda c: c.status != "open")

    return await db.read(work)


async def open_conversations(
    db: Database, project_id: str, limit: int = 200
) -> list[CompanyConversation]:
    """The board's inbox: every open conversation, website chats of anonymous visitors too,
    the ones waiting for a reply first (longest wait first), then the latest."""

    def work(tx: Tx) -> list[CompanyConversation]:
        project = tx.project(project_id)
        last = _last_messages()
        rows = tx.session.execute(
            select(Conversation, Contact, Message, func.coalesce(last.c.n, 0), Visitor.visitor_id)
            .outerjoin(Contact, Contact.pk == Conversation.contact_pk)
            .outerjoin(Visitor, Visitor.pk == Conversation.visitor_pk)
            .outerjoin(last, last.c.conversation_pk == Conversation.pk)
            .outerjoin(Message, Message.pk == last.c.pk)
            .where(Conversation.project_pk == project.pk, Conversation.status == "open")
            .order_by(Conversation.updated_at.desc(), Conversation.pk.desc())
            .limit(limit)
        )
        found = list(rows)
        names = _company_names(tx, [contact.pk for _, contact, *_ in found if contact])
        out = [
            _row(c, contact, m, int(n), visitor, names.get(contact.pk, []) if contact else [])
            for c, contact, m, n, visitor in found
        ]
        waiting = [c for c in out if c.waiting_since is not None]
        waiting.sort(key=lambda c: c.waiting_since or tx.now)
        return waiting + [c for c in out if c.waiting_since is None]

    return await db.read(work)


def _company_names(tx: Tx, contact_pks: list[int]) -> dict[int, list[str]]:
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


def _last_messages() -> Any:
    return (
        select(
            Message.conversation_pk,
            func.max(Message.pk).label("pk"),
            func.count().label("n"),
        )
        .group_by(Message.conversation_pk)
        .subquery()
    )


def _row(
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
