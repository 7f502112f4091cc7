"""The audit of every stage write, applied or skipped.

Its columns are declared in ``halcrm/db/tables/stage_change.py``; the annotations here only type
the mapped attributes."""

from datetime import datetime

from sqlalchemy.orm import Mapped

from halcrm.db.base import Base
from halcrm.db.tables.stage_change import stage_changes


class StageChange(Base):
    __table__ = stage_changes

    pk: Mapped[int]
    id: Mapped[str]
    project_pk: Mapped[int]
    company_pk: Mapped[int]
    from_stage_id: Mapped[str | None]
    from_stage_name: Mapped[str | None]
    requested_stage_id: Mapped[str | None]
    requested_stage_name: Mapped[str | None]
    to_stage_id: Mapped[str | None]
    to_stage_name: Mapped[str | None]
    mode: Mapped[str]
    source: Mapped[str]
    applied: Mapped[bool]
    reason: Mapped[str | None]
    note: Mapped[str | None]
    created_at: Mapped[datetime]
