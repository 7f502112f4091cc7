"""A website visitor, anonymous until identified as a contact."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from halcrm.db.base import Base, JSONType


class Visitor(Base):
    __tablename__ = "visitors"
    __table_args__ = (UniqueConstraint("project_pk", "visitor_id"),)

    pk: Mapped[int] = mapped_column(primary_key=True)
    project_pk: Mapped[int] = mapped_column(ForeignKey("projects.pk", ondelete="CASCADE"))
    visitor_id: Mapped[str] = mapped_column(String(200))
    contact_pk: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.pk", ondelete="SET NULL"), index=True
    )
    active_company_pk: Mapped[int | None] = mapped_column(
        ForeignKey("companies.pk", ondelete="SET NULL")
    )
    properties: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # What this visitor's user_hash proved: its visitor_id, or the user_id/email it claimed.
    verified_identity: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
