"""Focus reasons that come from a signal: a customer waiting, a step overdue, a milestone that
suggests a stage, an expected close that passed. Each answers ``(item, last activity)``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, select

from halcrm.db.models import (
    Company,
    Contact,
    ContactCompany,
    Conversation,
    Event,
    Message,
    Task,
    Visitor,
)
from halcrm.domain.stages import StageKind
from halcrm.services.board.focus_items import (
    CANDIDATES_PER_REASON,
    COMPANY,
    HINT_WINDOW,
    Candidate,
    Facts,
    Lane,
    ago,
    days,
    item,
    split,
)
from halcrm.services.board.records import FocusAction, FocusItem, FocusReason


def waiting_reply(lane: Lane) -> list[Candidate]:
    """Open conversations whose last word is the customer's: a company's contacts' and an
    anonymous website visitor's alike (issue 27)."""
    # Each open conversation's last message: grouping every message ever written would grow
    # with the whole chat history.
    last = (
        select(Message.conversation_pk, func.max(Message.pk).label("pk"))
        .join(Conversation, Conversation.pk == Message.conversation_pk)
        .where(Conversation.project_pk == lane.project.pk, Conversation.status == "open")
        .group_by(Message.conversation_pk)
        .subquery()
    )
    waiting = and_(Conversation.status == "open", Message.author == "contact")
    return _contacts_waiting(lane, last, waiting) + _visitors_waiting(lane, last, waiting)


def _contacts_waiting(lane: Lane, last: Any, waiting: Any) -> list[Candidate]:
    """A company's contacts waiting for a reply; ``last`` is each conversation's last
    message, ``waiting`` the condition that it is the customer's in an open one."""
    rows = lane.tx.session.execute(
        select(
            *COMPANY, Message.created_at, Conversation.id, Contact.id, Contact.name, Contact.email
        )
        .join(ContactCompany, ContactCompany.company_pk == Company.pk)
        .join(Conversation, Conversation.contact_pk == ContactCompany.contact_pk)
        .join(Contact, Contact.pk == Conversation.contact_pk)
        .join(last, last.c.conversation_pk == Conversation.pk)
        .join(Message, Message.pk == last.c.pk)
        .where(Company.project_pk == lane.project.pk, waiting)
        .order_by(Message.created_at)
        .limit(CANDIDATES_PER_REASON)
    )
    out: list[Candidate] = []
    for row in rows:
        company, (since, conversation_id, contact_id, name, email) = split(row)
        who = name or email or "the customer"
        waited = ago(lane.now, since)
        action = FocusAction(
            kind="reply",
            label=f"Reply to {who} (waiting {waited})",
            conversation_id=conversation_id,
            contact_id=contact_id,
        )
        evidence = [f"{who} has waited {waited} for your reply"]
        text = f"waiting on your reply for {waited}"
        found = item(company, FocusReason.WAITING_REPLY, text, since, action, evidence)
        out.append((found, company.last_activity_at))
    return out


def _visitors_waiting(lane: Lane, last: Any, waiting: Any) -> list[Candidate]:
    """Anonymous website visitors waiting for a reply (no company yet)."""
    anonymous = lane.tx.session.execute(
        select(Message.created_at, Conversation.id, Visitor.visitor_id)
        .select_from(Conversation)
        .join(Visitor, Visitor.pk == Conversation.visitor_pk)
        .join(last, last.c.conversation_pk == Conversation.pk)
        .join(Message, Message.pk == last.c.pk)
        .where(
            Conversation.project_pk == lane.project.pk,
            Conversation.contact_pk.is_(None),
            waiting,
        )
        .order_by(Message.created_at)
        .limit(CANDIDATES_PER_REASON)
    )
    out: list[Candidate] = []
    for since, conversation_id, visitor_id in anonymous:
        waited = ago(lane.now, since)
        who = f"visitor {visitor_id}"
        action = FocusAction(
            kind="reply",
            label=f"Reply to {who} (waiting {waited})",
            conversation_id=conversation_id,
        )
        found = FocusItem(
            company_id=None,
            company_name=f"Visitor {visitor_id}",
            reason=FocusReason.WAITING_REPLY.value,
            text=f"waiting on your reply for {waited}",
            score=0,
            stage_id=None,
            deal_value_cents=None,
            since=since,
            action=action,
            evidence=[f"an anonymous website visitor has waited {waited} for your reply"],
            visitor_id=visitor_id,
        )
        out.append((found, since))
    return out


def overdue_steps(lane: Lane) -> list[Candidate]:
    """Companies whose earliest open next step is past due."""
    rows = lane.tx.session.execute(
        select(*COMPANY, Task.id, Task.title, Task.due_at)
        .join(Task, Task.company_pk == Company.pk)
        .where(Task.project_pk == lane.project.pk, Task.status == "open", Task.due_at <= lane.now)
        .order_by(Task.due_at, Task.pk)
        .limit(CANDIDATES_PER_REASON)
    )
    out: list[Candidate] = []
    seen: set[int] = set()
    for row in rows:
        (
            company,
            (
                task_id,
                title,
                due_at,
            ),
        ) = split(row)
        if company.pk in seen:
            continue
        seen.add(company.pk)
        late = ago(lane.now, due_at)
        action = FocusAction(
            kind="do_next_step", label=f"Do “{title}” ({late} overdue)", task_id=task_id
        )
        evidence = [f"next step “{title}” is {late} overdue"]
        stage = lane.stages.get(company.stage_pk) if company.stage_pk else None
        text = f"next step “{title}” {late} overdue"
        found = item(company, FocusReason.OVERDUE_STEP, text, due_at, action, evidence, stage)
        out.append((found, company.last_activity_at))
    return out


def stage_hints(lane: Lane) -> list[Candidate]:
    """A milestone named in the project's stage hints arrived for a company in an earlier open
    stage (or none yet): suggest the hinted stage. Nothing moves by itself."""
    by_id = {s.id: s for s in lane.stages.values()}
    raw = lane.project.stage_hints or {}
    hints = {m: by_id[sid] for m, sid in raw.items() if sid in by_id}
    if not hints:
        return []
    rows = lane.tx.session.execute(
        select(*COMPANY, Event.name, Event.created_at)
        .join(Event, Event.company_pk == Company.pk)
        .where(
            Company.project_pk == lane.project.pk,
            Event.project_pk == lane.project.pk,
            Event.name.in_(list(hints)),
            Event.created_at >= lane.now - HINT_WINDOW,
        )
        .order_by(Event.created_at.desc())
        .limit(CANDIDATES_PER_REASON * 4)
    )
    out: list[Candidate] = []
    seen: set[int] = set()
    for row in rows:
        (
            company,
            (
                milestone,
                at,
            ),
        ) = split(row)
        target = hints[milestone]
        current = lane.stages.get(company.stage_pk) if company.stage_pk else None
        earlier = current is None or (
            current.kind == StageKind.OPEN and current.position < target.position
        )
        if company.pk in seen or not earlier:
            continue
        seen.add(company.pk)
        action = FocusAction(
            kind="advance_stage", label=f"Move {company.name} to {target.name}", stage=target.name
        )
        where = current.name if current else "no stage"
        evidence = [
            f"milestone {milestone} {ago(lane.now, at)} ago; the stage hints say {target.name}",
            f"still in {where}",
        ]
        text = f"{milestone} suggests {target.name}"
        found = item(company, FocusReason.STAGE_HINT, text, at, action, evidence, current)
        out.append((found, company.last_activity_at))
    return out


def close_dates_passed(lane: Lane, today: date) -> list[Candidate]:
    """Open deals whose expected close is before today (the project's zone)."""
    rows = lane.tx.session.execute(
        select(*COMPANY)
        .where(
            Company.project_pk == lane.project.pk,
            Company.stage_pk.in_(lane.open_stage_pks()),
            Company.expected_close < today,
        )
        .order_by(Company.expected_close, Company.pk)
        .limit(CANDIDATES_PER_REASON)
    )
    out: list[Candidate] = []
    for row in rows:
        company = Facts(*row)
        assert company.expected_close is not None
        late = (today - company.expected_close).days
        stage = lane.stages[company.stage_pk] if company.stage_pk else None
        action = FocusAction(
            kind="update_close_date",
            label=f"Update {company.name}'s expected close (passed {late} d ago)",
        )
        evidence = [f"expected close {company.expected_close.isoformat()} passed {days(late)} ago"]
        text = f"expected close passed {late} d ago"
        since = datetime.combine(company.expected_close, datetime.min.time(), lane.tz)
        found = item(company, FocusReason.CLOSE_DATE_PASSED, text, since, action, evidence, stage)
        out.append((found, company.last_activity_at))
    return out
