"""Reads of next steps shared by the tasks area, the company records and the board's models.

Explicit Core selects returning plain rows: a company list, the agenda and the focus lane read
many tasks at once.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, select

from halcrm.db.tables import companies, contacts, projects, tasks
from halcrm.db.tx import ProjectKeys, Tx
from halcrm.domain.due import DueState, due_state, zone
from halcrm.domain.errors import InvalidRequest
from halcrm.services.tasks.records import NextStep, TaskRecord

TASK_COLUMNS = (
    tasks.c.pk,
    tasks.c.id,
    companies.c.id,
    companies.c.name,
    contacts.c.id,
    tasks.c.title,
    tasks.c.kind,
    tasks.c.notes,
    tasks.c.due,
    tasks.c.due_at,
    tasks.c.status,
    tasks.c.source,
    tasks.c.created_at,
    tasks.c.updated_at,
    tasks.c.done_at,
)


def task_select() -> Any:
    """Tasks with their company's id and name and their contact's id."""
    return (
        select(*TASK_COLUMNS)
        .join(companies, companies.c.pk == tasks.c.company_pk)
        .outerjoin(contacts, contacts.c.pk == tasks.c.contact_pk)
    )


def project_zone(tx: Tx, project: ProjectKeys) -> ZoneInfo:
    """The project's time zone (its name is checked when it is set)."""
    found = getattr(project, "time_zone", None)
    if found is None:
        found = tx.run(select(projects.c.time_zone).where(projects.c.pk == project.pk)).scalar()
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
    return [task_from_row(row, tx.now, tz) for row in tx.run(stmt)]


def next_steps(
    tx: Tx, company_pks: Sequence[int], tz: ZoneInfo
) -> tuple[dict[int, NextStep], set[int]]:
    """Each company's earliest open next step (by due time, then creation), and the companies
    with a plan: an open next step due today or later (``planned``)."""
    out: dict[int, NextStep] = {}
    plans: set[int] = set()
    if not company_pks:
        return out, plans
    rows: Iterable[Any] = tx.run(
        select(tasks.c.company_pk, tasks.c.id, tasks.c.title, tasks.c.due, tasks.c.due_at)
        .where(tasks.c.company_pk.in_(list(company_pks)), tasks.c.status == "open")
        .order_by(tasks.c.company_pk, tasks.c.due_at, tasks.c.pk)
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
    """SQL: the company (``companies``) has an open next step due today or later."""
    return exists().where(
        and_(
            tasks.c.company_pk == companies.c.pk,
            tasks.c.status == "open",
            tasks.c.due_at > now,
        )
    )


def has_open_task() -> Any:
    """SQL: the company (``companies``) has an open next step, overdue or not."""
    return exists().where(and_(tasks.c.company_pk == companies.c.pk, tasks.c.status == "open"))


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
