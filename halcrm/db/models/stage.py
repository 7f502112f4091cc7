"""A pipeline stage of a project.

Its columns are declared in ``halcrm/db/tables/stage.py``; the annotations here only type
the mapped attributes."""

from sqlalchemy.orm import Mapped

from halcrm.db.base import Base
from halcrm.db.tables.stage import stages


class Stage(Base):
    __table__ = stages

    pk: Mapped[int]
    id: Mapped[str]
    project_pk: Mapped[int]
    name: Mapped[str]
    name_key: Mapped[str]
    position: Mapped[int]
    kind: Mapped[str]
    probability: Mapped[int]
    stall_after_days: Mapped[int | None]
