"""The webhooks' rows as their answers: an endpoint (with its secret where the contract shows
it) and a delivery."""

from __future__ import annotations

import msgspec

from halcrm.db.models import WebhookDelivery, WebhookEndpoint
from halcrm.services.webhooks.records import DeliveryRecord, WebhookRecord, WebhookWithSecret


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
