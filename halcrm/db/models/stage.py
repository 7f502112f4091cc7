"""A pipeline stage of a project."""

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from halcrm.db.base import Base


class Stage(Base):
    __tablename__ = "stages"
    __table_args__ = (
        UniqueConstraint("project_pk", "id"),
        # Names are unique per project, compared case-insensitively through the folded key.
        UniqueConstraint("project_pk", "name_key"),
    )

    pk: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[str] = mapped_column(String(64))
    project_pk: Mapped[int] = mapped_column(ForeignKey("projects.pk", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))
    probability: Mapped[int] = mapped_column(default=0)
    stall_after_days: Mapped[int | None]
