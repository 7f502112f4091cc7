"""Webhook endpoints, their deliveries (the outbox), and the notices sent once per item."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from halcrm.db.types import JSONType, UTCDateTime, metadata

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("id", String(40), unique=True, nullable=False),
    Column("project_pk", Integer, ForeignKey("projects.pk", ondelete="CASCADE"), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("events", JSONType, default=list, nullable=False),
    Column("description", String(500)),
    Column("format", String(20), nullable=False),
    Column("allow_private", Boolean, default=False, nullable=False),
    Column("secret", String(100), nullable=False),
    Column("enabled", Boolean, default=True, nullable=False),
    Column("disabled_reason", String(300)),
    # Since when every attempt has failed (null once one is delivered): 5 days of it disable.
    Column("failing_since", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_webhook_endpoints_project", "project_pk", "pk"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("id", String(40), unique=True, nullable=False),
    Column(
        "endpoint_pk",
        Integer,
        ForeignKey("webhook_endpoints.pk", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("type", String(60), nullable=False),
    # The standard body ({"type", "timestamp", "data"}) as it was when the change committed,
    # as the bytes sent: encoded once for all its endpoints, sent without decoding.
    Column("payload", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, default=0, nullable=False),
    Column("last_status", Integer),
    Column("last_error", String(500)),
    # When it may be sent (again); a sender's claim moves it past the attempt, so a killed
    # sender's claim runs out by itself.
    Column("next_attempt_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("delivered_at", UTCDateTime),
    Index("ix_webhook_deliveries_endpoint", "endpoint_pk", "pk"),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
)

# One row: the event stream position up to which the deliveries events named were made.
webhook_fanout = Table(
    "webhook_fanout",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=False),
    Column("position", BigInteger, nullable=False),
)

# A time-driven event (a deal stalled, a next step overdue) already queued for one item.
webhook_notices = Table(
    "webhook_notices",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("project_pk", Integer, ForeignKey("projects.pk", ondelete="CASCADE"), nullable=False),
    Column("type", String(60), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("project_pk", "type", "subject"),
)
