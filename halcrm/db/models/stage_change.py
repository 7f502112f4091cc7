"""The audit of every stage write, applied or skipped."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from halcrm.db.base import Base


class StageChange(Base):
    __tablename__ = "stage_changes"
    __table_args__ = (Index("ix_stage_changes_company", "company_pk", "pk"),)

    pk: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    project_pk: Mapped[int] = mapped_column(ForeignKey("projects.pk", ondelete="CASCADE"))
    company_pk: Mapped[int] = mapped_column(ForeignKey("companies.pk", ondelete="CASCADE"))
    # Names are copied, not referenced: the audit must survive a stage being renamed or deleted.
    from_stage_id: Mapped[str | None] = mapped_column(String(64))
    from_stage_name: Mapped[str | None] = mapped_column(String(100))
    requested_stage_id: Mapped[str | None] = mapped_column(String(64))
    requested_stage_name: Mapped[str | None] = mapped_column(String(100))
    to_stage_id: Mapped[str | None] = mapped_column(String(64))
    to_stage_name: Mapped[str | None] = mapped_column(String(100))
    mode: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))
    applied: Mapped[bool]
    reason: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
