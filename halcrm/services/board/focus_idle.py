"""Focus reasons that come from a lack: a stalled deal, a widget move with nothing planned, an
open deal without a next step, a placeholder holding value."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select

from halcrm.db.models import Company, Contact, ContactCompany, Event, Task, Visitor
from halcrm.db.tx import Tx
from halcrm.domain.money import format_money
from halcrm.domain.stages import Source, StageKind
from halcrm.domain.words import count
from halcrm.services.board.focus_items import (
    CANDIDATES_PER_REASON,
    COMPANY,
    RECENT_SIGNAL,
    Candidate,
    Facts,
    Lane,
    ago,
    days,
    item,
    split,
)
from halcrm.services.board.records import FocusAction, FocusReason
from halcrm.services.tasks.queries import has_open_task, has_plan


def stalled(lane: Lane) -> list[Candidate]:
    """Warm deals (past the first open stage) idle longer than their stage allows, with no open
    next step due today or later: check in with the contact seen most recently."""
    open_stages = sorted(
        (s for s in lane.stages.values() if s.kind == StageKind.OPEN), key=lambda s: s.position
    )
    warm = [s for s in open_stages[1:] if s.stall_after_days is not None]
    if not warm:
        return []
    limits = [s.stall_after_days or 0 for s in warm]
    conditions = [
        and_(
            Company.stage_pk == s.pk,
            Company.last_activity_at < lane.now - timedelta(days=s.stall_after_days or 0),
        )
        for s in warm
    ]
    rows = _largest_first(
        lane.tx,
        Company.project_pk == lane.project.pk,
        Company.last_activity_at < lane.now - timedelta(days=min(limits)),
        or_(*conditions),
        ~has_plan(lane.now),
    )
    people = _seen_last(lane.tx, [c.pk for c in rows])
    out: list[Candidate] = []
    for row in rows:
        company = Facts(*row)
        assert company.stage_pk is not None
        stage = lane.stages[company.stage_pk]
        idle = (lane.now - company.last_activity_at).days
        value = format_money(company.deal_value_cents) or "no value"
        contact = people.get(company.pk)
        label = f"Check in with {contact[1]}" if contact else f"Re-engage {company.name}"
        action = FocusAction(
            kind="re_engage", label=label, contact_id=contact[0] if contact else None
        )
        evidence = [f"no activity for {days(idle)}; {stage.name} allows {stage.stall_after_days}"]
        text = f"{value} in {stage.name}, no activity for {idle} d"
        since = company.last_activity_at
        found = item(company, FocusReason.STALLED, text, since, action, evidence, stage)
        out.append((found, company.last_activity_at))
    return out


def _largest_first(tx: Tx, *conditions: Any) -> list[Any]:
    """The companies matching ``conditions``, largest deal first (no value as zero), then idle
    longest. The valued ones walk the (project, deal) index backwards and stop at the limit;
    the rest are read only when the valued ones are too few."""
    rows = list(
        tx.session.execute(
            select(*COMPANY)
            .where(*conditions, Company.deal_value_cents > 0)
            .order_by(Company.deal_value_cents.desc(), Company.last_activity_at)
            .limit(CANDIDATES_PER_REASON)
        )
    )
    if len(rows) < CANDIDATES_PER_REASON:
        rows += tx.session.execute(
            select(*COMPANY)
            .where(
                *conditions, or_(Company.deal_value_cents.is_(None), Company.deal_value_cents <= 0)
            )
            .order_by(func.coalesce(Company.deal_value_cents, 0).desc(), Company.last_activity_at)
            .limit(CANDIDATES_PER_REASON - len(rows))
        )
    return rows


def _seen_last(tx: Tx, company_pks: list[int]) -> dict[int, tuple[str, str]]:
    """Each company's contact seen most recently on the website (else linked last):
    ``(id, name or email)``."""
    if not company_pks:
        return {}
    seen = func.max(Visitor.last_seen_at)
    rows = tx.session.execute(
        select(ContactCompany.company_pk, Contact.id, Contact.name, Contact.email, seen)
        .join(Contact, Contact.pk == ContactCompany.contact_pk)
        .outerjoin(Visitor, Visitor.contact_pk == Contact.pk)
        .where(ContactCompany.company_pk.in_(company_pks))
        .group_by(
            ContactCompany.company_pk,
            Contact.id,
            Contact.name,
            Contact.email,
            ContactCompany.created_at,
        )
        .order_by(ContactCompany.company_pk, ContactCompany.created_at.desc())
    )
    best: dict[int, tuple[str, str, datetime | None]] = {}
    for company_pk, contact_id, name, email, last_seen in rows:
        current = best.get(company_pk)
        newer = last_seen is not None and (
            current is None or current[2] is None or last_seen > current[2]
        )
        if current is None or newer:
            best[company_pk] = (contact_id, name or email or contact_id, last_seen)
    return {pk: (cid, who) for pk, (cid, who, _) in best.items()}


def widget_advanced(lane: Lane) -> list[Candidate]:
    """A widget signal moved the company in the last 48 hours: plan (or prepare) what's next."""
    rows = lane.tx.session.execute(
        select(*COMPANY)
        .where(
            Company.project_pk == lane.project.pk,
            Company.last_stage_source == Source.WIDGET,
            Company.stage_pk.is_not(None),
            Company.last_stage_at >= lane.now - RECENT_SIGNAL,
        )
        .order_by(Company.last_stage_at.desc())
        .limit(CANDIDATES_PER_REASON)
    )
    facts = [Facts(*row) for row in rows]
    steps = _earliest_steps(lane.tx, [c.pk for c in facts])
    out: list[Candidate] = []
    for company in facts:
        assert company.last_stage_at is not None
        assert company.stage_pk is not None
        stage = lane.stages[company.stage_pk]
        moved = ago(lane.now, company.last_stage_at)
        text = f"a widget signal moved it to {stage.name} {moved} ago"
        step = steps.get(company.pk)
        if step is None:
            action = FocusAction(
                kind="schedule_next_step", label=f"Plan the next step for {company.name}"
            )
        else:
            action = FocusAction(kind="do_next_step", label=f"Prepare “{step[1]}”", task_id=step[0])
        evidence = [f"a widget signal moved it to {stage.name} {moved} ago"]
        since = company.last_stage_at
        found = item(company, FocusReason.WIDGET_ADVANCED, text, since, action, evidence, stage)
        out.append((found, company.last_activity_at))
    return out


def _earliest_steps(tx: Tx, company_pks: list[int]) -> dict[int, tuple[str, str]]:
    """Each company's earliest open next step, ``(id, title)`` (one query for them all)."""
    if not company_pks:
        return {}
    rows = tx.session.execute(
        select(Task.company_pk, Task.id, Task.title)
        .where(Task.company_pk.in_(company_pks), Task.status == "open")
        .order_by(Task.company_pk, Task.due_at, Task.pk)
    )
    out: dict[int, tuple[str, str]] = {}
    for company_pk, task_id, title in rows:
        out.setdefault(company_pk, (task_id, title))
    return out


def no_next_step(lane: Lane) -> list[Candidate]:
    """Open deals with a value and no open next step, largest first (the agenda lists every
    open company without one; the lane, those with money at stake)."""
    rows = lane.tx.session.execute(
        select(*COMPANY)
        .where(
            Company.project_pk == lane.project.pk,
            Company.stage_pk.in_(lane.open_stage_pks()),
            Company.deal_value_cents > 0,
            ~has_open_task(),
        )
        .order_by(Company.deal_value_cents.desc(), Company.pk)
        .limit(CANDIDATES_PER_REASON)
    )
    out: list[Candidate] = []
    for row in rows:
        company = Facts(*row)
        assert company.stage_pk is not None
        stage = lane.stages[company.stage_pk]
        value = format_money(company.deal_value_cents) or "no value"
        action = FocusAction(
            kind="schedule_next_step", label=f"Plan the next step for {company.name}"
        )
        evidence = [f"no next step scheduled; {value} in {stage.name} ({stage.probability} %)"]
        text = f"{value} in {stage.name}, no next step"
        since = company.last_activity_at
        found = item(company, FocusReason.NO_NEXT_STEP, text, since, action, evidence, stage)
        out.append((found, company.last_activity_at))
    return out


def placeholders(lane: Lane) -> list[Candidate]:
    """Placeholder companies that hold value: name or merge them, then plan what's next."""
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
    rows = lane.tx.session.execute(
        select(*COMPANY, contacts, events)
        .where(
            Company.project_pk == lane.project.pk,
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
    out: list[Candidate] = []
    for row in rows:
        (
            company,
            (
                n_contacts,
                n_events,
            ),
        ) = split(row)
        held = f"{count(n_contacts, 'contact')} and {count(n_events, 'event')}"
        text = f"placeholder with {held}: name it or merge it"
        action = FocusAction(
            kind="schedule_next_step", label=f"Name or merge {company.name}, then plan a step"
        )
        evidence = [f"a placeholder holding {held}"]
        since = company.created_at
        found = item(company, FocusReason.PLACEHOLDER, text, since, action, evidence)
        out.append((found, company.last_activity_at))
    return out
