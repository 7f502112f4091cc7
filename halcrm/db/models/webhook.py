"""Webhook endpoints, their deliveries (the outbox), and the notices sent once per item.

Their columns are declared in ``halcrm/db/tables/webhook.py``; the annotations here only type
the mapped attributes."""

from datetime import datetime

from sqlalchemy.orm import Mapped

from halcrm.db.base import Base
from halcrm.db.tables.webhook import (
    webhook_deliveries,
    webhook_endpoints,
    webhook_fanout,
    webhook_notices,
)


class WebhookEndpoint(Base):
    __table__ = webhook_endpoints

    pk: Mapped[int]
    id: Mapped[str]
    project_pk: Mapped[int]
    url: Mapped[str]
    events: Mapped[list[str]]
    description: Mapped[str | None]
    format: Mapped[str]
    allow_private: Mapped[bool]
    secret: Mapped[str]
    enabled: Mapped[bool]
    disabled_reason: Mapped[str | None]
    failing_since: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WebhookDelivery(Base):
    __table__ = webhook_deliveries

    pk: Mapped[int]
    id: Mapped[str]
    endpoint_pk: Mapped[int]
    type: Mapped[str]
    payload: Mapped[str]
    status: Mapped[str]
    attempts: Mapped[int]
    last_status: Mapped[int | None]
    last_error: Mapped[str | None]
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class WebhookFanout(Base):
    """One row: the event stream position up to which the deliveries events named were made."""

    __table__ = webhook_fanout

    pk: Mapped[int]
    position: Mapped[int]


class WebhookNotice(Base):
    """A time-driven event (a deal stalled, a next step overdue) already queued for one item."""

    __table__ = webhook_notices

    pk: Mapped[int]
    project_pk: Mapped[int]
    type: Mapped[str]
    subject: Mapped[str]
    created_at: Mapped[datetime]
