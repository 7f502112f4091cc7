"""The activity log: every committed domain event, the source of the feed and of SSE replay."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from halcrm.db.base import Base, JSONType


class Activity(Base):
    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_project", "project_pk", "pk"),
        Index("ix_activity_company", "project_pk", "company_id", "created_at"),
    )

    pk: Mapped[int] = mapped_column(primary_key=True)
    project_pk: Mapped[int] = mapped_column(ForeignKey("projects.pk", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(String(500))
    company_id: Mapped[str | None] = mapped_column(String(200))
    company_name: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime]
    # The event's stream position on PostgreSQL, numbered after commit (db/events.py); empty
    # on SQLite, whose primary keys are in commit order already.
    seq: Mapped[int | None] = mapped_column(BigInteger)
    # The endpoints that wanted this event when it was recorded, by webhook event type
    # ("company.created=3,5"), or null: the delivery loop makes their deliveries from it
    # (services/webhooks/fanout.py). Migration 0013 indexes these rows alone, in stream order.
    hooks: Mapped[str | None] = mapped_column(Text)
