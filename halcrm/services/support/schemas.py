"""Request and answer shapes of the public API's conversations and messages (msgspec structs)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from halcrm.services.crm.inputs import RecordId

Status = Literal["open", "snoozed", "resolved"]
Author = Literal["contact", "agent"]
Subject = Annotated[str, Meta(max_length=300)]
Body = Annotated[str, Meta(min_length=1, max_length=10_000)]
# A snooze without a time zone would be ambiguous: RFC 3339 with an offset or "Z" only.
Until = Annotated[datetime, Meta(tz=True)]
# How much of a conversation's last message the company view and the inbox show.
PREVIEW = 200


class MessageCreate(msgspec.Struct, kw_only=True):
    author: Author
    body: Body


class ConversationCreate(msgspec.Struct, kw_only=True):
    contact_id: RecordId
    subject: Subject | None = None
    status: Status = "open"
    snoozed_until: Until | None = None
    message: MessageCreate | None = None


class ConversationPatch(msgspec.Struct, kw_only=True):
    subject: Subject | UnsetType | None = UNSET
    status: Status | UnsetType = UNSET
    snoozed_until: Until | UnsetType | None = UNSET


class MessageRecord(msgspec.Struct, kw_only=True):
    id: str
    conversation_id: str
    author: str
    body: str
    created_at: datetime


class ConversationRecord(msgspec.Struct, kw_only=True):
    id: str
    # None while the conversation is an anonymous website visitor's chat (not yet identified).
    contact_id: str | None
    company_ids: list[str]
    subject: str | None
    status: str
    snoozed_until: datetime | None
    message_count: int
    created_at: datetime
    updated_at: datetime
    last_message_at: datetime | None
    # The website visitor whose chat this is (the widget's chat routes); None otherwise.
    visitor_id: str | None = None


class ConversationDetail(ConversationRecord, kw_only=True):
    """A conversation with its messages, oldest first."""

    messages: list[MessageRecord]


class CompanyConversation(msgspec.Struct, kw_only=True):
    """One conversation as the company view lists it."""

    id: str
    contact_id: str | None  # None: an anonymous website visitor's chat
    contact_name: str
    subject: str | None
    status: str
    snoozed_until: datetime | None
    message_count: int
    last_message_at: datetime | None
    last_author: str | None
    last_body: str | None
    # When the contact's unanswered message came in (open, last word the contact's); else None.
    waiting_since: datetime | None
    # The companies of the contact (the inbox says whom a chat is with); none for a visitor.
    companies: list[str] = msgspec.field(default_factory=list)
