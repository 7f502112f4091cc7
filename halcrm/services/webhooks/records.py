"""Answers of the webhooks: endpoints (the secret only where the contract shows it) and
deliveries."""

from __future__ import annotations

from datetime import datetime

import msgspec

from halcrm.db.models import WebhookDelivery, WebhookEndpoint


class WebhookRecord(msgspec.Struct, kw_only=True):
    id: str
    url: str
    events: list[str]
    description: str | None
    format: str
    allow_private: bool
    enabled: bool
    disabled_reason: str | None
    created_at: datetime
    # Since when every attempt has failed (null while it delivers): the board's warning.
    failing_since: datetime | None = None


class WebhookWithSecret(WebhookRecord, kw_only=True):
    """The create answer and ``GET /api/webhooks/{id}``: the only places the secret shows."""

    secret: str


class DeliveryRecord(msgspec.Struct, kw_only=True):
    id: str
    endpoint_id: str
    type: str
    status: str
    attempts: int
    last_status: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None


class EndpointOverview(msgspec.Struct, kw_only=True):
    """An endpoint and its last deliveries (the board's webhooks screen)."""

    endpoint: WebhookRecord
    deliveries: list[DeliveryRecord]

    @property
    def failing(self) -> bool:
        """Enabled, and every attempt since its last delivery failed."""
        return self.endpoint.enabled and self.endpoint.failing_since is not None


def endpoint_record(row: WebhookEndpoint) -> WebhookRecord:
    return WebhookRecord(
        id=row.id,
        url=row.url,
        events=list(row.events),
        description=row.description,
        format=row.format,
        allow_private=row.allow_private,
        enabled=row.enabled,
        disabled_reason=row.disabled_reason,
        created_at=row.created_at,
        failing_since=row.failing_since,
    )


def with_secret(row: WebhookEndpoint) -> WebhookWithSecret:
    fields = msgspec.structs.asdict(endpoint_record(row))
    return WebhookWithSecret(**fields, secret=row.secret)


def delivery_record(row: WebhookDelivery, endpoint_id: str) -> DeliveryRecord:
    return DeliveryRecord(
        id=row.id,
        endpoint_id=endpoint_id,
        type=row.type,
        status=row.status,
        attempts=row.attempts,
        last_status=row.last_status,
        last_error=row.last_error,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
    )
