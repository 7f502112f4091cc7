"""What the board's reads answer: cards, the company view, the focus lane, the pipeline summary
and the forecast (plain msgspec structs: the ``--connect`` board decodes them without
SQLAlchemy)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import msgspec

from halcrm.domain.stages import StageInfo
from halcrm.services.crm.records import CompanyRecord, ContactRecord, HistoryItem, VisitorRecord
from halcrm.services.tasks.records import TaskRecord


class Card(msgspec.Struct, kw_only=True):
    """What a card on the board needs, and nothing more (the board may hold 50k of them)."""

    id: str
    name: str
    stage_id: str | None
    deal_value_cents: int | None
    contacts: int
    is_placeholder: bool
    stalled_days: int
    last_moved_by: str | None
    last_moved_at: datetime | None
    last_activity_at: datetime
    created_at: datetime
    # Open support conversations of the company's contacts (the card's ✉ mark).
    open_conversations: int = 0
    # The earliest open next step: its state (overdue, today, upcoming; none) and due time.
    next_step_state: str = "none"
    next_step_due_at: datetime | None = None
    # In an open stage: the card shows its next-step mark (its state counted when drawn).
    needs_step: bool = False
    # What the board's filter looks in, folded (``fold``): id, name, domain, industry, and
    # the names and emails of the company's contacts.
    search: str = ""


class BoardData(msgspec.Struct, kw_only=True):
    project_id: str
    stages: list[StageInfo]
    cards: list[Card]
    now: datetime
    # The project's zone: "today" and "in 3d" on the cards are counted in it.
    time_zone: str = "UTC"


class CompanyDetail(msgspec.Struct, kw_only=True):
    company: CompanyRecord
    contacts: list[ContactRecord]
    history: list[HistoryItem]
    # Its contacts' browsers: who is on the website, last seen first.
    visitors: list[VisitorRecord] = msgspec.field(default_factory=list)
    # Its next steps: the open ones by due time, then the latest done ones.
    tasks: list[TaskRecord] = msgspec.field(default_factory=list)


class Answered(msgspec.Struct, kw_only=True):
    """A stored answer to a focus item (what ``POST /api/board/focus`` answers: the write's
    own result, so a replay under an ``Idempotency-Key`` answers the same)."""

    company_id: str
    reason: str
    state: str


class FocusState(StrEnum):
    SNOOZED = "snoozed"
    DONE = "done"
    DISMISSED = "dismissed"


class FocusReason(StrEnum):
    WAITING_REPLY = "waiting_reply"
    OVERDUE_STEP = "overdue_step"
    STAGE_HINT = "stage_hint"
    CLOSE_DATE_PASSED = "close_date_passed"
    STALLED = "stalled"
    WIDGET_ADVANCED = "widget_advanced"
    NO_NEXT_STEP = "no_next_step"
    PLACEHOLDER = "placeholder"


# Which reason a company's one item shows when it has several (first wins).
PRIORITY = {reason.value: n for n, reason in enumerate(FocusReason)}
# A waiting visitor and an overdue next step come before everything else (API.md).
URGENT = {FocusReason.WAITING_REPLY.value, FocusReason.OVERDUE_STEP.value}


class FocusAction(msgspec.Struct, kw_only=True):
    """The one recommended next action: ``kind`` and a short imperative ``label``, with the
    id the action needs (the others null)."""

    kind: str
    label: str
    conversation_id: str | None = None
    task_id: str | None = None
    contact_id: str | None = None
    stage: str | None = None


class FocusItem(msgspec.Struct, kw_only=True):
    # None for an anonymous website visitor's chat (no company yet).
    company_id: str | None
    company_name: str
    reason: str
    text: str
    score: float
    stage_id: str | None
    deal_value_cents: int | None
    since: datetime
    action: FocusAction
    evidence: list[str] = []
    deal_value: float | None = None
    momentum: int = 0
    trend: str = "steady"
    # Weighted value x (100 - momentum) / 100: what the lane orders by after the urgent items.
    value_at_risk_cents: int = 0
    visitor_id: str | None = None


class StageTotals(msgspec.Struct, kw_only=True):
    stage_id: str | None
    count: int
    total_cents: int
    weighted_cents: int


class PipelineSummary(msgspec.Struct, kw_only=True):
    stages: list[StageTotals]
    open_total_cents: int
    weighted_total_cents: int
    won_this_month_cents: int
    stalled_value_cents: int
    stalled_count: int
    # Open deals expected to close from today to the end of this month (project zone).
    expected_this_month_cents: int = 0
    expected_this_month_count: int = 0


MAX_MONTHS = 12


class ForecastBucket(msgspec.Struct, kw_only=True):
    count: int = 0
    total: float = 0
    weighted: float = 0


class ForecastMonth(msgspec.Struct, kw_only=True):
    month: str
    count: int = 0
    total: float = 0
    weighted: float = 0


class ForecastRecord(msgspec.Struct, kw_only=True):
    months: list[ForecastMonth]
    overdue: ForecastBucket
    undated: ForecastBucket
    # The project's zone and today's local date, as the buckets were counted.
    time_zone: str = "UTC"
    today: str = ""
