"""The delivery loop's transactions: claim due deliveries, record what an attempt gave.

A claim makes a delivery due again only after ``LEASE`` (longer than an attempt may take): a
process killed mid-send leaves it to be claimed again when that runs out, and the one index on
(status, due time) answers both "what is due" and "when is the next". On PostgreSQL the claim
skips rows another process has locked (``FOR UPDATE SKIP LOCKED``); SQLite has one writer at a
time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

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
    payload: str
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
        WebhookEndpoint.enabled.is_(True),
    )


_CLAIM_COLUMNS = (
    WebhookDelivery.pk,
    WebhookDelivery.id,
    WebhookDelivery.type,
    WebhookDelivery.payload,
    WebhookEndpoint.pk,
    WebhookEndpoint.url,
    WebhookEndpoint.secret,
    WebhookEndpoint.format,
    WebhookEndpoint.allow_private,
)


def claim(tx: Tx, limit: int) -> list[Claimed]:
    """Takes up to ``limit`` due deliveries for ``LEASE`` (two statements, whatever the
    number)."""
    stmt = (
        select(*_CLAIM_COLUMNS)
        .join(WebhookEndpoint, WebhookEndpoint.pk == WebhookDelivery.endpoint_pk)
        .where(*_due(tx.now))
        .order_by(WebhookDelivery.next_attempt_at)  # the index's order: no sort of a backlog
        .limit(limit)
    )
    if not tx.is_sqlite:
        stmt = stmt.with_for_update(skip_locked=True, of=WebhookDelivery)
    taken = [Claimed(*row) for row in tx.session.execute(stmt)]
    if taken:
        tx.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.pk.in_([c.pk for c in taken]))
            .values(next_attempt_at=tx.now + LEASE)
        )
    return taken


NEXT_DUE: Any = (
    select(WebhookDelivery.next_attempt_at)
    .join(WebhookEndpoint, WebhookEndpoint.pk == WebhookDelivery.endpoint_pk)
    .where(WebhookDelivery.status == PENDING, WebhookEndpoint.enabled.is_(True))
    .order_by(WebhookDelivery.next_attempt_at)
    .limit(1)
)


def next_due(tx: Tx) -> datetime | None:
    """When the next pending delivery (of an enabled endpoint) may be claimed, if any (the
    first in the due index's order: a backlog costs nothing here)."""
    row = tx.first(NEXT_DUE, {})
    return None if row is None else row[0]


def settle(tx: Tx, outcomes: Sequence[Outcome], schedule: tuple[float, ...]) -> None:
    """Records attempts: delivered, due again after the schedule's wait, or failed; an
    endpoint that has failed for ``DISABLE_AFTER`` is disabled. Deliveries that went through
    are recorded by one statement per answer status (the common case, and a busy one)."""
    by_status: dict[int | None, list[int]] = {}
    for outcome in outcomes:
        if outcome.ok:
            by_status.setdefault(outcome.status, []).append(outcome.pk)
    for status, pks in by_status.items():
        tx.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.pk.in_(pks))
            .values(
                status=DELIVERED,
                attempts=WebhookDelivery.attempts + 1,
                last_status=status,
                last_error=None,
                next_attempt_at=None,
                delivered_at=tx.now,
            )
        )
    if by_status:
        delivered = select(WebhookDelivery.endpoint_pk).where(
            WebhookDelivery.pk.in_([pk for pks in by_status.values() for pk in pks])
        )
        tx.session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.pk.in_(delivered), WebhookEndpoint.failing_since.is_not(None))
            .values(failing_since=None)
        )
    for outcome in outcomes:
        if not outcome.ok:
            _failed(tx, outcome, schedule)


def _failed(tx: Tx, outcome: Outcome, schedule: tuple[float, ...]) -> None:
    delivery = tx.session.get(WebhookDelivery, outcome.pk, with_for_update=not tx.is_sqlite)
    if delivery is None:
        return  # its endpoint was deleted meanwhile
    endpoint = tx.session.get(WebhookEndpoint, delivery.endpoint_pk)
    assert endpoint is not None
    delivery.attempts += 1
    delivery.last_status = outcome.status
    delivery.last_error = outcome.error[:500] if outcome.error else None
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
