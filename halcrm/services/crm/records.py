"""What the CRM calls answer: plain msgspec structs the server encodes and the board reads."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec

from halcrm.services.tasks.records import NextStep


class ProjectRecord(msgspec.Struct, kw_only=True):
    id: str
    name: str
    stage_update_mode: str
    identity_verification: str
    # "today", "overdue" and the forecast's months are counted in this IANA zone.
    time_zone: str = "UTC"
    # Milestone name -> stage name: that milestone suggests that stage (focus lane).
    stage_hints: dict[str, str] = {}
    secret: str | msgspec.UnsetType = msgspec.UNSET


class StageRecord(msgspec.Struct, kw_only=True):
    id: str
    name: str
    position: int
    kind: str
    probability: int
    stall_after_days: int | None


class CompanyRecord(msgspec.Struct, kw_only=True):
    id: str
    name: str
    domain: str | None
    industry: str | None
    notes: str | None
    metadata: dict[str, Any]
    # A JSON number (whole amounts are sent as integers). Typed float, not int | float, so the
    # OpenAPI schema is one "number" rather than a oneOf that 0 would match twice.
    deal_value: float | None
    stage: str | None
    stage_id: str | None
    is_placeholder: bool
    contact_ids: list[str]
    created_at: datetime
    updated_at: datetime
    last_activity_at: datetime
    stalled: bool
    expected_close: date | None = None
    # The earliest open next step, and its state (overdue, today, upcoming; none without one).
    next_step: NextStep | None = None
    next_step_state: str = "none"
    last_moved_by: str | None = None
    last_moved_at: datetime | None = None


class ContactRecord(msgspec.Struct, kw_only=True):
    id: str
    email: str | None
    user_id: str | None
    name: str | None
    phone: str | None
    notes: str | None
    tags: list[str]
    metadata: dict[str, Any]
    company_ids: list[str]
    created_at: datetime
    updated_at: datetime


class StageResult(msgspec.Struct, kw_only=True):
    company_id: str
    stage: str | None
    previous_stage: str | None
    requested_stage: str | None
    mode: str
    applied: bool
    reason: str | None


class Deleted(msgspec.Struct, kw_only=True):
    id: str
    deleted: bool = True


class HistoryItem(msgspec.Struct, kw_only=True):
    """One line of a company's history: a stage write (applied or skipped), a deal value
    change, a tracked event, a conversation of one of its contacts, or a message in one."""

    type: str
    id: str
    at: datetime
    # Stage writes.
    previous_stage: str | None = None
    requested_stage: str | None = None
    stage: str | None = None
    mode: str | None = None
    source: str | None = None
    applied: bool | None = None
    reason: str | None = None
    note: str | None = None
    # Events.
    name: str | None = None
    value: Any = None
    contact_id: str | None = None
    # Deal value changes (``source`` says who): amounts as ``deal_value`` is everywhere.
    previous_deal_value: float | None = None
    deal_value: float | None = None
    # Conversations and their messages.
    conversation_id: str | None = None
    subject: str | None = None
    status: str | None = None
    author: str | None = None
    body: str | None = None


class ActivityItem(msgspec.Struct, kw_only=True):
    id: str
    kind: str
    at: datetime
    source: str
    summary: str
    company_id: str | None
    company_name: str | None
    data: dict[str, Any]


class SecretRotated(msgspec.Struct, kw_only=True):
    """A rotation's answer: the new secret, and until when the previous one still verifies."""

    secret: str
    previous_secret_valid_until: datetime


class CompanySnapshot(msgspec.Struct, kw_only=True):
    """Every row that a company's delete removes, as column values (primary keys aside)."""

    company: dict[str, Any]
    stage_id: str | None
    links: list[dict[str, Any]]
    stage_changes: list[dict[str, Any]]
    events: list[dict[str, Any]]
    focus_answers: list[dict[str, Any]]
    visitor_pks: list[int]
    # Its next steps (a snapshot taken before they existed has none).
    tasks: list[dict[str, Any]] = []


class ConversationSnapshot(msgspec.Struct, kw_only=True):
    """A conversation's columns (primary keys aside) and its messages', oldest first."""

    conversation: dict[str, Any]
    messages: list[dict[str, Any]] = []


class ContactSnapshot(msgspec.Struct, kw_only=True):
    """Every row that a contact's delete removes or lets go of: its columns, its company links,
    its conversations with their messages, and the visitors, events and next steps that point
    at it (the delete sets those to none)."""

    contact: dict[str, Any]
    links: list[dict[str, Any]] = []
    conversations: list[ConversationSnapshot] = []
    visitor_pks: list[int] = []
    event_pks: list[int] = []
    task_pks: list[int] = []


class MergeUndo(msgspec.Struct, kw_only=True):
    """What a merge changed, enough to put everything back while the board is open."""

    source: dict[str, Any]
    into_id: str
    into_before: dict[str, Any]
    moved_links: list[int]
    shared_links: list[int]
    events: list[int]
    stage_changes: list[int]
    visitors: list[int]
    # The next steps the merge moved (an undo made before tasks existed has none).
    tasks: list[int] = []


class MergeResult(msgspec.Struct, kw_only=True):
    company: CompanyRecord
    undo: MergeUndo


class VisitorRecord(msgspec.Struct, kw_only=True):
    visitor_id: str
    contact_id: str | None
    contact_email: str | None
    contact_name: str | None
    active_company_id: str | None
    verified: bool
    properties: dict[str, Any]
    created_at: datetime
    last_seen_at: datetime


class ApiKeyRecord(msgspec.Struct, kw_only=True):
    id: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRecord, kw_only=True):
    """A new key with its secret: the only time the secret is ever shown."""

    key: str
