"""Answers of the webhooks: endpoints (the secret only where the contract shows it) and
deliveries."""

from __future__ import annotations

from datetime import datetime

import msgspec

# The board's webhooks screen shows this many of each endpoint's deliveries.
LAST_DELIVERIES = 5


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
