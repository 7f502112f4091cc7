"""``halcrm export tasks``: every next step, open and done, in the columns ``halcrm import``
reads back (``task_import``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from halcrm.db.models import Company, Contact, Task
from halcrm.db.tx import Tx

PAGE = 1000
TASK_COLUMNS = (
    "id", "company_id", "company_name", "contact_id", "title", "kind", "due", "status",
    "notes", "source", "created_at", "updated_at", "done_at",
)  # fmt: skip


def _time(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def tasks_page(tx: Tx, project_id: str, after: int) -> tuple[list[dict[str, Any]], int | None]:
    """A page of the project's tasks in creation order (keyset by primary key)."""
    project = tx.project(project_id)
    stmt = (
        select(
            Task.pk, Task.id, Company.id, Company.name, Contact.id, Task.title, Task.kind,
            Task.due, Task.status, Task.notes, Task.source, Task.created_at, Task.updated_at,
            Task.done_at,
        )
        .join(Company, Company.pk == Task.company_pk)
        .outerjoin(Contact, Contact.pk == Task.contact_pk)
        .where(Task.project_pk == project.pk, Task.pk > after)
        .order_by(Task.pk)
        .limit(PAGE)
    )  # fmt: skip
    rows, last = [], None
    for pk, *values in tx.session.execute(stmt):
        last = pk
        row = dict(zip(TASK_COLUMNS, values, strict=True))
        for name in ("created_at", "updated_at", "done_at"):
            row[name] = _time(row[name])
        rows.append(row)
    return rows, last
