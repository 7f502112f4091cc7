"""Support conversations of a contact, and their messages."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from halcrm.db.base import Base


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("project_pk", "id"),
        Index("ix_conversations_visitor", "visitor_pk", "pk"),
    )

    pk: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[str] = mapped_column(String(64))
    project_pk: Mapped[int] = mapped_column(ForeignKey("projects.pk", ondelete="CASCADE"))
    # None while the conversation is an anonymous website visitor's chat (identify attaches it).
    contact_pk: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.pk", ondelete="CASCADE"), index=True
    )
    # The website visitor whose chat this is (widget routes); None when opened via /api/v1.
    visitor_pk: Mapped[int | None] = mapped_column(ForeignKey("visitors.pk", ondelete="CASCADE"))
    subject: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="open")
    snoozed_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    last_message_at: Mapped[datetime | None]


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation", "conversation_pk", "pk"),)

    pk: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    conversation_pk: Mapped[int] = mapped_column(ForeignKey("conversations.pk", ondelete="CASCADE"))
    # "contact" (the customer) or "agent" (the founder).
    author: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
