"""A contact: a person, found by email or by the app's user id."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from halcrm.db.base import Base, JSONType


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("project_pk", "id"),
        # Stored lower-cased: the constraint makes concurrent identifies agree on one contact.
        UniqueConstraint("project_pk", "email"),
        UniqueConstraint("project_pk", "user_id"),
    )

    pk: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[str] = mapped_column(String(64))
    project_pk: Mapped[int] = mapped_column(ForeignKey("projects.pk", ondelete="CASCADE"))
    email: Mapped[str | None] = mapped_column(String(320))
    user_id: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    notes: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
