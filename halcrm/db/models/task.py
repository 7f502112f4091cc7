"""A next step: a dated commitment on a company ("call Jane", "send the proposal")."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from halcrm.db.base import Base


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("project_pk", "id"),
        Index("ix_tasks_project_due", "project_pk", "status", "due_at"),
        Index("ix_tasks_company_due", "company_pk", "status", "due_at"),
        Index("ix_tasks_contact", "contact_pk"),
    )

    pk: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[str] = mapped_column(String(64))
    project_pk: Mapped[int] = mapped_column(ForeignKey("projects.pk", ondelete="CASCADE"))
    company_pk: Mapped[int] = mapped_column(ForeignKey("companies.pk", ondelete="CASCADE"))
    contact_pk: Mapped[int | None] = mapped_column(ForeignKey("contacts.pk", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    # What the client sent (a date or an RFC 3339 date-time), answered back as given.
    due: Mapped[str] = mapped_column(String(40))
    # The instant it falls due (a date: the end of that day in the project's time zone): what
    # the lists order and filter by. A change of the project's zone moves the dates' instants.
    due_at: Mapped[datetime]
    all_day: Mapped[bool]
    # "open" or "done".
    status: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
