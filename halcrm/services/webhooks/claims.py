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

from halcrm.db.tables import webhook_deliveries, webhook_endpoints
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
        webhook_deliveries.c.status == PENDING,
        webhook_deliveries.c.next_attempt_at <= now,
        webhook_endpoints.c.enabled.is_(True),
    )


_CLAIM_COLUMNS = (
    webhook_deliveries.c.pk,
    webhook_deliveries.c.id,
    webhook_deliveries.c.type,
    webhook_deliveries.c.payload,
    webhook_endpoints.c.pk,
    webhook_endpoints.c.url,
    webhook_endpoints.c.secret,
    webhook_endpoints.c.format,
    webhook_endpoints.c.allow_private,
)


def claim(tx: Tx, limit: int) -> list[Claimed]:
    """Takes up to ``limit`` due deliveries for ``LEASE`` (two statements, whatever the
    number)."""
    stmt = (
        select(*_CLAIM_COLUMNS)
        .join(webhook_endpoints, webhook_endpoints.c.pk == webhook_deliveries.c.endpoint_pk)
        .where(*_due(tx.now))
        .order_by(webhook_deliveries.c.next_attempt_at)  # the index's order: no sort of a backlog
        .limit(limit)
    )
    if not tx.is_sqlite:
        stmt = stmt.with_for_update(skip_locked=True, of=webhook_deliveries)
    found: Sequence[Any] = tx.run(stmt).all()
    taken = [Claimed(*row) for row in found]
    if taken:
        tx.run(
            update(webhook_deliveries)
            .where(webhook_deliveries.c.pk.in_([c.pk for c in taken]))
            .values(next_attempt_at=tx.now + LEASE)
        )
    return taken


NEXT_DUE: Any = (
    select(webhook_deliveries.c.next_attempt_at)
    .join(webhook_endpoints, webhook_endpoints.c.pk == webhook_deliveries.c.endpoint_pk)
    .where(webhook_deliveries.c.status == PENDING, webhook_endpoints.c.enabled.is_(True))
    .order_by(webhook_deliveries.c.next_attempt_at)
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
        tx.run(
            update(webhook_deliveries)
            .where(webhook_deliveries.c.pk.in_(pks))
            .values(
                status=DELIVERED,
                attempts=webhook_deliveries.c.attempts + 1,
                last_status=status,
                last_error=None,
                next_attempt_at=None,
                delivered_at=tx.now,
            )
        )
    if by_status:
        delivered = select(webhook_deliveries.c.endpoint_pk).where(
            webhook_deliveries.c.pk.in_([pk for pks in by_status.values() for pk in pks])
        )
        tx.run(
            update(webhook_endpoints)
            .where(
                webhook_endpoints.c.pk.in_(delivered),
                webhook_endpoints.c.failing_since.is_not(None),
            )
            .values(failing_since=None)
        )
    for outcome in outcomes:
        if not outcome.ok:
            _failed(tx, outcome, schedule)


def _failed(tx: Tx, outcome: Outcome, schedule: tuple[float, ...]) -> None:
    found = (
        select(
            webhook_deliveries.c.attempts,
            webhook_deliveries.c.endpoint_pk,
            webhook_endpoints.c.failing_since,
            webhook_endpoints.c.enabled,
        )
        .join(webhook_endpoints, webhook_endpoints.c.pk == webhook_deliveries.c.endpoint_pk)
        .where(webhook_deliveries.c.pk == outcome.pk)
    )
    if not tx.is_sqlite:
        found = found.with_for_update(of=webhook_deliveries)
    row = tx.run(found).first()
    if row is None:
        return  # its endpoint was deleted meanwhile
    attempts = row.attempts + 1
    error = outcome.error[:500] if outcome.error else None
    spent = attempts > len(schedule)
    tx.run(
        update(webhook_deliveries)
        .where(webhook_deliveries.c.pk == outcome.pk)
        .values(
            attempts=attempts,
            last_status=outcome.status,
            last_error=error,
            status=FAILED if spent else PENDING,
            next_attempt_at=None if spent else tx.now + timedelta(seconds=schedule[attempts - 1]),
        )
    )
    failing: dict[str, Any] = {}
    if row.failing_since is None:
        failing["failing_since"] = tx.now
    elif row.enabled and tx.now - row.failing_since >= DISABLE_AFTER:
        failing["enabled"] = False
        failing["disabled_reason"] = (
            f"every delivery failed for {DISABLE_AFTER.days} days (last: {error})"
        )
    if failing:
        tx.run(
            update(webhook_endpoints)
            .where(webhook_endpoints.c.pk == row.endpoint_pk)
            .values(failing)
        )
