"""Support conversations of a contact, and their messages."""

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from halcrm.db.types import UTCDateTime, metadata

conversations = Table(
    "conversations",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("id", String(64), nullable=False),
    Column("project_pk", Integer, ForeignKey("projects.pk", ondelete="CASCADE"), nullable=False),
    # None while the conversation is an anonymous website visitor's chat (identify attaches it).
    Column("contact_pk", Integer, ForeignKey("contacts.pk", ondelete="CASCADE"), index=True),
    # The website visitor whose chat this is (widget routes); None when opened via /api/v1.
    Column("visitor_pk", Integer, ForeignKey("visitors.pk", ondelete="CASCADE")),
    Column("subject", String(300)),
    Column("status", String(20), default="open", nullable=False),
    Column("snoozed_until", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("last_message_at", UTCDateTime),
    UniqueConstraint("project_pk", "id"),
    Index("ix_conversations_visitor", "visitor_pk", "pk"),
)

messages = Table(
    "messages",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("id", String(64), unique=True, nullable=False),
    Column(
        "conversation_pk",
        Integer,
        ForeignKey("conversations.pk", ondelete="CASCADE"),
        nullable=False,
    ),
    # "contact" (the customer) or "agent" (the founder).
    Column("author", String(20), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_messages_conversation", "conversation_pk", "pk"),
)
