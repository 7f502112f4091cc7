"""The event log read back in commit order, and the followers that stream every process's commits.

An event's position (its SSE id) must grow in commit order, or a client resuming after 12
never sees an 11 that committed later:

- SQLite has one writer at a time, so primary keys are in commit order already. The writer
  thread publishes its own events; before each batch (holding the write lock) it reads the
  rows other processes committed since its last one, and publishes those first. A follower
  thread notices commits of other processes while this one writes nothing (``PRAGMA
  data_version``, checked on a short timer) and reads them the same way. Both read and publish
  under one lock, each from the highest key published: nothing is sent twice or out of order.
- PostgreSQL rows are inserted without a position. An insert sends ``NOTIFY halcrm_events``
  (at commit, so never for a rolled-back row); each process's follower wakes, numbers the
  committed rows that have no position yet under an advisory lock (one process at a time, so
  positions follow the order commits became visible), and reads rows by position. Every
  process publishes from the database, its own writes included.

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
from typing import Any

from sqlalchemy import Select, func, select, text
from sqlalchemy.engine import Connection, Engine

from halcrm.db.models import Activity, Project
from halcrm.domain.events import DomainEvent, EventKind

log = logging.getLogger(__name__)

CHANNEL = "halcrm_events"
# Any constant both numbering transactions agree on (pg_advisory_xact_lock takes a bigint).
NUMBERING_LOCK = 7_240_512
READ_BATCH = 1000
SQLITE_CHECK_SECONDS = 0.05
# A wake-up even without a notification: a lost listener connection is noticed and caught up.
PG_IDLE_SECONDS = 1.0
RECONNECT_SECONDS = 1.0

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
    return DomainEvent(
        id=row.seq if row.seq is not None else row.pk,
        project_id=project_id,
        kind=EventKind(row.kind),
        at=row.created_at,
        source=row.source,
        summary=row.summary,
        company_id=row.company_id,
        company_name=row.company_name,
        data=dict(row.data or {}),
        task_id=(row.data or {}).get("task_id"),
    )


def _after(is_sqlite: bool, after: int, limit: int) -> Select[Any]:
    pos = position_column(is_sqlite)
    return (
        select(Activity.__table__, Project.id.label("project_id"))
        .join(Project, Project.pk == Activity.project_pk)
        .where(pos > after)
        .order_by(pos)
        .limit(limit)
    )


def read_after(
    conn: Connection, after: int, limit: int = READ_BATCH
) -> list[tuple[int, DomainEvent]]:
    """Every project's committed events after position ``after``, in stream order, each with
    its row's key."""
    is_sqlite = conn.dialect.name == "sqlite"
    rows = conn.execute(_after(is_sqlite, after, limit))
    return [(row.pk, to_domain_event(row, row.project_id)) for row in rows]


def last_position(conn: Connection) -> int:
    column = position_column(conn.dialect.name == "sqlite")
    return int(conn.execute(select(func.coalesce(func.max(column), 0))).scalar_one())


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

    def catch_up(self, conn: Connection) -> None:
        """With ``lock`` held: publishes every committed event after the position."""
        while True:
            batch = read_after(conn, self.position)
            self.hand_over(event for _, event in batch)
            if not self.is_sqlite:
                self._published([pk for pk, _ in batch])
            if len(batch) < READ_BATCH:
                return

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

    # PostgreSQL: woken by NOTIFY; numbers committed rows, then reads them by position.

    def _listen_postgresql(self) -> None:
        import psycopg

        url = self.engine.url.set(drivername="postgresql")
        conninfo = url.render_as_string(hide_password=False)
        while not self._stopping.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True) as pg:
                    pg.execute(f"LISTEN {CHANNEL}")
                    self._numbered_and_read()
                    while not self._stopping.is_set():
                        woken = self._wait(pg)
                        self._numbered_and_read(number="w" in woken or not woken)
            except Exception as exc:  # lost connection: reconnect and catch up from the position
                log.warning("event listener: %s", exc)
                with self.lock:
                    self._published([])
                self._stopping.wait(RECONNECT_SECONDS)

    def _wait(self, pg: Any) -> set[str]:
        """The payloads of the notifications that arrived (empty after an idle spell)."""
        payloads: set[str] = set()
        for note in pg.notifies(timeout=PG_IDLE_SECONDS, stop_after=1):
            payloads.add(note.payload)
        # Whatever else is already here joins this wake-up.
        for note in pg.notifies(timeout=0):
            payloads.add(note.payload)
        return payloads

    def _numbered_and_read(self, number: bool = True) -> None:
        with self.engine.connect() as conn:
            if number:
                with conn.begin():
                    number_committed(conn)
            with self.lock, conn.begin():
                self.catch_up(conn)


NUMBER_SQL = """
WITH todo AS (
    SELECT pk, nextval('activity_seq_seq') AS n
    FROM (SELECT pk FROM activity WHERE seq IS NULL ORDER BY pk FOR UPDATE) AS unnumbered
)
UPDATE activity SET seq = todo.n FROM todo WHERE activity.pk = todo.pk
"""


def number_committed(conn: Connection) -> int:
    """PostgreSQL: gives the committed rows without a position the next ones, in key order.

    One numbering transaction at a time (the advisory lock): a row that committed after
    another was numbered always gets a higher position, which is what a resuming reader needs.
    A rolled-back row never existed for it. Others are told with a ``NOTIFY`` of their own.

    A process that finds the lock taken leaves the numbering to its holder rather than queue
    behind it (with several workers, every insert woke every one of them into that queue).
    Nothing is left unnumbered: the insert's notification reaches the holder's listener too;
    if the row committed after the holder's UPDATE took its snapshot, the holder handles that
    notification once this transaction ends and numbers the row then.
    """
    got = conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": NUMBERING_LOCK})
    if not got.scalar():
        return 0
    count = conn.execute(text(NUMBER_SQL)).rowcount
    if count:
        conn.execute(text("SELECT pg_notify(:channel, 'n')"), {"channel": CHANNEL})
    return int(count)


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
