"""Money in the pipeline: per-stage counts, totals and weighted values, and the summary line."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from halcrm.db.models import Company, Project
from halcrm.db.records import StageRow
from halcrm.db.tx import Tx
from halcrm.domain.stages import StageKind, weighted_cents
from halcrm.services.board.forecast import expected_this_month
from halcrm.services.board.records import PipelineSummary, StageTotals
from halcrm.services.tasks.queries import has_plan


def month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def compute_summary(tx: Tx, project: Project) -> PipelineSummary:
    """Aggregates in SQL, so the figures cost the same with 50 or 50,000 companies."""
    rows = tx.stage_rows(project)
    totals, open_total, weighted_total = _stage_totals(tx, project, rows)
    stalled_value, stalled_count = _stalled(tx, project, rows)
    probabilities = {r.pk: r.probability for r in rows if r.kind == StageKind.OPEN}
    expected_count, expected_cents = expected_this_month(
        tx, project.pk, project.time_zone, probabilities
    )
    return PipelineSummary(
        stages=totals,
        open_total_cents=open_total,
        weighted_total_cents=weighted_total,
        won_this_month_cents=_won_this_month(tx, project, rows),
        stalled_value_cents=stalled_value,
        stalled_count=stalled_count,
        expected_this_month_cents=expected_cents,
        expected_this_month_count=expected_count,
    )


def _deal_or_zero() -> ColumnElement[int]:
    # A company without a deal value counts as 0 in the sums.
    return func.coalesce(Company.deal_value_cents, 0)


def _stage_totals(
    tx: Tx, project: Project, rows: Sequence[StageRow]
) -> tuple[list[StageTotals], int, int]:
    """Per stage (no stage first): count, total and weighted value; and the open stages' total
    and weighted total."""
    grouped = tx.session.execute(
        select(Company.stage_pk, func.count(), func.coalesce(func.sum(_deal_or_zero()), 0))
        .where(Company.project_pk == project.pk)
        .group_by(Company.stage_pk)
    )
    by_stage = {pk: (int(n), int(total)) for pk, n, total in grouped}
    totals = [
        StageTotals(
            stage_id=None,
            count=by_stage.get(None, (0, 0))[0],
            total_cents=by_stage.get(None, (0, 0))[1],
            weighted_cents=0,
        )
    ]
    open_total = weighted_total = 0
    for row in rows:
        n, total = by_stage.get(row.pk, (0, 0))
        weighted = weighted_cents(total, row.probability)
        totals.append(
            StageTotals(stage_id=row.id, count=n, total_cents=total, weighted_cents=weighted)
        )
        if row.kind == StageKind.OPEN:
            open_total += total
            weighted_total += weighted
    return totals, open_total, weighted_total


def _stalled(tx: Tx, project: Project, rows: Sequence[StageRow]) -> tuple[int, int]:
    """The value and count of companies idle longer than their open stage allows."""
    stalled_conditions = [
        and_(
            Company.stage_pk == row.pk,
            Company.last_activity_at < tx.now - timedelta(days=row.stall_after_days),
        )
        for row in rows
        if row.kind == StageKind.OPEN and row.stall_after_days is not None
    ]
    if not stalled_conditions:
        return 0, 0
    # Refined (API.md): an open next step due today or later means the founder has a plan.
    stalled = and_(or_(*stalled_conditions), ~has_plan(tx.now))
    deal = _deal_or_zero()
    result = (
        tx.session.execute(
            select(
                func.coalesce(func.sum(case((stalled, deal), else_=0)), 0),
                func.coalesce(func.sum(case((stalled, 1), else_=0)), 0),
            ).where(Company.project_pk == project.pk)
        )
    ).one()
    return int(result[0]), int(result[1])


def _won_this_month(tx: Tx, project: Project, rows: Sequence[StageRow]) -> int:
    """The deal value of companies moved into a won stage since the month began."""
    won_pks = [row.pk for row in rows if row.kind == StageKind.WON]
    if not won_pks:
        return 0
    return int(
        tx.session.scalar(
            select(func.coalesce(func.sum(_deal_or_zero()), 0)).where(
                Company.project_pk == project.pk,
                Company.stage_pk.in_(won_pks),
                Company.last_stage_at >= month_start(tx.now),
            )
        )
        or 0
    )
