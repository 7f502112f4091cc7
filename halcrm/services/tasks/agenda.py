"""``Agenda``: the founder's day in the project's time zone (API.md, ``GET /api/agenda``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from halcrm.db.models import Company, Stage, Task
from halcrm.db.tx import Tx
from halcrm.domain.due import day_end, local_today, zone
from halcrm.domain.money import from_cents
from halcrm.domain.stages import StageKind
from halcrm.services.area import Area, reads
from halcrm.services.tasks.queries import has_open_task, task_records, task_select
from halcrm.services.tasks.records import AGENDA_LIMIT, AgendaDay, NoNextStep


def agenda_bounds(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime, str]:
    """End of today and end of the 7 days after it (UTC instants), and today's local date."""
    today = local_today(now, tz)
    return day_end(today, tz), day_end(today + timedelta(days=7), tz), today.isoformat()


class Agenda(Area):
    """What is due: overdue, today, the next 7 days, and the open deals with no next step."""

    @reads
    def day(self, tx: Tx, limit: int = AGENDA_LIMIT) -> AgendaDay:
        project = self.project(tx)
        tz = zone(project.time_zone)
        end_today, end_week, today = agenda_bounds(tx.now, tz)
        open_tasks = task_select().where(Task.project_pk == project.pk, Task.status == "open")
        order = (Task.due_at, Task.pk)

        def section(*where: Any) -> list[Any]:
            return task_records(tx, open_tasks.where(*where).order_by(*order).limit(limit), tz)

        return AgendaDay(
            overdue=section(Task.due_at <= tx.now),
            today=section(Task.due_at > tx.now, Task.due_at <= end_today),
            upcoming=section(Task.due_at > end_today, Task.due_at <= end_week),
            no_next_step=_no_next_step(tx, project.pk, limit),
            time_zone=project.time_zone,
            date=today,
        )


def _no_next_step(tx: Tx, project_pk: int, limit: int) -> list[NoNextStep]:
    """Companies in an open stage with no open next step, largest deal first."""
    rows = tx.session.execute(
        select(Company.id, Company.name, Stage.name, Company.deal_value_cents)
        .join(Stage, Stage.pk == Company.stage_pk)
        .where(
            Company.project_pk == project_pk,
            Stage.kind == StageKind.OPEN.value,
            ~has_open_task(),
        )
        .order_by(func.coalesce(Company.deal_value_cents, -1).desc(), Company.pk)
        .limit(limit)
    )
    return [
        NoNextStep(company_id=cid, company_name=name, stage=stage, deal_value=from_cents(cents))
        for cid, name, stage, cents in rows
    ]
