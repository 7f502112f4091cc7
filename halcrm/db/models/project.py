"""A project: one founder's app; everything else is scoped to one.

Its columns are declared in ``halcrm/db/tables/project.py``; the annotations here only type
the mapped attributes."""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Mapped

from halcrm.db.base import Base
from halcrm.db.tables.project import projects


class Project(Base):
    __table__ = projects

    pk: Mapped[int]
    id: Mapped[str]
    name: Mapped[str]
    stage_update_mode: Mapped[str]
    identity_verification: Mapped[str]
    secret: Mapped[str]
    previous_secret: Mapped[str | None]
    secret_rotated_at: Mapped[datetime | None]
    generation: Mapped[int]
    created_at: Mapped[datetime]
    time_zone: Mapped[str]
    stage_hints: Mapped[dict[str, Any]]
