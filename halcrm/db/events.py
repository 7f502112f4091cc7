"""The event log read back in commit-safe order, and the followers that stream every process's
commits.

An event's position (its SSE id) must grow in the order readers can see events, or a client
resuming after 12 never sees an 11 that committed later:

- SQLite has one writer at a time, so primary keys are in commit order already. The writer
  thread publishes its own events; before each batch (holding the write lock) it reads the
  rows other processes committed since its last one, and publishes those first. A follower
  thread notices commits of other processes while this one writes nothing (``PRAGMA
  data_version``, checked on a short timer) and reads them the same way. Both read and publish
  under one lock, each from the highest key published: nothing is sent twice or out of order.
- PostgreSQL rows get their position at insert: the writing transaction's id (``xid8``)
  shifted left ``ORDINAL_BITS`` plus the event's place in its transaction. Readers take only
  rows of transactions below the oldest one still running in their snapshot
  (``pg_current_snapshot()``; other databases' left out, migration 0010): all of those have
  ended, and any that has not will write higher positions. So no
  process numbers anything after commit and no write waits for another process. An insert
  sends ``NOTIFY halcrm_events`` (at commit); each process's follower wakes, reads what is
  settled after its position in one statement, and reads again shortly while committed rows
  wait above the horizon (a transaction that writes no event may be holding it). Idle, it
  sends nothing. Every process publishes from the database, its own writes included.

The only state kept beside the database is each follower's highest position published; it is
read from the database at start and moves only to positions read from it.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Insert,
    Select,
    and_,
    bindparam,
    exists,
    func,
    insert,
    literal_column,
    select,
    text,
    true,
)
from sqlalchemy.engine import Connection, Engine

from halcrm.db.models import Activity, Project
from halcrm.domain.events import DomainEvent, EventKind

log = logging.getLogger(__name__)

CHANNEL = "halcrm_events"
READ_BATCH = 1000
SQLITE_CHECK_SECONDS = 0.05
# How long the listener waits for a notification before it looks at its waiters' deadlines;
# it reads nothing then (a lost connection ends the wait with an error of its own).
PG_IDLE_SECONDS = 1.0
# Committed rows above the horizon: read again after this, doubling up to the most. A
# transaction of ours that holds the horizon wakes the reader with its NOTIFY at commit; these
# re-reads are for one that sends none (another database's, a write without events).
DEFERRED_FIRST = 0.025
DEFERRED_MOST = 0.5
RECONNECT_SECONDS = 1.0
# Room for a transaction's events below the next transaction's first position.
ORDINAL_BITS = 20

# PostgreSQL: how long an answer waits for its own events to be published, at most.
WAIT_AT_MOST = 5.0
RECENT_KEYS = 100_000

Publish = Callable[[list[DomainEvent]], None]


@dataclass
class _Waiter:
    missing: set[int]
    done: Callable[[], None]
    deadline: float


def position_column(is_sqlite: bool) -> Any:
    """The column that orders the stream: the primary key on SQLite, the position on PostgreSQL."""
    return Activity.pk if is_sqlite else Activity.seq


def to_domain_event(row: Any, project_id: str) -> DomainEvent:
    """An activity row (mapped or Core) as the event it recorded; its id is its position."""
    return DomainEvent.of_data(
        id=row.seq if row.seq is not None else row.pk,
        project_id=project_id,
        kind=EventKind(row.kind),
        at=row.created_at,
        source=row.source,
        summary=row.summary,
        company_id=row.company_id,
        company_name=row.company_name,
        data=row.data,
    )


def activity_row(project_pk: int, event: DomainEvent, hooks: str | None = None) -> dict[str, Any]:
    """The activity row's values that store ``event`` (``to_domain_event`` reads it back), and
    the webhook endpoints it names, if any (``Activity.hooks``)."""
    values = {
        "project_pk": project_pk,
        "kind": event.kind.value,
        # A plain str: the driver binds a StrEnum (Source) only after failing to adapt it.
        "source": str(event.source),
        "summary": event.summary,
        "company_id": event.company_id,
        "company_name": event.company_name,
        "data": event.wire_data(),
        "created_at": event.at,
    }
    if hooks is not None:
        values["hooks"] = hooks
    return values


# PostgreSQL: a row is settled once its transaction is below the oldest one still running on
# this database (migration 0010's function, computed once per statement).
SETTLED = text("activity.xid < (SELECT halcrm_event_horizon())")
_POSITION = literal_column(f"(pg_current_xact_id()::text::bigint << {ORDINAL_BITS})", BigInteger)


@cache
def record_at_position(names: frozenset[str]) -> Insert:
    """PostgreSQL: ``INSERT INTO activity (<names>, seq) … RETURNING pk``, the position made
    from the transaction's id and ``:ordinal_``, the event's place in its transaction."""
    if not names:
        raise ValueError("an event has columns")
    table: Any = Activity.__table__
    values: dict[Any, Any] = {table.c[name]: bindparam(name) for name in sorted(names)}
    values[table.c.seq] = _POSITION + bindparam("ordinal_", type_=BigInteger)
    return insert(table).values(values).returning(table.c.pk)


def _rows(after: Any) -> Select[Any]:
    return (
        select(Activity.__table__, Project.id.label("project_id"))
        .join(Project, Project.pk == Activity.project_pk)
        .where(after)
    )


def _after_sqlite() -> Select[Any]:
    return _rows(Activity.pk > bindparam("after")).order_by(Activity.pk).limit(bindparam("limit"))


def _after_postgresql() -> Select[Any]:
    """The settled rows after ``:after`` beside the highest position any committed row has, in
    one statement: a reader learns whether rows wait above the horizon at no extra cost."""
    rows = (
        _rows(Activity.seq > bindparam("after"))
        .where(SETTLED)
        .order_by(Activity.seq)
        .limit(bindparam("limit"))
        .lateral("settled")
    )
    newest = select(func.max(Activity.seq).label("newest")).subquery("newest")
    return select(newest.c.newest, rows).select_from(newest.outerjoin(rows, true()))


_AFTER_SQLITE = _after_sqlite()
_AFTER_POSTGRESQL = _after_postgresql()


def read_after(
    conn: Connection, after: int, limit: int = READ_BATCH
) -> tuple[list[tuple[int, DomainEvent]], int]:
    """Every project's settled events after position ``after``, in stream order, each with its
    row's key; and the highest position of any committed row (settled or not)."""
    params = {"after": after, "limit": limit}
    if conn.dialect.name == "sqlite":
        rows = conn.execute(_AFTER_SQLITE, params).all()
        found = [(row.pk, to_domain_event(row, row.project_id)) for row in rows]
        return found, found[-1][1].id if found else after
    rows = conn.execute(_AFTER_POSTGRESQL, params).all()
    newest = int(rows[0].newest or 0) if rows else 0
    events = [(row.pk, to_domain_event(row, row.project_id)) for row in rows if row.pk is not None]
    return events, newest


def _hooked(is_sqlite: bool) -> Any:
    """Events naming webhook deliveries after ``:after``; settled ones only on PostgreSQL (a
    later commit below is never passed over)."""
    position = position_column(is_sqlite)
    where = [position > bindparam("after"), Activity.hooks.is_not(None)]
    return where if is_sqlite else [*where, SETTLED]


# Per store (``is_sqlite``); both read the partial index of migration 0011.
_HOOKED = {
    is_sqlite: _rows(and_(*_hooked(is_sqlite)))
    .order_by(position_column(is_sqlite))
    .limit(bindparam("limit"))
    for is_sqlite in (True, False)
}
_ANY_HOOKED = {
    is_sqlite: select(exists().where(*_hooked(is_sqlite))) for is_sqlite in (True, False)
}


def hooked_after(conn: Connection, after: int, limit: int) -> list[tuple[Any, DomainEvent]]:
    """Up to ``limit`` events after ``after`` that name webhook deliveries (``Activity.hooks``),
    in stream order, each with its row (``hooks``, ``project_pk``)."""
    rows = conn.execute(
        _HOOKED[conn.dialect.name == "sqlite"], {"after": after, "limit": limit}
    ).all()
    return [(row, to_domain_event(row, row.project_id)) for row in rows]


def any_hooked_after(conn: Connection, after: int) -> bool:
    """Whether ``hooked_after`` would find an event (one indexed look-up)."""
    stmt = _ANY_HOOKED[conn.dialect.name == "sqlite"]
    return bool(conn.execute(stmt, {"after": after}).scalar())


_LAST_SETTLED = select(func.coalesce(func.max(Activity.seq), 0)).where(SETTLED)


def last_position(conn: Connection) -> int:
    """The highest position a reader may have seen: below the horizon on PostgreSQL."""
    if conn.dialect.name == "sqlite":
        return int(conn.execute(select(func.coalesce(func.max(Activity.pk), 0))).scalar_one())
    return int(conn.execute(_LAST_SETTLED).scalar_one() or 0)


class Follower:
    """Publishes committed events on the loop, each once, in position order."""

    def __init__(self, engine: Engine, loop: asyncio.AbstractEventLoop, publish: Publish) -> None:
        self.engine = engine
        self.loop = loop
        self._publish = publish
        self.is_sqlite = engine.dialect.name == "sqlite"
        # Held while reading and handing events to the loop: the loop runs callbacks in the
        # order they were handed over, so the stream keeps the order they were read in.
        self.lock = threading.Lock()
        with engine.connect() as conn:
            self.position = last_position(conn)
        self._stopping = threading.Event()
        # PostgreSQL: keys of rows published lately, and callers waiting for theirs.
        self._recent: dict[int, None] = {}
        self._waiting: list[_Waiter] = []
        target = self._watch_sqlite if self.is_sqlite else self._listen_postgresql
        self._thread = threading.Thread(target=target, name="halcrm-follow", daemon=True)
        self._thread.start()

    def hand_over(self, events: Iterable[DomainEvent]) -> None:
        """With ``lock`` held: publishes on the loop the events after the current position."""
        fresh = [e for e in events if e.id > self.position]
        if not fresh:
            return
        self.position = fresh[-1].id
        try:
            self.loop.call_soon_threadsafe(self._publish, fresh)
        except RuntimeError:
            log.debug("events read after the event loop closed")

    def catch_up(self, conn: Connection) -> bool:
        """With ``lock`` held: publishes every settled event after the position; whether
        committed rows still wait above the horizon (PostgreSQL)."""
        while True:
            batch, newest = read_after(conn, self.position)
            self.hand_over(event for _, event in batch)
            if not self.is_sqlite:
                self._published([pk for pk, _ in batch])
            if len(batch) < READ_BATCH:
                return newest > self.position

    def when_published(self, pks: list[int], done: Callable[[], None]) -> None:
        """PostgreSQL: calls ``done`` once the rows ``pks`` are on the bus, so a caller's answer
        never comes before its own event (the feed and the stream show what it wrote)."""
        with self.lock:
            missing = set(pks) - self._recent.keys()
            if not missing:
                done()
                return
            self._waiting.append(_Waiter(missing, done, time.monotonic() + WAIT_AT_MOST))

    def _published(self, pks: list[int]) -> None:
        now = time.monotonic()
        for pk in pks:
            self._recent[pk] = None
        while len(self._recent) > RECENT_KEYS:
            del self._recent[next(iter(self._recent))]
        waiting: list[_Waiter] = []
        for waiter in self._waiting:
            waiter.missing.difference_update(pks)
            # Past the deadline (a lost listener), the answer goes out without waiting more.
            if waiter.missing and waiter.deadline > now:
                waiting.append(waiter)
            else:
                waiter.done()
        self._waiting = waiting

    def close(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=10)

    # SQLite: another process's commits, noticed by the data version of a connection of ours.

    def _watch_sqlite(self) -> None:
        while not self._stopping.is_set():
            try:
                self._watch_sqlite_once()
            except Exception as exc:  # a busy or replaced file: look again shortly
                log.warning("event follower: %s", exc)
                self._stopping.wait(RECONNECT_SECONDS)

    def _watch_sqlite_once(self) -> None:
        # A read-only connection of its own: held open for good, it must never be one that
        # could write (a file made read-only under a running server must refuse every write).
        path = self.engine.url.database or ""
        watch = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        try:
            seen: int | None = None
            while not self._stopping.wait(SQLITE_CHECK_SECONDS):
                version = watch.execute("PRAGMA data_version").fetchone()[0]
                if version == seen:
                    continue
                seen = version
                with self.lock, self.engine.connect() as conn, conn.begin():
                    self.catch_up(conn)
        finally:
            watch.close()

    # PostgreSQL: woken by NOTIFY; reads on its listening connection, nothing while idle.

    def _listen_postgresql(self) -> None:
        while not self._stopping.is_set():
            try:
                with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    pg: Any = conn.connection.dbapi_connection
                    pg.execute(f"LISTEN {CHANNEL}")
                    self._follow(conn, pg)
            except Exception as exc:  # lost connection: reconnect and catch up from the position
                log.warning("event listener: %s", exc)
                with self.lock:
                    self._published([])
                self._stopping.wait(RECONNECT_SECONDS)

    def _follow(self, conn: Connection, pg: Any) -> None:
        pause: float | None = None
        woken = True
        while not self._stopping.is_set():
            if woken or pause is not None:
                with self.lock:
                    deferred = self.catch_up(conn)
                # Rows wait above the horizon: look again soon, notified or not.
                pause = min(pause * 2, DEFERRED_MOST) if pause else DEFERRED_FIRST
                pause = pause if deferred else None
            else:
                with self.lock:
                    self._published([])  # only the waiters' deadlines
            woken = self._wait(pg, PG_IDLE_SECONDS if pause is None else pause)

    def _wait(self, pg: Any, timeout: float) -> bool:
        """Whether a notification arrived within ``timeout`` (all that are here are taken)."""
        woken = False
        for _ in pg.notifies(timeout=timeout, stop_after=1):
            woken = True
        for _ in pg.notifies(timeout=0):
            woken = True
        return woken


_SEEN_VERSION = "halcrm_data_version"


def catch_up_others(conn: Connection, cursor: Any, follower: Follower) -> None:
    """SQLite: publishes what other connections committed, read only when there is some.

    ``PRAGMA data_version`` on a connection changes exactly when another connection has
    committed since that connection last asked, so a value equal to the one this connection
    saw at its last catch-up means nothing new; the write lock held here keeps it so until
    this batch commits. A connection with no value yet (new from the pool) always reads.
    """
    version = cursor.execute("PRAGMA data_version").fetchone()[0]
    info = conn.connection.info
    if info.get(_SEEN_VERSION) != version:
        follower.catch_up(conn)
        info[_SEEN_VERSION] = version
