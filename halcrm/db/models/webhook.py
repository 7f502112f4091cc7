"""Webhook endpoints, their deliveries (the outbox), and the notices sent once per item."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from halcrm.db.base import Base, JSONType


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_project", "project_pk", "pk"),)

    pk: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    project_pk: Mapped[int] = mapped_column(ForeignKey("projects.pk", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSONType, default=list)
    description: Mapped[str | None] = mapped_column(String(500))
    format: Mapped[str] = mapped_column(String(20))
    allow_private: Mapped[bool] = mapped_column(default=False)
    secret: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    # Since when every attempt has failed (null once one is delivered): 5 days of it disable.
    failing_since: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_endpoint", "endpoint_pk", "pk"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    pk: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    endpoint_pk: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.pk", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(60))
    # The standard body ({"type", "timestamp", "data"}) as it was when the change committed,
    # as the bytes sent: encoded once for all its endpoints, sent without decoding.
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    # When it may be sent (again); a sender's claim moves it past the attempt, so a killed
    # sender's claim runs out by itself.
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class WebhookFanout(Base):
    """One row: the event stream position up to which the deliveries events named were made."""

    __tablename__ = "webhook_fanout"

    pk: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(BigInteger)


class WebhookNotice(Base):
    """A time-driven event (a deal stalled, a next step overdue) already queued for one item."""

    __tablename__ = "webhook_notices"
    __table_args__ = (UniqueConstraint("project_pk", "type", "subject"),)

    pk: Mapped[int] = mapped_column(primary_key=True)
    project_pk: Mapped[int] = mapped_column(ForeignKey("projects.pk", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime]
