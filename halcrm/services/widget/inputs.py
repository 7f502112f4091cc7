"""The widget's request shapes (msgspec structs), validated before a call reaches the rules."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from halcrm.services.fields import (
    EventName,
    Metadata,
    Mode,
    Money,
    Name,
    RecordId,
    ShortText,
    StageRef,
    VisitorId,
)


class WidgetBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    """Fields every widget call carries."""

    visitor_id: VisitorId
    app_id: ShortText | None = None
    project_id: ShortText | None = None
    user_hash: Annotated[str, Meta(max_length=128)] | None = None


# A company's HMAC (64 hex digits); longer strings are refused before any rule runs.
CompanyHash = Annotated[str, Meta(max_length=128)]


class IdentifyCompany(msgspec.Struct, kw_only=True):
    id: RecordId | None = None
    name: Name | None = None
    stage: StageRef | None = None
    metadata: Metadata | None = None
    # The HMAC of ``id``: linking an existing company other contacts share needs it where
    # verification is required (API.md, companies are claims too).
    hash: CompanyHash | None = None


class Identify(WidgetBody, kw_only=True):
    user_id: Name | None = None
    email: Annotated[str, Meta(min_length=3, max_length=320)] | None = None
    name: Name | None = None
    metadata: Metadata | None = None
    company: IdentifyCompany | None = None
    company_ids: Annotated[list[RecordId], Meta(max_length=100)] | None = None
    # Beside ``company_ids``, in the same order (``null`` where a company needs none).
    company_hashes: Annotated[list[CompanyHash | None], Meta(max_length=100)] | None = None
    stage_update_mode: Mode | None = None


class SetProperties(WidgetBody, kw_only=True):
    properties: Metadata


class Track(WidgetBody, kw_only=True):
    name: EventName
    value: Annotated[str, Meta(max_length=1000)] | bool | int | float | None = None
    company_id: RecordId | None = None


class SetStage(WidgetBody, kw_only=True):
    stage: StageRef
    company_id: RecordId | None = None
    stage_update_mode: Mode | None = None


class SetDeal(WidgetBody, kw_only=True):
    deal_value: Money
    stage: StageRef | None = None
    company_id: RecordId | None = None
    stage_update_mode: Mode | None = None


# A chat message is a line a person types in the widget: longer text belongs in an email.
CHAT_MAX = 2000
ChatText = Annotated[str, Meta(min_length=1, max_length=CHAT_MAX)]


class ChatSend(WidgetBody, kw_only=True):
    """A visitor's chat message (plain text, shown as text everywhere)."""

    body: ChatText
    # Segment's field, read by the idempotency middleware: a resend with it is written once.
    message_id: Annotated[str, Meta(min_length=1, max_length=255)] | None = None


class ChatRead(WidgetBody, kw_only=True):
    """Who asks for a chat's history or its live stream (from the query string)."""
