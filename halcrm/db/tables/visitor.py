"""A website visitor, anonymous until identified as a contact."""

from sqlalchemy import Column, ForeignKey, Integer, String, Table, UniqueConstraint

from halcrm.db.types import JSONType, UTCDateTime, metadata

visitors = Table(
    "visitors",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("project_pk", Integer, ForeignKey("projects.pk", ondelete="CASCADE"), nullable=False),
    Column("visitor_id", String(200), nullable=False),
    Column("contact_pk", Integer, ForeignKey("contacts.pk", ondelete="SET NULL"), index=True),
    Column("active_company_pk", Integer, ForeignKey("companies.pk", ondelete="SET NULL")),
    Column("properties", JSONType, default=dict, nullable=False),
    # What this visitor's user_hash proved: its visitor_id, or the user_id/email it claimed.
    Column("verified_identity", String(320)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    UniqueConstraint("project_pk", "visitor_id"),
)
