"""The activity log: every committed domain event, the source of the feed and of SSE replay."""

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text

from halcrm.db.types import JSONType, UTCDateTime, metadata

activity = Table(
    "activity",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("project_pk", Integer, ForeignKey("projects.pk", ondelete="CASCADE"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("source", String(20), nullable=False),
    Column("summary", String(500), nullable=False),
    Column("company_id", String(200)),
    Column("company_name", String(200)),
    Column("data", JSONType, default=dict, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # The event's stream position on PostgreSQL, numbered after commit (db/events.py); empty
    # on SQLite, whose primary keys are in commit order already.
    Column("seq", BigInteger),
    # The endpoints that wanted this event when it was recorded, by webhook event type
    # ("company.created=3,5"), or null: the delivery loop makes their deliveries from it
    # (services/webhooks/fanout.py). Migration 0013 indexes these rows alone, in stream order.
    Column("hooks", Text),
    Index("ix_activity_project", "project_pk", "pk"),
    Index("ix_activity_company", "project_pk", "company_id", "created_at"),
)
