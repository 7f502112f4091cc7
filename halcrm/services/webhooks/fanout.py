"""The fan-out: the deliveries committed events named (``Activity.hooks``) become rows.

A change's transaction only names the endpoints that want its event (``outbox.Outbox.named``);
the delivery loop, and a listing of deliveries, make the rows here, in one transaction per
batch: the events after the cursor (``webhook_fanout``, one row) in stream order, each
kind's payload built as the change's transaction would have (``events.data_for``), the
delivery rows inserted by one executemany, the cursor moved past the batch. A process killed
after a change's commit leaves the cursor behind it, so the next start makes its deliveries;
a crash mid-batch rolls the batch back whole, so none is made twice.

The stream order is commit-safe (``db.events``): on PostgreSQL only events below the
horizon of running transactions are read, so one that commits late below the cursor is never
passed over; and the cursor's row is locked ``FOR UPDATE SKIP LOCKED`` (the loop) or waited
for (a listing), so two processes never make the same deliveries.

What a delivery says is read when it is made, usually milliseconds after the change: a
contact's email or a stage's id as they are then (a change's own values, names and amounts,
are in its event).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update

from halcrm.db.event_log import hooked_after, hooked_exists
from halcrm.db.tables import webhook_deliveries, webhook_endpoints, webhook_fanout
from halcrm.db.tx import ProjectRef, Tx
from halcrm.services.webhooks import events
from halcrm.services.webhooks.outbox import PENDING, message_id, parse_hooks, payload

# Events a batch reads at most (their deliveries are one executemany).
BATCH = 500
CURSOR = 1

_POSITION: Any = select(webhook_fanout.c.position).where(webhook_fanout.c.pk == CURSOR)
_INSERT: Any = insert(webhook_deliveries)


def waiting_clause(is_sqlite: bool) -> Any:
    """``EXISTS`` a committed event after the cursor that names deliveries not made yet, the
    cursor read in the same statement (one indexed look-up)."""
    return hooked_exists(is_sqlite, _POSITION.scalar_subquery())


@dataclass(frozen=True, slots=True)
class Made:
    """What a batch did: events read (``BATCH`` of them: more wait) and deliveries made."""

    events: int
    deliveries: int


def waiting(tx: Tx) -> bool:
    """Whether a committed event names deliveries not made yet."""
    return bool(tx.conn.execute(select(waiting_clause(tx.is_sqlite))).scalar())


def fan_out(tx: Tx, limit: int = BATCH, *, wait: bool = False) -> Made:
    """Makes the deliveries of up to ``limit`` events after the cursor and moves it past them.

    On PostgreSQL a cursor another process holds is skipped (it is making them), or waited
    for with ``wait`` (a listing must show what that process is making)."""
    stmt = _POSITION
    if not tx.is_sqlite:
        stmt = stmt.with_for_update(skip_locked=not wait)
    position = tx.run(stmt).scalar()
    if position is None:
        return Made(0, 0)
    found = hooked_after(tx.conn, position, limit)
    if not found:
        return Made(0, 0)
    named = [(row, event, parse_hooks(row.hooks)) for row, event in found]
    keys = {pk for _, _, hooks in named for _, pks in hooks for pk in pks}
    # An endpoint deleted since is left out; a disabled one keeps its deliveries (waiting).
    existing = set(
        tx.run(select(webhook_endpoints.c.pk).where(webhook_endpoints.c.pk.in_(keys))).scalars()
    )
    rows: list[dict[str, Any]] = []
    for row, event, hooks in named:
        project = ProjectRef(row.project_pk, row.project_id)
        for kind, pks in hooks:
            wanting = [pk for pk in pks if pk in existing]
            data = events.data_for(tx, project, event, kind) if wanting else None
            if data is None:
                continue
            body = payload(kind, event.at, data)
            rows.extend(_delivery(tx, pk, kind, body) for pk in wanting)
    if rows:
        tx.run(_INSERT, rows)
    tx.run(
        update(webhook_fanout).where(webhook_fanout.c.pk == CURSOR).values(position=found[-1][1].id)
    )
    return Made(len(found), len(rows))


def _delivery(tx: Tx, endpoint_pk: int, kind: str, body: str) -> dict[str, Any]:
    return {
        "id": message_id(),
        "endpoint_pk": endpoint_pk,
        "type": kind,
        "payload": body,
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": tx.now,
        "created_at": tx.now,
    }
