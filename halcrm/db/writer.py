"""Units of work: one transaction per call, run on worker threads, events published after commit.

SQLite has one writer at a time anyway, so every write goes to one writer thread that takes
whatever calls are queued (up to ``batch_size``), runs each in its own SAVEPOINT inside one
transaction, and commits once (group commit). A call that fails rolls back its savepoint only;
its neighbours still commit. Whether a refused call's writes stay is never decided by Python
state: alone in its transaction it rolls the transaction back; beside others it has a
SAVEPOINT. Answers and events are handed back to the asyncio loop only after
the COMMIT, so nobody sees a write that did not last. PostgreSQL gets a pool of writer threads,
one transaction per call, with row locks and retries on races instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.engine import Connection, Engine

from halcrm.bus import EventBus
from halcrm.db.checkpoint import Checkpointer
from halcrm.db.engine import WRITE_OPTION
from halcrm.db.event_log import AFTER_POSTGRESQL, READ_BATCH, Read, settled_read
from halcrm.db.events import Follower, catch_up_others
from halcrm.db.idempotency import Keys, take_claim
from halcrm.db.pipeline import StaleSnapshot, is_lost_connection, is_race, pipelined_write
from halcrm.db.project_cache import ProjectCache
from halcrm.db.tx import Outbox, Tx
from halcrm.domain.clock import Clock, utc_now
from halcrm.domain.events import DomainEvent

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

T = TypeVar("T")
Work = Callable[[Tx], T]
log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


@dataclass
class _Job:
    work: Work[Any]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    clock: Clock
    attempts: int = 0
    events: list[DomainEvent] = field(default_factory=list)


Settled = tuple[_Job, Any, BaseException | None]
"""A finished call: its job, and its answer or its error."""


class _Refused(Exception):
    """Ends a batch of one call that failed, so its transaction rolls back."""


class Database:
    """Runs service work on threads and settles the callers' futures on their event loop."""

    def __init__(
        self,
        engine: Engine,
        bus: EventBus,
        clock: Clock = utc_now,
        *,
        batch_size: int = 256,
        readers: int = 4,
    ) -> None:
        self.engine = engine
        self.bus = bus
        self.clock = clock
        self.is_sqlite = engine.dialect.name == "sqlite"
        self.batch_size = batch_size
        self.projects = ProjectCache()
        self.keys = Keys()
        # Set by the webhooks (services/webhooks/outbox.py): events name their deliveries.
        self.outbox: Outbox | None = None
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="halcrm-read")
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._writers: list[threading.Thread] = []
        self._closed = False
        # Writes asked for since the start (the webhook loop reads how fast calls come).
        self.writes = 0
        self.follower: Follower | None = None
        self._following = threading.Lock()
        count = 1 if self.is_sqlite else 8
        target = self._group_writer if self.is_sqlite else self._single_writer
        for n in range(count):
            thread = threading.Thread(target=target, name=f"halcrm-write-{n}", daemon=True)
            thread.start()
            self._writers.append(thread)
        self._checkpointer = Checkpointer(engine) if self.is_sqlite else None

    async def write(self, work: Work[T]) -> T:
        """Runs ``work(tx)`` in a write transaction; answers once it is committed."""
        if self._closed:
            raise RuntimeError("the database is closed")
        claim = take_claim()
        if claim is not None:
            work = self.keys.guard(work, claim)
        loop = asyncio.get_running_loop()
        if self.follower is None:
            self.follow(loop)
        job = _Job(work, loop, loop.create_future(), self.clock)
        self.writes += 1
        self._queue.put(job)
        return await job.future  # type: ignore[no-any-return]

    async def read(self, work: Work[T]) -> T:
        """Runs ``work(tx)`` in a read-only transaction (a consistent snapshot) on a reader."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._read, work)

    def follow(self, loop: asyncio.AbstractEventLoop) -> None:
        """Starts streaming every process's committed events onto the bus (db/events.py).

        Called by the runtime at start, so a process that only reads streams too; a write
        starts it otherwise (tests that build a Database on their own).
        """
        with self._following:
            if self.follower is None and not self._closed:
                self.follower = Follower(self.engine, loop, self.bus.publish)

    def _read(self, work: Work[T]) -> T:
        try:
            return self._read_once(work)
        except BaseException as exc:
            # No ping before a read either: one that found its connection dead runs again.
            if self.is_sqlite or not is_lost_connection(exc):
                raise
            self.engine.dispose(close=False)
        return self._read_once(work)

    def _read_once(self, work: Work[T]) -> T:
        with self.engine.connect() as conn, conn.begin():
            tx = Tx(conn, self.clock(), self.projects, self.outbox)
            try:
                return work(tx)
            finally:
                tx.discard()

    def _write_connection(self) -> Connection:
        # The option makes SQLite take the write lock at BEGIN (engine.py).
        return self.engine.connect().execution_options(**{WRITE_OPTION: True})

    def with_clock(self, clock: Clock) -> Database:
        """The same database (threads, connections, bus) writing with another clock.

        Used to seed demo data "in the past"; the view must not be closed on its own.
        """
        view = copy.copy(self)
        view.clock = clock
        return view

    def session(self) -> Session:
        """A plain session, for tests and tools that inspect the tables directly."""
        from sqlalchemy.orm import Session

        return Session(self.engine, expire_on_commit=False, autoflush=False)

    def close(self) -> None:
        """Finishes queued writes, stops the threads and releases the connections."""
        if self._closed:
            return
        self._closed = True
        for _ in self._writers:
            self._queue.put(None)
        for thread in self._writers:
            thread.join(timeout=30)
        self._readers.shutdown(wait=True)
        if self.follower is not None:
            self.follower.close()
        if self._checkpointer is not None:
            self._checkpointer.close()
        self.engine.dispose()

    # Writer threads.

    def _group_writer(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            batch = [job]
            stop = False
            while len(batch) < self.batch_size:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._run_batch(batch)
            if self._checkpointer is not None:
                self._checkpointer.between_batches()
            if stop:
                return

    def _run_batch(self, batch: list[_Job]) -> None:
        """Runs a batch in one transaction and commits once; each call of several gets a
        SAVEPOINT, so a refused call is undone whatever it wrote, and its neighbours stay.

        The follower's lock is held from before the batch to its hand-back: what other
        processes committed before it is published first, then its own events, in key order.
        """
        follower = self.follower
        with follower.lock if follower else contextlib.nullcontext():
            done, failed, again = self._commit_batch(batch, follower)
            if follower is not None:
                ids = [event.id for job, _ in done for event in job.events]
                follower.position = max([follower.position, *ids])
            settled: list[Settled] = [(job, result, None) for job, result in done]
            settled += [(job, None, error) for job, error in failed]
            self._hand_back_all(settled)
        for job in again:
            self._retry(job)

    def _commit_batch(
        self, batch: list[_Job], follower: Follower | None
    ) -> tuple[list[tuple[_Job, Any]], list[tuple[_Job, BaseException]], list[_Job]]:
        """The batch's transaction: the calls that committed, failed, or lost a race."""
        done: list[tuple[_Job, Any]] = []
        failed: list[tuple[_Job, BaseException]] = []
        again: list[_Job] = []
        savepoints = len(batch) > 1
        try:
            with self._write_connection() as conn, conn.begin():
                # Savepoints straight on the driver: SQLAlchemy's nested transactions cost
                # more than a small widget call's own statements.
                cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
                if follower is not None:
                    # Under the write lock: every row already here is committed, ours not yet.
                    catch_up_others(conn, cursor, follower)
                for job in batch:
                    tx = Tx(conn, job.clock(), self.projects, self.outbox)
                    if savepoints:
                        cursor.execute("SAVEPOINT halcrm_call")
                    try:
                        result = job.work(tx)
                        tx.finish()
                    except BaseException as exc:
                        tx.discard()
                        (again.append(job) if is_race(exc) else failed.append((job, exc)))
                        if not savepoints:
                            raise _Refused from exc
                        cursor.execute("ROLLBACK TO SAVEPOINT halcrm_call")
                        cursor.execute("RELEASE SAVEPOINT halcrm_call")
                        continue
                    if savepoints:
                        cursor.execute("RELEASE SAVEPOINT halcrm_call")
                    job.events = tx.committed_events()
                    done.append((job, result))
        except _Refused:
            pass  # the one call's transaction is rolled back: nothing it did stays
        except BaseException as exc:
            # The transaction did not commit (a failed BEGIN, COMMIT or savepoint): every call
            # of the batch that has no answer yet gets this one, or runs again.
            log.warning("group commit of %d calls failed: %s", len(batch), exc)
            answered = {id(job) for job, _ in failed} | {id(job) for job in again}
            for job in batch:
                if id(job) not in answered:
                    (again.append(job) if is_race(exc) else failed.append((job, exc)))
            done = []
        return done, failed, again

    def _single_writer(self) -> None:
        """PostgreSQL: one transaction per call; a call that fails rolls it back whole."""
        while True:
            job = self._queue.get()
            if job is None:
                return
            self._run_postgresql(job)

    def _run_postgresql(self, job: _Job) -> None:
        """One call's transaction, in as few flights as its answers allow (db/pipeline.py).

        No ping before: a connection found dead before the COMMIT was sent wrote nothing, so
        the call runs again on a new one; after the COMMIT, whether it lasted is unknown and
        the caller is told so.
        """
        committing = False
        follower, ticket, read = self.follower, 0, None
        try:
            with pipelined_write(self.engine) as (conn, pipeline, pg):
                tx = Tx(conn, job.clock(), self.projects, self.outbox, pipeline)
                try:
                    result = job.work(tx)
                    tx.finish()
                    committing = True
                    pg.execute("COMMIT")
                    ticket, params = _read_with_commit(tx, follower)
                    tx.end_pipeline()  # the last flight: what is left, the COMMIT, the read
                except BaseException as exc:
                    stale = not isinstance(exc, StaleSnapshot) and tx.in_flight.refused_on_stale(
                        tx.cache
                    )
                    tx.discard()
                    if stale:
                        raise StaleSnapshot("the project changed under the call") from exc
                    raise
                pks = tx.event_keys()
                if ticket:
                    read = _landed_read(tx, params)
        except BaseException as exc:
            if is_race(exc) or (not committing and is_lost_connection(exc)):
                self._retry(job, exc)
            else:
                self._hand_back(job, None, exc)
            return
        finally:
            if ticket and follower is not None:
                follower.landed(ticket, read)
        if pks and self.follower is not None:
            # The follower publishes every process's events in position order (db/events.py).
            self.follower.when_published(pks, partial(self._hand_back, job, result, None))
        else:
            self._hand_back(job, result, None)

    def _retry(self, job: _Job, exc: BaseException | None = None) -> None:
        job.attempts += 1
        job.events = []
        if job.attempts >= MAX_ATTEMPTS:
            error = exc or RuntimeError("the write kept losing races")
            self._hand_back(job, None, error)
            return
        log.debug("write lost a race (attempt %d)", job.attempts)
        self._queue.put(job)

    def _hand_back(self, job: _Job, result: Any, exc: BaseException | None) -> None:
        """From a writer thread: settles the job on its loop (a closed loop means nobody waits)."""
        try:
            job.loop.call_soon_threadsafe(self._settle, job, result, exc)
        except RuntimeError:
            log.debug("a write finished after its event loop closed")

    def _hand_back_all(self, settled: list[Settled]) -> None:
        """``_hand_back`` for a whole batch: one wake-up per event loop, not one per call."""
        by_loop: dict[asyncio.AbstractEventLoop, list[Settled]] = {}
        for item in settled:
            by_loop.setdefault(item[0].loop, []).append(item)
        for loop, items in by_loop.items():
            try:
                loop.call_soon_threadsafe(self._settle_all, items)
            except RuntimeError:
                log.debug("writes finished after their event loop closed")

    def _settle_all(self, items: list[Settled]) -> None:
        for job, result, exc in items:
            self._settle(job, result, exc)

    def _settle(self, job: _Job, result: Any, exc: BaseException | None) -> None:
        """On the loop: publish the committed events, then answer the caller."""
        if exc is None:
            self.bus.publish(job.events)
        if job.future.done():
            return
        if exc is not None:
            job.future.set_exception(exc)
        else:
            job.future.set_result(result)


def _read_with_commit(tx: Tx, follower: Follower | None) -> tuple[int, dict[str, int]]:
    """PostgreSQL: the read of the settled events (its own, once committed) sent after the
    COMMIT, in its flight, when the call recorded events and ``Follower.sending`` gives a
    ticket; the ticket and the read's parameters."""
    if follower is None or not tx.in_flight.events:
        return 0, {}
    ticket = follower.sending()
    params = {"after": follower.position, "limit": READ_BATCH}
    if ticket:
        tx.ahead(AFTER_POSTGRESQL, params)
    return ticket, params


def _landed_read(tx: Tx, params: dict[str, int]) -> Read | None:
    """The settled events a write read after its COMMIT (``None`` if that read failed: the
    write stands, and the follower publishes them)."""
    try:
        return settled_read(tx.fetch(AFTER_POSTGRESQL, params))
    except Exception as exc:  # the events are the follower's to publish then
        log.debug("the read after a commit failed: %s", exc)
        return None
