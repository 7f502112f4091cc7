"""A next step: a dated commitment on a company ("call Jane", "send the proposal").

Its columns are declared in ``halcrm/db/tables/task.py``; the annotations here only type
the mapped attributes."""

from datetime import datetime

from sqlalchemy.orm import Mapped

from halcrm.db.base import Base
from halcrm.db.tables.task import tasks


class Task(Base):
    __table__ = tasks

    pk: Mapped[int]
    id: Mapped[str]
    project_pk: Mapped[int]
    company_pk: Mapped[int]
    contact_pk: Mapped[int | None]
    title: Mapped[str]
    kind: Mapped[str]
    notes: Mapped[str | None]
    due: Mapped[str]
    due_at: Mapped[datetime]
    all_day: Mapped[bool]
    status: Mapped[str]
    source: Mapped[str]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
