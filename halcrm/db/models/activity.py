"""The activity log: every committed domain event, the source of the feed and of SSE replay.

Its columns are declared in ``halcrm/db/tables/activity.py``; the annotations here only type
the mapped attributes."""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Mapped

from halcrm.db.base import Base
from halcrm.db.tables.activity import activity


class Activity(Base):
    __table__ = activity

    pk: Mapped[int]
    project_pk: Mapped[int]
    kind: Mapped[str]
    source: Mapped[str]
    summary: Mapped[str]
    company_id: Mapped[str | None]
    company_name: Mapped[str | None]
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    seq: Mapped[int | None]
    hooks: Mapped[str | None]
