"""The focus lane: the few companies (and anonymous chats) that need the founder now, each
with one recommended action, the evidence behind it, and the deal's momentum (API.md)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select

from halcrm.db.models import Company, FocusAnswer, Project
from halcrm.db.records import StageRow
from halcrm.db.tx import Tx
from halcrm.domain.due import local_today, zone
from halcrm.domain.money import from_cents
from halcrm.domain.words import count
from halcrm.services.board.focus_idle import no_next_step, placeholders, stalled, widget_advanced
from halcrm.services.board.focus_items import Lane, ago
from halcrm.services.board.focus_signals import (
    close_dates_passed,
    overdue_steps,
    stage_hints,
    waiting_reply,
)
from halcrm.services.board.momentum import pulses
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
    answers = _answers(tx, project)
    # An answer hides the company's lesser reasons too (a dismissed stall does not come back
    # as "no next step"); a waiting customer or an overdue step is news and still shows.
    quiet: dict[str, int] = {}
    for item, activity in candidates:
        answer = answers.get((item.company_id or "", item.reason))
        if answer is not None and _hidden(answer, activity, tx.now):
            rank = PRIORITY[item.reason]
            quiet[item.company_id or ""] = min(rank, quiet.get(item.company_id or "", rank))
    best: dict[str, FocusItem] = {}
    more: defaultdict[str, list[str]] = defaultdict(list)
    for item, _ in candidates:
        floor = quiet.get(item.company_id or "")
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
    items = list(best.values())
    _measure(tx, project, stages, items, more)
    items.sort(key=_rank)
    for n, item in enumerate(items):
        item.score = float(len(items) - n)
    return items[:limit]


def _rank(item: FocusItem) -> tuple[int, float, int, float]:
    if item.reason in URGENT:
        return (0, item.since.timestamp(), PRIORITY[item.reason], 0)
    return (1, -item.value_at_risk_cents, PRIORITY[item.reason], item.since.timestamp())


def _measure(
    tx: Tx,
    project: Project,
    stages: dict[int, StageRow],
    items: list[FocusItem],
    more: dict[str, list[str]],
) -> None:
    """Each company's momentum and trend, its stage and value at risk, and its evidence."""
    ids = [i.company_id for i in items if i.company_id is not None]
    found = pulses(tx, project.pk, ids)
    stage_of: dict[str, int | None] = {}
    if ids:
        rows = tx.session.execute(
            select(Company.id, Company.stage_pk).where(
                Company.project_pk == project.pk, Company.id.in_(ids)
            )
        )
        stage_of = {cid: pk for cid, pk in rows}
    for item in items:
        if item.company_id is None:
            continue
        beat = found[item.company_id]
        stage = stages.get(stage_of.get(item.company_id) or 0)
        item.stage_id = item.stage_id or (stage.id if stage else None)
        item.momentum, item.trend = beat.momentum, beat.trend
        item.deal_value = from_cents(item.deal_value_cents)
        weighted = (item.deal_value_cents or 0) * (stage.probability if stage else 0) // 100
        item.value_at_risk_cents = weighted * (100 - beat.momentum) // 100
        evidence = [*item.evidence, *more.get(item.company_id, [])]
        evidence.append(
            f"momentum {beat.momentum} of 100, {beat.trend}: "
            f"{count(beat.recent, 'signal')} in the last 14 days, {beat.earlier} in the 14 before"
        )
        if beat.last_milestone is not None:
            name, at = beat.last_milestone
            evidence.append(f"last milestone {name} {ago(tx.now, at)} ago")
        item.evidence = list(dict.fromkeys(evidence))


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
