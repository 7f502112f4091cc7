"""Reads of next steps shared by the tasks area, the company records and the board's models.

Explicit Core selects returning plain rows: a company list, the agenda and the focus lane read
many tasks at once.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, select

from halcrm.db.models import Company, Contact, Project, Task
from halcrm.db.tx import ProjectKeys, Tx
from halcrm.domain.due import DueState, due_state, zone
from halcrm.domain.errors import InvalidRequest
from halcrm.services.tasks.records import NextStep, TaskRecord

TASK_COLUMNS = (
    Task.pk,
    Task.id,
    Company.id,
    Company.name,
    Contact.id,
    Task.title,
    Task.kind,
    Task.notes,
    Task.due,
    Task.due_at,
    Task.status,
    Task.source,
    Task.created_at,
    Task.updated_at,
    Task.done_at,
)


def task_select() -> Any:
    """Tasks with their company's id and name and their contact's id."""
    return (
        select(*TASK_COLUMNS)
        .join(Company, Company.pk == Task.company_pk)
        .outerjoin(Contact, Contact.pk == Task.contact_pk)
    )


def project_zone(tx: Tx, project: ProjectKeys) -> ZoneInfo:
    """The project's time zone (its name is checked when it is set)."""
    found = getattr(project, "time_zone", None)
    if found is None:
        found = tx.session.scalar(select(Project.time_zone).where(Project.pk == project.pk))
    return zone(found or "UTC")


def task_from_row(row: Any, now: datetime, tz: ZoneInfo) -> TaskRecord:
    (_, task_id, company_id, company_name, contact_id, title, kind, notes, due, due_at) = row[:10]
    status, source, created_at, updated_at, done_at = row[10:]
    return TaskRecord(
        id=task_id,
        company_id=company_id,
        company_name=company_name,
        contact_id=contact_id,
        title=title,
        kind=kind,
        notes=notes,
        due=due,
        due_at=due_at,
        status=status,
        state=due_state(due_at, now, tz, done=status == "done").value,
        source=source,
        created_at=created_at,
        updated_at=updated_at,
        done_at=done_at,
    )


def task_records(tx: Tx, stmt: Any, tz: ZoneInfo) -> list[TaskRecord]:
    return [task_from_row(row, tx.now, tz) for row in tx.session.execute(stmt)]


def next_steps(
    tx: Tx, company_pks: Sequence[int], tz: ZoneInfo
) -> tuple[dict[int, NextStep], set[int]]:
    """Each company's earliest open next step (by due time, then creation), and the companies
    with a plan: an open next step due today or later (``planned``)."""
    out: dict[int, NextStep] = {}
    plans: set[int] = set()
    if not company_pks:
        return out, plans
    rows = tx.session.execute(
        select(Task.company_pk, Task.id, Task.title, Task.due, Task.due_at)
        .where(Task.company_pk.in_(list(company_pks)), Task.status == "open")
        .order_by(Task.company_pk, Task.due_at, Task.pk)
    )
    for company_pk, task_id, title, due, due_at in rows:
        if due_at > tx.now:
            plans.add(company_pk)
        if company_pk not in out:
            state = due_state(due_at, tx.now, tz).value
            out[company_pk] = NextStep(id=task_id, title=title, due=due, state=state, due_at=due_at)
    return out, plans


def next_step_state(step: NextStep | None) -> str:
    return step.state if step is not None else DueState.NONE.value


def has_plan(now: datetime) -> Any:
    """SQL: the company (``Company``) has an open next step due today or later."""
    return exists().where(
        and_(Task.company_pk == Company.pk, Task.status == "open", Task.due_at > now)
    )


def has_open_task() -> Any:
    """SQL: the company (``Company``) has an open next step, overdue or not."""
    return exists().where(and_(Task.company_pk == Company.pk, Task.status == "open"))


def encode_cursor(due_at: datetime, pk: int) -> str:
    raw = f"{due_at.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, _, pk = raw.partition("|")
        return datetime.fromisoformat(when), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidRequest("cursor is not valid", field="cursor") from None
