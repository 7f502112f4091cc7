"""The focus lane: the few companies (and anonymous chats) that need the founder now, each
with one recommended action, the evidence behind it, and the deal's momentum (API.md)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select

from halcrm.db.models import Company, FocusAnswer, Project
from halcrm.db.tx import Tx
from halcrm.domain.due import local_today, zone
from halcrm.services.board.focus_idle import no_next_step, placeholders, stalled, widget_advanced
from halcrm.services.board.focus_items import Lane
from halcrm.services.board.focus_rank import first_places
from halcrm.services.board.focus_signals import (
    close_dates_passed,
    overdue_steps,
    stage_hints,
    waiting_reply,
)
from halcrm.services.board.records import PRIORITY, URGENT, FocusItem, FocusState


def compute_focus(tx: Tx, project: Project, limit: int) -> list[FocusItem]:
    """One item a company (its most pressing reason, the others' facts in its evidence), then
    the order of API.md: waiting visitors and overdue steps first (longest first), then by
    value at risk."""
    stages = {row.pk: row for row in tx.stage_rows(project)}
    tz = zone(project.time_zone)
    lane = Lane(tx, project, stages, tz)
    candidates = (
        waiting_reply(lane)
        + overdue_steps(lane)
        + stage_hints(lane)
        + close_dates_passed(lane, local_today(tx.now, tz))
        + stalled(lane)
        + widget_advanced(lane)
        + no_next_step(lane)
        + placeholders(lane)
    )
    answers = _answers(tx, project, {i.company_id for i, _ in candidates if i.company_id})
    # An answer hides its reason, and the company's lesser reasons too (a dismissed stall does
    # not come back as "no next step"); a waiting customer or an overdue step is news and
    # shows unless that reason itself was answered.
    quiet: dict[str, int] = {}
    answered: set[tuple[str, str]] = set()
    for item, activity in candidates:
        company, reason = item.company_id or "", item.reason
        answer = answers.get((company, reason))
        if answer is not None and _hidden(answer, activity, tx.now):
            answered.add((company, reason))
            quiet[company] = min(PRIORITY[reason], quiet.get(company, PRIORITY[reason]))
    best: dict[str, FocusItem] = {}
    more: defaultdict[str, list[str]] = defaultdict(list)
    for item, _ in candidates:
        floor = quiet.get(item.company_id or "")
        if (item.company_id or "", item.reason) in answered:
            continue
        if floor is not None and PRIORITY[item.reason] >= floor and item.reason not in URGENT:
            continue
        key = item.company_id or f"chat:{item.action.conversation_id}"
        current = best.get(key)
        if current is None:
            best[key] = item
            continue
        if PRIORITY[item.reason] < PRIORITY[current.reason]:
            best[key], item = item, current
        more[key].extend(item.evidence[:1])  # the lesser reason's fact joins the evidence
    return first_places(tx, project, stages, list(best.values()), limit, more)


class Answer(NamedTuple):
    """The founder's answer to a company's focus reason (the columns the lane reads)."""

    state: str
    until: datetime | None
    activity_mark: datetime


def _hidden(answer: Answer, activity: datetime, now: datetime) -> bool:
    if answer.state == FocusState.SNOOZED:
        return answer.until is not None and answer.until > now
    # Done or dismissed: away until something new happens to the company.
    return activity <= answer.activity_mark


def _answers(tx: Tx, project: Project, ids: set[str]) -> dict[tuple[str, str], Answer]:
    """The answers to the candidates' companies (through the company ids: every company of the
    project would be read to find the few answered)."""
    if not ids:
        return {}
    rows = tx.session.execute(
        select(
            Company.id,
            FocusAnswer.reason,
            FocusAnswer.state,
            FocusAnswer.until,
            FocusAnswer.activity_mark,
        )
        .select_from(FocusAnswer)
        .join(Company, Company.pk == FocusAnswer.company_pk)
        .where(Company.project_pk == project.pk, Company.id.in_(sorted(ids)))
    )
    return {(cid, reason): Answer(state, until, mark) for cid, reason, state, until, mark in rows}
