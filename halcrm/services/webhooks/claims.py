"""The delivery loop's transactions: claim due deliveries, record what an attempt gave.

A claim holds a delivery for ``LEASE`` (longer than an attempt may take): a process killed
mid-send leaves it to be claimed again when that runs out. On PostgreSQL the claim skips rows
another process has locked (``FOR UPDATE SKIP LOCKED``); SQLite has one writer at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select

from halcrm.db.models import WebhookDelivery, WebhookEndpoint
from halcrm.db.tx import Tx
from halcrm.services.webhooks.outbox import DELIVERED, FAILED, PENDING
from halcrm.services.webhooks.schedule import DISABLE_AFTER, TIMEOUT_SECONDS

LEASE = timedelta(seconds=TIMEOUT_SECONDS * 3)


@dataclass(frozen=True)
class Claimed:
    """One delivery to send, with what its endpoint says about sending it."""

    pk: int
    id: str
    type: str
    payload: dict[str, Any]
    endpoint_pk: int
    url: str
    secret: str
    format: str
    allow_private: bool


@dataclass(frozen=True)
class Outcome:
    pk: int
    ok: bool
    status: int | None
    error: str | None


def _due(now: datetime) -> Any:
    return (
        WebhookDelivery.status == PENDING,
        WebhookDelivery.next_attempt_at <= now,
        or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now),
        WebhookEndpoint.enabled.is_(True),
    )


def claim(tx: Tx, limit: int) -> list[Claimed]:
    """Takes up to ``limit`` due deliveries for ``LEASE``."""
    stmt = (
        select(WebhookDelivery, WebhookEndpoint)
        .join(WebhookEndpoint, WebhookEndpoint.pk == WebhookDelivery.endpoint_pk)
        .where(*_due(tx.now))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.pk)
        .limit(limit)
    )
    if not tx.is_sqlite:
        stmt = stmt.with_for_update(skip_locked=True, of=WebhookDelivery)
    taken = []
    for delivery, endpoint in tx.session.execute(stmt):
        delivery.locked_until = tx.now + LEASE
        taken.append(
            Claimed(
                pk=delivery.pk,
                id=delivery.id,
                type=delivery.type,
                payload=dict(delivery.payload),
                endpoint_pk=endpoint.pk,
                url=endpoint.url,
                secret=endpoint.secret,
                format=endpoint.format,
                allow_private=endpoint.allow_private,
            )
        )
    return taken


def next_due(tx: Tx) -> datetime | None:
    """When the next pending delivery (of an enabled endpoint) may be claimed, if any: its
    due time, or the end of another sender's claim on it."""
    locked = WebhookDelivery.locked_until > WebhookDelivery.next_attempt_at
    when = case((locked, WebhookDelivery.locked_until), else_=WebhookDelivery.next_attempt_at)
    stmt = (
        select(func.min(when))
        .join(WebhookEndpoint, WebhookEndpoint.pk == WebhookDelivery.endpoint_pk)
        .where(WebhookDelivery.status == PENDING, WebhookEndpoint.enabled.is_(True))
    )
    found = tx.session.scalar(stmt)
    if isinstance(found, str):  # SQLite's aggregate of a CASE comes back as its text
        found = datetime.fromisoformat(found)
    if found is not None and found.tzinfo is None:
        found = found.replace(tzinfo=UTC)
    return found


def settle(tx: Tx, outcome: Outcome, schedule: tuple[float, ...]) -> None:
    """Records an attempt: delivered, due again after the schedule's wait, or failed; an
    endpoint that has failed for ``DISABLE_AFTER`` is disabled."""
    delivery = tx.session.get(WebhookDelivery, outcome.pk, with_for_update=not tx.is_sqlite)
    if delivery is None:
        return  # its endpoint was deleted meanwhile
    endpoint = tx.session.get(WebhookEndpoint, delivery.endpoint_pk)
    assert endpoint is not None
    delivery.attempts += 1
    delivery.last_status = outcome.status
    delivery.last_error = outcome.error[:500] if outcome.error else None
    delivery.locked_until = None
    if outcome.ok:
        delivery.status = DELIVERED
        delivery.delivered_at = tx.now
        delivery.next_attempt_at = None
        endpoint.failing_since = None
        return
    if delivery.attempts > len(schedule):
        delivery.status = FAILED
        delivery.next_attempt_at = None
    else:
        delivery.status = PENDING
        delivery.next_attempt_at = tx.now + timedelta(seconds=schedule[delivery.attempts - 1])
    if endpoint.failing_since is None:
        endpoint.failing_since = tx.now
    elif endpoint.enabled and tx.now - endpoint.failing_since >= DISABLE_AFTER:
        endpoint.enabled = False
        endpoint.disabled_reason = (
            f"every delivery failed for {DISABLE_AFTER.days} days (last: {delivery.last_error})"
        )
