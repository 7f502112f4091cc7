"""The outbox: a recorded event names, in its own row, the endpoints that want it.

Runs inside every ``Tx.record``, so it must cost nothing when a project has no endpoint: the
project's enabled endpoints are kept in memory by project generation (a change to the
endpoints gives the project a new one, migration 0009), and the generation is the one the
call read already when it has (widget calls do), else one indexed row. The names go in the
event row the change inserts anyway (``Activity.hooks``, migration 0013); the delivery loop
makes the delivery rows from it after the commit (``fanout.py``), so a change pays no
statement for its webhooks. ``queue`` inserts a delivery at once (a test, a notice).
"""

from __future__ import annotations

import json
import random
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select

from halcrm.db.tables import projects, webhook_deliveries, webhook_endpoints
from halcrm.db.tx import ProjectKeys, Tx
from halcrm.db.writer import Database
from halcrm.domain.events import DomainEvent
from halcrm.services.webhooks import events

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"

_GENERATION: Any = select(projects.c.generation).where(projects.c.pk == bindparam("pk"))
_ENABLED: Any = (
    select(webhook_endpoints.c.pk, webhook_endpoints.c.events)
    .where(webhook_endpoints.c.project_pk == bindparam("pk"), webhook_endpoints.c.enabled.is_(True))
    .order_by(webhook_endpoints.c.pk)
)


@dataclass(frozen=True, slots=True)
class Subscriber:
    pk: int
    events: frozenset[str]

    def wants(self, kind: str) -> bool:
        return "*" in self.events or kind in self.events


def rfc3339(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=str).encode


def payload(kind: str, at: datetime, data: dict[str, Any]) -> str:
    """The standard body's JSON text (compact, UTF-8)."""
    return _ENCODE({"type": kind, "timestamp": rfc3339(at), "data": data})


def message_id() -> str:
    """``msg_`` + the time in microseconds and 32 random bits: unique, and growing, so the
    unique index takes each new id at its end instead of at a random page. The bits come from
    ``random``, not ``secrets``: an id is no secret (it is sent in the clear), and a system
    call in the writer's transaction lets the event loop hold the writer up (the GIL)."""
    return f"msg_{time.time_ns() // 1000:x}{_random.getrandbits(32):08x}"


_random = random.Random(secrets.randbits(64))


# One row a statement: SQLite takes three single-row INSERTs of a statement it has prepared
# faster than one of three rows (a multi-row VALUES runs as a co-routine).
_INSERT: Any = insert(webhook_deliveries).values(
    {
        webhook_deliveries.c.id: bindparam("id"),
        webhook_deliveries.c.endpoint_pk: bindparam("endpoint_pk"),
        webhook_deliveries.c.type: bindparam("type"),
        webhook_deliveries.c.payload: bindparam("payload"),
        webhook_deliveries.c.status: bindparam("status"),
        webhook_deliveries.c.attempts: bindparam("attempts"),
        webhook_deliveries.c.next_attempt_at: bindparam("now"),
        webhook_deliveries.c.created_at: bindparam("now"),
    }
)


def queue_many(tx: Tx, endpoint_pks: Sequence[int], kind: str, body: str) -> list[str]:
    """Inserts one pending delivery of ``body`` per endpoint, due now; answers their ids."""
    params: dict[str, Any] = {
        "type": kind,
        "payload": body,
        "status": PENDING,
        "attempts": 0,
        "now": tx.now,
    }
    ids = []
    for endpoint_pk in endpoint_pks:
        params["id"] = msg_id = message_id()
        params["endpoint_pk"] = endpoint_pk
        tx.execute(_INSERT, params)
        ids.append(msg_id)
    return ids


def queue(tx: Tx, endpoint_pk: int, kind: str, body: str) -> str:
    """Inserts one pending delivery, due now; answers its id (the ``webhook-id``)."""
    return queue_many(tx, (endpoint_pk,), kind, body)[0]


def hooks_text(kinds: Sequence[str], subscribers: Sequence[Subscriber]) -> str | None:
    """What ``Activity.hooks`` says for an event that may become ``kinds``: each kind some
    subscriber wants, with their keys ("company.created=3,5;visitor.identified=5")."""
    parts = []
    for kind in kinds:
        wanting = [str(s.pk) for s in subscribers if s.wants(kind)]
        if wanting:
            parts.append(f"{kind}={','.join(wanting)}")
    return ";".join(parts) or None


def parse_hooks(text: str) -> list[tuple[str, list[int]]]:
    """``hooks_text`` read back: each kind with its endpoints' keys."""
    found = []
    for part in text.split(";"):
        kind, _, keys = part.partition("=")
        found.append((kind, [int(k) for k in keys.split(",") if k]))
    return found


@dataclass(frozen=True, slots=True)
class Kept:
    """A project's enabled endpoints at one generation, and what each event kind names."""

    generation: int
    subscribers: tuple[Subscriber, ...]
    # By domain event kind, filled as kinds are met: the kinds' lists rarely change, and a
    # call then names its deliveries with one look-up.
    hooks: dict[str, str | None]


class Outbox:
    """One per database: its kept endpoints, and the hook ``Tx.record`` calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: dict[int, Kept] = {}
        # Set by a transaction that named deliveries: the delivery loop, woken by the events
        # committed with it, knows they are this process's own (made and taken at once).
        self.queued = threading.Event()
        self._wakers: list[Callable[[], object]] = []

    def on_commit(self, wake: Callable[[], object]) -> None:
        """``wake`` is called by ``committed`` (the delivery loop registers here)."""
        self._wakers.append(wake)

    def forget(self, wake: Callable[[], object]) -> None:
        if wake in self._wakers:
            self._wakers.remove(wake)

    def committed(self) -> None:
        """Deliveries were queued without a domain event (a test, a retry): wake the loop."""
        for wake in list(self._wakers):
            wake()

    def kept(self, tx: Tx, project: ProjectKeys) -> Kept:
        generation = tx.generations.get(project.id)
        if generation is None:
            row = tx.first(_GENERATION, {"pk": project.pk})
            generation = tx.generations[project.id] = int(row[0]) if row else 0
        kept = self._kept.get(project.pk)
        if kept is not None and kept.generation == generation:
            return kept
        rows = tx.fetch(_ENABLED, {"pk": project.pk})
        found = tuple(Subscriber(pk, frozenset(names or ())) for pk, names in rows)
        kept = Kept(generation, found, {})
        with self._lock:
            self._kept[project.pk] = kept
        return kept

    def named(self, tx: Tx, project: ProjectKeys, event: DomainEvent) -> str | None:
        """The endpoints that want ``event`` now, as its row's ``hooks``; decided in memory
        (the kept endpoints), so the change's transaction writes no delivery row: the
        delivery loop makes them from the committed event (``fanout``)."""
        kinds = events.candidates(event)
        if not kinds:
            return None
        kept = self.kept(tx, project)
        if not kept.subscribers:
            return None
        kind = event.kind.value
        if kind in kept.hooks:
            found = kept.hooks[kind]
        else:
            found = kept.hooks[kind] = hooks_text(kinds, kept.subscribers)
        if found is not None and not self.queued.is_set():  # set already under load
            self.queued.set()
        return found


def installed(db: Database) -> Outbox:
    """The database's outbox, installed on first use (``Tx.record`` calls it from then on)."""
    found = db.outbox
    if not isinstance(found, Outbox):
        found = db.outbox = Outbox()
    return found
