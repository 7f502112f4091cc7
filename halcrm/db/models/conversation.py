"""Support conversations of a contact, and their messages.

Their columns are declared in ``halcrm/db/tables/conversation.py``; the annotations here only type
the mapped attributes."""

from datetime import datetime

from sqlalchemy.orm import Mapped

from halcrm.db.base import Base
from halcrm.db.tables.conversation import conversations, messages


class Conversation(Base):
    __table__ = conversations

    pk: Mapped[int]
    id: Mapped[str]
    project_pk: Mapped[int]
    contact_pk: Mapped[int | None]
    visitor_pk: Mapped[int | None]
    subject: Mapped[str | None]
    status: Mapped[str]
    snoozed_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    last_message_at: Mapped[datetime | None]


class Message(Base):
    __table__ = messages

    pk: Mapped[int]
    id: Mapped[str]
    conversation_pk: Mapped[int]
    author: Mapped[str]
    body: Mapped[str]
    created_at: Mapped[datetime]
