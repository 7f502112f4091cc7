"""The widget's chat: a website visitor writes, reads its own chat, and may open its stream.

A visitor's chat is a support conversation (services/support) that carries the visitor: it
is opened by the visitor's first message, continued by the next ones while it is not
resolved, attached to the visitor's contact (and so to its companies) when the visitor is
identified, and re-attached by a later identify. A visitor reads only conversations it
started itself, never its contact's other conversations: without identity verification
anyone may claim an email, and a claim must not open someone else's messages.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, update

from halcrm.db.models import Contact, Conversation, Message, Visitor
from halcrm.db.records import ProjectRow, VisitorRow, select_of
from halcrm.db.tx import Tx
from halcrm.db.writer import Database
from halcrm.domain.errors import InvalidRequest
from halcrm.domain.stages import Source
from halcrm.services.support.conversations import add_message_in, open_in
from halcrm.services.support.schemas import MessageCreate
from halcrm.services.widget.context import body_project_id, open_call, save_visitor
from halcrm.services.widget.inputs import ChatRead, ChatSend
from halcrm.services.widget.records import ChatHistory, ChatMessage, ChatSent
from halcrm.services.widget.verification import check_call

# The history a page loads: the visitor's latest messages (older ones stay on the board).
HISTORY = 200
# Stored authors as the visitor's page names them.
AUTHORS = {"contact": "visitor", "agent": "agent"}


async def send(db: Database, body: ChatSend) -> ChatSent:
    """Adds the visitor's message to its open chat, opening one when it has none."""
    if not body.body.strip():
        raise InvalidRequest("body must not be blank", field="body")

    def work(tx: Tx) -> ChatSent:
        project, found = open_call(tx, body)
        visitor = save_visitor(tx, project, found, body.visitor_id)
        contact = (
            tx.session.get(Contact, visitor.contact_pk) if visitor.contact_pk is not None else None
        )
        conversation = tx.session.scalar(tx.locking(_open_chat(visitor.pk)))
        if conversation is None:
            conversation = open_in(tx, project, contact, Source.WIDGET, visitor_pk=visitor.pk)
        elif conversation.contact_pk is None and contact is not None:
            conversation.contact_pk = contact.pk
        message = MessageCreate(author="contact", body=body.body)
        record = add_message_in(tx, project, conversation, contact, message, Source.WIDGET)
        return ChatSent(
            visitor_id=visitor.visitor_id,
            conversation_id=conversation.id,
            message=ChatMessage(
                id=record.id,
                conversation_id=conversation.id,
                author="visitor",
                body=record.body,
                created_at=record.created_at,
            ),
        )

    return await db.write(work)


async def history(db: Database, query: ChatRead) -> ChatHistory:
    """The visitor's own chat messages, oldest first (verified as every widget call is)."""

    def work(tx: Tx) -> ChatHistory:
        visitor = _reader(tx, query)
        empty = ChatHistory(
            visitor_id=query.visitor_id, name=None, conversation_id=None, status=None, messages=[]
        )
        if visitor is None:
            return empty
        latest = tx.session.scalar(
            select(Conversation)
            .where(Conversation.visitor_pk == visitor.pk)
            .order_by(Conversation.pk.desc())
            .limit(1)
        )
        if latest is None:
            return empty
        rows = tx.session.execute(
            select(Message, Conversation.id)
            .join(Conversation, Conversation.pk == Message.conversation_pk)
            .where(Conversation.visitor_pk == visitor.pk)
            .order_by(Message.pk.desc())
            .limit(HISTORY)
        ).all()
        messages = [
            ChatMessage(
                id=m.id,
                conversation_id=cid,
                author=AUTHORS.get(m.author, m.author),
                body=m.body,
                created_at=m.created_at,
            )
            for m, cid in reversed(rows)
        ]
        return ChatHistory(
            visitor_id=visitor.visitor_id,
            name=_name(tx, visitor),
            conversation_id=latest.id,
            status=latest.status,
            messages=messages,
        )

    return await db.read(work)


async def check_stream(db: Database, query: ChatRead) -> str:
    """Verifies who opens a chat stream (401 where verification is required and the hash
    does not prove the visitor); answers the project id the stream is scoped to."""

    def work(tx: Tx) -> str:
        _reader(tx, query)
        return body_project_id(query)

    return await db.read(work)


def attach_visitor_chats(tx: Tx, visitor_pk: int, contact_pk: int) -> None:
    """Identify's part: the visitor's anonymous chats become its contact's conversations."""
    tx.execute(_ATTACH, {"v_pk": visitor_pk, "c_pk": contact_pk})


def _reader(tx: Tx, query: ChatRead) -> VisitorRow | None:
    """The project and visitor of a read, verified; no row locks (a read transaction)."""
    project: ProjectRow = tx.snapshot(body_project_id(query)).project
    visitor = tx.one(
        VisitorRow, _VISITOR, {"project_pk": project.pk, "visitor_id": query.visitor_id}
    )
    check_call(project, query, visitor, tx.now)
    return visitor


def _name(tx: Tx, visitor: VisitorRow) -> str | None:
    if visitor.contact_pk is None:
        return None
    row = tx.session.execute(
        select(Contact.name, Contact.email).where(Contact.pk == visitor.contact_pk)
    ).first()
    return (row[0] or row[1]) if row else None


def _open_chat(visitor_pk: int) -> Any:
    """The visitor's latest conversation that is not resolved (a snoozed one is continued:
    the visitor's message reopens it)."""
    return (
        select(Conversation)
        .where(Conversation.visitor_pk == visitor_pk, Conversation.status != "resolved")
        .order_by(Conversation.pk.desc())
        .limit(1)
    )


_VISITOR = select_of(VisitorRow).where(
    Visitor.project_pk == bindparam("project_pk"), Visitor.visitor_id == bindparam("visitor_id")
)
_ATTACH = (
    update(Conversation)
    .where(Conversation.visitor_pk == bindparam("v_pk"), Conversation.contact_pk.is_(None))
    .values(contact_pk=bindparam("c_pk"))
)
