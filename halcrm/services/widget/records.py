"""What the widget's calls answer (plain msgspec structs)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from halcrm.services.crm.records import StageResult


class DealResult(StageResult, kw_only=True):
    """The stage result (``applied`` is about the stage) and the deal value, which an answer
    200 has always written: ``deal_value_applied`` says so, where ``applied: false`` (no stage
    asked, or a stage not moved) was read as the value refused."""

    deal_value: float | None  # a JSON number, as on CompanyRecord
    deal_value_applied: bool = True


class IdentifyResult(msgspec.Struct, kw_only=True):
    visitor_id: str
    contact_id: str | None
    company_ids: list[str]
    active_company_id: str | None
    verified: bool
    stage: StageResult | None


class PropertiesResult(msgspec.Struct, kw_only=True):
    visitor_id: str
    contact_id: str | None


class TrackResult(msgspec.Struct, kw_only=True):
    event_id: str
    company_id: str | None


class ChatMessage(msgspec.Struct, kw_only=True):
    """One chat line as the visitor's page shows it: ``author`` is ``visitor`` or ``agent``."""

    id: str
    conversation_id: str
    author: str
    body: str
    created_at: datetime


class ChatSent(msgspec.Struct, kw_only=True):
    visitor_id: str
    conversation_id: str
    message: ChatMessage


class ChatHistory(msgspec.Struct, kw_only=True):
    """The visitor's own chat, oldest first (its latest messages, at most ``HISTORY``)."""

    visitor_id: str
    # The identified contact's name (or email), for the panel's header; None when anonymous.
    name: str | None
    conversation_id: str | None
    status: str | None
    messages: list[ChatMessage]
