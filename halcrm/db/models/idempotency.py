"""A write's idempotency key and its first answer, replayed to repeats for 24 hours."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from halcrm.db.base import Base


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (
        # One answer per key, project and route: concurrent repeats meet here and one retries.
        UniqueConstraint("project_pk", "route", "key"),
        Index("ix_idempotency_keys_created", "created_at"),
    )

    pk: Mapped[int] = mapped_column(primary_key=True)
    project_pk: Mapped[int] = mapped_column(ForeignKey("projects.pk", ondelete="CASCADE"))
    route: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the request body: the same key with another body is refused (409).
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int]
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
