"""A tracked event (a product milestone) of a visitor, contact or company."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from halcrm.db.base import Base, JSONType


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_company", "company_pk", "pk"),
        # The focus lane's hinted milestones of the last days.
        Index("ix_events_project_name", "project_pk", "name", "created_at"),
    )

    pk: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    project_pk: Mapped[int] = mapped_column(ForeignKey("projects.pk", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    value: Mapped[Any] = mapped_column(JSONType, nullable=True)
    visitor_pk: Mapped[int | None] = mapped_column(ForeignKey("visitors.pk", ondelete="SET NULL"))
    contact_pk: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.pk", ondelete="SET NULL"), index=True
    )
    company_pk: Mapped[int | None] = mapped_column(ForeignKey("companies.pk", ondelete="CASCADE"))
    created_at: Mapped[datetime]
