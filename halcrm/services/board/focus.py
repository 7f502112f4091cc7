"""The focus lane: the few companies that need the founder now, each with its reason in words."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

import msgspec
from sqlalchemy import and_, exists, func, or_, select

from halcrm.db.models import (
    Company,
    ContactCompany,
    Conversation,
    Event,
    FocusAnswer,
    Message,
    Project,
)
from halcrm.db.records import StageRow
from halcrm.db.tx import Tx
from halcrm.db.writer import Database
from halcrm.domain.errors import InvalidRequest
from halcrm.domain.events import EventKind
from halcrm.domain.money import format_money
from halcrm.domain.stages import Source, StageKind
from halcrm.domain.words import count
from halcrm.services.crm.queries import get_company
from halcrm.services.tasks.queries import has_plan

RECENT_SIGNAL = timedelta(hours=48)
CANDIDATES_PER_REASON = 50


class Answered(msgspec.Struct, kw_only=True):
    """A stored answer to a focus item (what ``POST /api/board/focus`` answers: the write's
    own result, so a replay under an ``Idempotency-Key`` answers the same)."""

    company_id: str
    reason: str
    state: str


class FocusReason(StrEnum):
    WAITING_REPLY = "waiting_reply"
    WIDGET_ADVANCED = "widget_advanced"
    STALLED = "stalled"
    PLACEHOLDER = "placeholder"


class FocusState(StrEnum):
    SNOOZED = "snoozed"
    DONE = "done"
    DISMISSED = "dismissed"


class FocusItem(msgspec.Struct, kw_only=True):
    company_id: str
    company_name: str
    reason: str
    text: str
    score: float
    stage_id: str | None
    deal_value_cents: int | None
    since: datetime


def _ago(now: datetime, then: datetime) -> str:
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 3600:
        return f"{max(1, seconds // 60)} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


async def focus_lane(db: Database, project_id: str, limit: int = 8) -> list[FocusItem]:
    """Ranks what needs the founder now, leaving out what they snoozed, did or dismissed."""

    def work(tx: Tx) -> list[FocusItem]:
        project = tx.project(project_id)
        return compute_focus(tx, project, limit)

    return await db.read(work)


def compute_focus(tx: Tx, project: Project, limit: int) -> list[FocusItem]:
    stages = {row.pk: row for row in tx.stage_rows(project)}
    items = (
        _waiting_reply(tx, project)
        + _widget_advanced(tx, project, stages)
        + _stalled(tx, project, stages)
        + _placeholders(tx, project)
    )
    answers = _answers(tx, project)
    best: dict[str, FocusItem] = {}
    for item, activity in items:
        answer = answers.get((item.company_id, item.reason))
        if answer is not None and _hidden(answer, activity, tx.now):
            continue
        current = best.get(item.company_id)
        if current is None or item.score > current.score:
            best[item.company_id] = item
    return sorted(best.values(), key=lambda i: -i.score)[:limit]


def _hidden(answer: FocusAnswer, activity: datetime, now: datetime) -> bool:
    if answer.state == FocusState.SNOOZED:
        return answer.until is not None and answer.until > now
    # Done or dismissed: away until something new happens to the company.
    return activity <= answer.activity_mark


def _answers(tx: Tx, project: Project) -> dict[tuple[str, str], FocusAnswer]:
    rows = tx.session.execute(
        select(Company.id, FocusAnswer)
        .join(FocusAnswer, FocusAnswer.company_pk == Company.pk)
        .where(Company.project_pk == project.pk)
    )
    return {(cid, answer.reason): answer for cid, answer in rows}


def _item(
    company: Company, reason: FocusReason, text: str, score: float, since: datetime
) -> FocusItem:
    return FocusItem(
        company_id=company.id,
        company_name=company.name,
        reason=reason.value,
        text=text,
        score=score,
        stage_id=None,
        deal_value_cents=company.deal_value_cents,
        since=since,
    )


def _waiting_reply(tx: Tx, project: Project) -> list[tuple[FocusItem, datetime]]:
    last = (
        select(Message.conversation_pk, func.max(Message.pk).label("pk"))
        .group_by(Message.conversation_pk)
        .subquery()
    )
    rows = tx.session.execute(
        select(Company, Message.created_at)
        .join(ContactCompany, ContactCompany.company_pk == Company.pk)
        .join(Conversation, Conversation.contact_pk == ContactCompany.contact_pk)
        .join(last, last.c.conversation_pk == Conversation.pk)
        .join(Message, Message.pk == last.c.pk)
        .where(
            Company.project_pk == project.pk,
            Conversation.status == "open",
            Message.author == "contact",
        )
        .order_by(Message.created_at)
        .limit(CANDIDATES_PER_REASON)
    )
    out = []
    for company, since in rows:
        hours = (tx.now - since).total_seconds() / 3600
        text = f"waiting on your reply for {_ago(tx.now, since)}"
        out.append(
            (
                _item(company, FocusReason.WAITING_REPLY, text, 1000 + hours, since),
                company.last_activity_at,
            )
        )
    return out


def _widget_advanced(
    tx: Tx, project: Project, stages: dict[int, StageRow]
) -> list[tuple[FocusItem, datetime]]:
    rows = tx.session.scalars(
        select(Company)
        .where(
            Company.project_pk == project.pk,
            Company.last_stage_source == Source.WIDGET,
            Company.stage_pk.is_not(None),
            Company.last_stage_at >= tx.now - RECENT_SIGNAL,
        )
        .order_by(Company.last_stage_at.desc())
        .limit(CANDIDATES_PER_REASON)
    )
    out = []
    for company in rows:
        assert company.last_stage_at is not None
        assert company.stage_pk is not None
        stage = stages[company.stage_pk]
        hours = (tx.now - company.last_stage_at).total_seconds() / 3600
        text = f"a widget signal moved it to {stage.name} {_ago(tx.now, company.last_stage_at)} ago"
        item = _item(company, FocusReason.WIDGET_ADVANCED, text, 800 - hours, company.last_stage_at)
        item.stage_id = stage.id
        out.append((item, company.last_activity_at))
    return out


def _stalled(
    tx: Tx, project: Project, stages: dict[int, StageRow]
) -> list[tuple[FocusItem, datetime]]:
    open_stages = sorted(
        (s for s in stages.values() if s.kind == StageKind.OPEN), key=lambda s: s.position
    )
    # Warm deals only: past the first stage of the pipeline.
    warm = [s for s in open_stages[1:] if s.stall_after_days is not None]
    if not warm:
        return []
    conditions = [
        and_(
            Company.stage_pk == s.pk,
            Company.last_activity_at < tx.now - timedelta(days=s.stall_after_days or 0),
        )
        for s in warm
    ]
    rows = tx.session.scalars(
        select(Company)
        .where(Company.project_pk == project.pk, or_(*conditions), ~has_plan(tx.now))
        .order_by(func.coalesce(Company.deal_value_cents, 0).desc(), Company.last_activity_at)
        .limit(CANDIDATES_PER_REASON)
    )
    out = []
    for company in rows:
        assert company.stage_pk is not None
        stage = stages[company.stage_pk]
        days = (tx.now - company.last_activity_at).days
        value = format_money(company.deal_value_cents) or "no value"
        text = f"{value} in {stage.name}, no activity for {days} d"
        score = 500 + min((company.deal_value_cents or 0) / 100_000, 300) + days
        item = _item(company, FocusReason.STALLED, text, score, company.last_activity_at)
        item.stage_id = stage.id
        out.append((item, company.last_activity_at))
    return out


def _placeholders(tx: Tx, project: Project) -> list[tuple[FocusItem, datetime]]:
    contacts = (
        select(func.count())
        .where(ContactCompany.company_pk == Company.pk)
        .correlate(Company)
        .scalar_subquery()
    )
    events = (
        select(func.count())
        .where(Event.company_pk == Company.pk)
        .correlate(Company)
        .scalar_subquery()
    )
    rows = tx.session.execute(
        select(Company, contacts, events)
        .where(
            Company.project_pk == project.pk,
            Company.is_placeholder.is_(True),
            or_(
                Company.deal_value_cents.is_not(None),
                exists().where(Event.company_pk == Company.pk),
                contacts >= 2,
            ),
        )
        .order_by(Company.last_activity_at.desc())
        .limit(CANDIDATES_PER_REASON)
    )
    out = []
    for company, n_contacts, n_events in rows:
        text = (
            f"placeholder with {count(n_contacts, 'contact')} and "
            f"{count(n_events, 'event')}: name it or merge it"
        )
        score = 100 + n_events + 5 * n_contacts
        out.append(
            (
                _item(company, FocusReason.PLACEHOLDER, text, score, company.created_at),
                company.last_activity_at,
            )
        )
    return out


async def answer(
    db: Database,
    project_id: str,
    company_id: str,
    reason: str,
    state: str,
    until: datetime | None = None,
) -> Answered:
    """Stores the founder's answer to a focus item: snoozed until a date, done, or dismissed."""
    try:
        reason_value, state_value = FocusReason(reason), FocusState(state)
    except ValueError as exc:
        raise InvalidRequest(f"unknown focus reason or state: {exc}") from exc
    if state_value is FocusState.SNOOZED and until is None:
        raise InvalidRequest("snoozing needs a date to snooze until", field="until")

    def work(tx: Tx) -> Answered:
        project = tx.project(project_id)
        company = get_company(tx, project, company_id)
        row = tx.session.scalar(
            select(FocusAnswer).where(
                FocusAnswer.company_pk == company.pk, FocusAnswer.reason == reason_value
            )
        )
        if row is None:
            row = FocusAnswer(company_pk=company.pk, reason=reason_value, created_at=tx.now)
            tx.session.add(row)
        row.state = state_value
        row.until = until
        row.activity_mark = company.last_activity_at
        row.created_at = tx.now
        tx.record(
            project,
            EventKind.FOCUS_ANSWERED,
            Source.BOARD,
            f"{company.name}: {reason_value.value.replace('_', ' ')} {state_value.value}",
            company,
            data={"reason": reason_value.value, "state": state_value.value},
        )
        return Answered(company_id=company.id, reason=reason_value.value, state=state_value.value)

    return await db.write(work)
