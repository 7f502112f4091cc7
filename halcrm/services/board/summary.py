"""Money in the pipeline: per-stage counts, totals and weighted values, and the summary line."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec
from sqlalchemy import and_, case, func, or_, select

from halcrm.db.models import Company, Project
from halcrm.db.tx import Tx
from halcrm.db.writer import Database
from halcrm.domain.stages import StageKind


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


def month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


async def pipeline_summary(db: Database, project_id: str) -> PipelineSummary:
    """Aggregates in SQL, so the figures cost the same with 50 or 50,000 companies."""

    def work(tx: Tx) -> PipelineSummary:
        project = tx.project(project_id)
        return compute_summary(tx, project)

    return await db.read(work)


def compute_summary(tx: Tx, project: Project) -> PipelineSummary:
    rows = tx.stage_rows(project)
    deal = func.coalesce(Company.deal_value_cents, 0)
    grouped = tx.session.execute(
        select(Company.stage_pk, func.count(), func.coalesce(func.sum(deal), 0))
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
        weighted = total * row.probability // 100
        totals.append(
            StageTotals(stage_id=row.id, count=n, total_cents=total, weighted_cents=weighted)
        )
        if row.kind == StageKind.OPEN:
            open_total += total
            weighted_total += weighted

    stalled_conditions = [
        and_(
            Company.stage_pk == row.pk,
            Company.last_activity_at < tx.now - timedelta(days=row.stall_after_days),
        )
        for row in rows
        if row.kind == StageKind.OPEN and row.stall_after_days is not None
    ]
    stalled_value = stalled_count = 0
    if stalled_conditions:
        stalled = or_(*stalled_conditions)
        result = (
            tx.session.execute(
                select(
                    func.coalesce(func.sum(case((stalled, deal), else_=0)), 0),
                    func.coalesce(func.sum(case((stalled, 1), else_=0)), 0),
                ).where(Company.project_pk == project.pk)
            )
        ).one()
        stalled_value, stalled_count = int(result[0]), int(result[1])

    won_pks = [row.pk for row in rows if row.kind == StageKind.WON]
    won_this_month = 0
    if won_pks:
        won_this_month = int(
            tx.session.scalar(
                select(func.coalesce(func.sum(deal), 0)).where(
                    Company.project_pk == project.pk,
                    Company.stage_pk.in_(won_pks),
                    Company.last_stage_at >= month_start(tx.now),
                )
            )
            or 0
        )
    return PipelineSummary(
        stages=totals,
        open_total_cents=open_total,
        weighted_total_cents=weighted_total,
        won_this_month_cents=won_this_month,
        stalled_value_cents=stalled_value,
        stalled_count=stalled_count,
    )
