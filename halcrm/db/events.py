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
  sends ``NOTIFY halcrm_events`` (at commit) naming its transaction (migration 0012). A
  writer sends the same read right after its COMMIT, in the same flight, and publishes what
  it finds; each process's follower, woken, reads what is settled after its position in one
  statement unless a read already covered the notifying transaction (it is below that read's
  horizon), and reads again shortly while committed rows wait above the horizon (a
  transaction that writes no event may be holding it). Idle, it sends nothing. Every process
  publishes from the database, its own writes included.

The only state kept beside the database is each follower's highest position published; it is
read from the database at start and moves only to positions read from it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Engine

from halcrm.db.event_log import READ_BATCH, Read, last_position, read_after
from halcrm.domain.events import DomainEvent

log = logging.getLogger(__name__)

CHANNEL = "halcrm_events"
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
# How long the listener, woken, waits for the reads this process's writers sent with their
# COMMITs (they publish the same events, so it need not read them again).
LANDING_AT_MOST = 0.02
# PostgreSQL: how long an answer waits for its own events to be published, at most.
WAIT_AT_MOST = 5.0
RECENT_KEYS = 100_000

Publish = Callable[[list[DomainEvent]], None]


@dataclass
class _Waiter:
    missing: set[int]
    done: Callable[[], None]
    deadline: float


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
        # PostgreSQL: every event of a transaction below this was published (``take``).
        self.horizon = 0
        # The writers' reads sent with their COMMITs, not yet landed (``sending``).
        self._flying: set[int] = set()
        self._tickets = 0
        self._landed = threading.Condition()
        with engine.connect() as conn:
            self.position = last_position(conn)
        self._stopping = threading.Event()
        # PostgreSQL: the listening connection while it waits (``close`` wakes it).
        self._listening: Any = None
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

    def catch_up(self, conn: Connection, *, locked: bool = True) -> bool:
        """Publishes every settled event after the position; whether committed rows still
        wait above the horizon (PostgreSQL). With ``lock`` held, or (``locked=False``,
        PostgreSQL) taking it only to hand over what was read: a read is every event up to
        its last below a horizon, so reads that land in any order publish each event once
        and in order (``hand_over``), and the writers never wait for the listener's reads."""
        while True:
            read = read_after(conn, self.position)
            with contextlib.nullcontext() if locked else self.lock:
                if self.take(read):
                    return read.newest > self.position

    def take(self, read: Read) -> bool:
        """With ``lock`` held: publishes a read's events after the position; whether it was
        whole (not cut at its limit: then every event below its horizon was published)."""
        self.hand_over(event for _, event in read.events)
        whole = len(read.events) < READ_BATCH
        if not self.is_sqlite:
            self._published([pk for pk, _ in read.events])
            if whole:
                self.horizon = max(self.horizon, read.horizon)
        return whole

    def sending(self) -> int:
        """PostgreSQL: a ticket for a writer to send a read with its COMMIT; the listener, woken
        by that commit, waits for the read to land (``landed``) before it reads on its own.
        0 while another write's read is in flight: under load the listener's reads, one for
        many commits, cost the database less than one read per write."""
        with self._landed:
            if self._flying:
                return 0
            self._tickets += 1
            self._flying.add(self._tickets)
            return self._tickets

    def landed(self, ticket: int, read: Read | None) -> None:
        """The writer's read (``None``: it failed) is published, and the listener told."""
        if read is not None:
            with self.lock:
                self.take(read)
        with self._landed:
            self._flying.discard(ticket)
            self._landed.notify_all()

    def _covered(self, xids: list[int | None]) -> bool:
        """Whether the events of every notifying transaction were published already, once
        the writers' reads in flight when the notifications came have landed."""
        with self._landed:
            woken, deadline = self._tickets, time.monotonic() + LANDING_AT_MOST
            while any(t <= woken for t in self._flying):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._landed.wait(left)
            return all(x is not None and x < self.horizon for x in xids)

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
        self._wake_listener()
        self._thread.join(timeout=10)

    def _wake_listener(self) -> None:
        """Ends the listener's wait for a notification at once, not after up to
        ``PG_IDLE_SECONDS``: its socket is shut down (the connection is being let go anyway),
        which needs no round trip and works whether or not the server still answers."""
        pg = self._listening
        if pg is None:
            return
        with contextlib.suppress(Exception):
            fd = pg.pgconn.socket
            with socket.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.shutdown(socket.SHUT_RDWR)

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
                    self._listening = pg
                    try:
                        self._follow(conn, pg)
                    finally:
                        self._listening = None
                    if self._stopping.is_set():
                        # The socket may be shut (close): not back to the pool.
                        conn.invalidate()
            except Exception as exc:  # lost connection: reconnect and catch up from the position
                if self._stopping.is_set():
                    return
                log.warning("event listener: %s", exc)
                with self.lock:
                    self._published([])
                self._stopping.wait(RECONNECT_SECONDS)

    def _follow(self, conn: Connection, pg: Any) -> None:
        pause: float | None = None
        woken = True
        while not self._stopping.is_set():
            if woken or pause is not None:
                deferred = self.catch_up(conn, locked=False)
                # Rows wait above the horizon: look again soon, notified or not.
                pause = min(pause * 2, DEFERRED_MOST) if pause else DEFERRED_FIRST
                pause = pause if deferred else None
            else:
                with self.lock:
                    self._published([])  # only the waiters' deadlines
            xids = self._wait(pg, PG_IDLE_SECONDS if pause is None else pause)
            woken = bool(xids) and not self._covered(xids)

    def _wait(self, pg: Any, timeout: float) -> list[int | None]:
        """The transactions that notified within ``timeout`` (all notifications here are
        taken); ``None`` for a payload that names none (an older version's)."""
        found = [*pg.notifies(timeout=timeout, stop_after=1), *pg.notifies(timeout=0)]
        return [int(n.payload) if n.payload.isdigit() else None for n in found]


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
