"""A write's idempotency key and its first answer, replayed to repeats for 24 hours."""

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
)

from halcrm.db.types import UTCDateTime, metadata

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("project_pk", Integer, ForeignKey("projects.pk", ondelete="CASCADE"), nullable=False),
    Column("route", String(300), nullable=False),
    Column("key", String(255), nullable=False),
    # SHA-256 of the request body: the same key with another body is refused (409).
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # One answer per key, project and route: concurrent repeats meet here and one retries.
    UniqueConstraint("project_pk", "route", "key"),
    Index("ix_idempotency_keys_created", "created_at"),
)
