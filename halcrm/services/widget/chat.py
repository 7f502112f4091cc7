"""The widget's chat (its rules are ``Widget.chat_send``, ``chat_history`` and
``chat_check_stream``): a website visitor writes, reads its own chat, and may open its stream.

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

from halcrm.db.models import Contact, Conversation, Visitor
from halcrm.db.records import ProjectRow, VisitorRow, select_of
from halcrm.db.tx import Tx
from halcrm.services.widget.context import body_project_id
from halcrm.services.widget.inputs import ChatRead
from halcrm.services.widget.verification import check_call

# The history a page loads: the visitor's latest messages (older ones stay on the board).
HISTORY = 200
# Stored authors as the visitor's page names them.
AUTHORS = {"contact": "visitor", "agent": "agent"}


def attach_visitor_chats(tx: Tx, visitor_pk: int, contact_pk: int) -> None:
    """Identify's part: the visitor's anonymous chats become its contact's conversations."""
    tx.execute(_ATTACH, {"v_pk": visitor_pk, "c_pk": contact_pk})


def reader(tx: Tx, query: ChatRead) -> VisitorRow | None:
    """The project and visitor of a read, verified; no row locks (a read transaction)."""
    project: ProjectRow = tx.snapshot(body_project_id(query)).project
    visitor = tx.one(
        VisitorRow, _VISITOR, {"project_pk": project.pk, "visitor_id": query.visitor_id}
    )
    check_call(project, query, visitor, tx.now)
    return visitor


def visitor_name(tx: Tx, visitor: VisitorRow) -> str | None:
    if visitor.contact_pk is None:
        return None
    row = tx.session.execute(
        select(Contact.name, Contact.email).where(Contact.pk == visitor.contact_pk)
    ).first()
    return (row[0] or row[1]) if row else None


def open_chat(visitor_pk: int) -> Any:
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
