"""A tracked event (a product milestone) of a visitor, contact or company."""

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table

from halcrm.db.types import JSONType, UTCDateTime, metadata

events = Table(
    "events",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("id", String(64), unique=True, nullable=False),
    Column("project_pk", Integer, ForeignKey("projects.pk", ondelete="CASCADE"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("value", JSONType, nullable=True),
    Column("visitor_pk", Integer, ForeignKey("visitors.pk", ondelete="SET NULL")),
    Column("contact_pk", Integer, ForeignKey("contacts.pk", ondelete="SET NULL"), index=True),
    Column("company_pk", Integer, ForeignKey("companies.pk", ondelete="CASCADE")),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_events_company", "company_pk", "pk"),
    # The focus lane's hinted milestones of the last days.
    Index("ix_events_project_name", "project_pk", "name", "created_at"),
)
