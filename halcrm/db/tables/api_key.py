"""Public API keys, stored hashed; the secret is shown once."""

from sqlalchemy import Column, ForeignKey, Integer, String, Table

from halcrm.db.types import UTCDateTime, metadata

api_keys = Table(
    "api_keys",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("id", String(64), unique=True, nullable=False),
    Column("project_pk", Integer, ForeignKey("projects.pk", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("prefix", String(20), nullable=False),
    Column("key_hash", String(128), unique=True, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
)
