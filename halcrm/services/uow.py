"""Units of work: one transaction per call, retried on races, events published after commit."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from halcrm.bus import EventBus
from halcrm.db.engine import WRITE_OPTION, is_sqlite
from halcrm.services.clock import Clock, utc_now
from halcrm.services.tx import Tx

T = TypeVar("T")
log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# PostgreSQL: unique violation, serialization failure, deadlock.
RETRY_SQLSTATES = {"23505", "40001", "40P01"}


def _is_race(exc: DBAPIError) -> bool:
    """Whether a failed transaction lost a race and should simply run again."""
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if sqlstate is not None:
        return sqlstate in RETRY_SQLSTATES
    if isinstance(exc, IntegrityError):
        return "UNIQUE constraint failed" in str(exc)
    if isinstance(exc, OperationalError):
        return "database is locked" in str(exc)
    return False


class Database:
    """Owns the engine's sessions; serialises writers on SQLite, publishes events after commit."""

    def __init__(self, engine: AsyncEngine, bus: EventBus, clock: Clock = utc_now) -> None:
        self.engine = engine
        self.bus = bus
        self.clock = clock
        self.is_sqlite = is_sqlite(str(engine.url))
        self._sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        # SQLite has one writer anyway; queueing here avoids busy-waiting on its file lock.
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    async def write(self, work: Callable[[Tx], Awaitable[T]]) -> T:
        """Runs ``work`` in one write transaction and publishes its events once committed.

        A transaction that lost a race (a unique constraint another writer just satisfied, a
        deadlock, a locked SQLite file) is rolled back and run again from scratch.
        """
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                async with self._writer():
                    tx, result = await self._run_write(work)
            except DBAPIError as exc:
                if attempt < MAX_ATTEMPTS and _is_race(exc):
                    log.debug("write lost a race (attempt %d): %s", attempt, exc.orig)
                    await asyncio.sleep(0.002 * attempt)
                    continue
                raise
            self.bus.publish(tx.committed_events())
            return result
        raise AssertionError("unreachable")

    async def _run_write(self, work: Callable[[Tx], Awaitable[T]]) -> tuple[Tx, T]:
        async with self._sessions() as session:
            await session.connection(execution_options={WRITE_OPTION: True})
            tx = Tx(session, self.clock())
            try:
                result = await work(tx)
                await tx.flush_events()
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
            return tx, result

    async def read(self, work: Callable[[Tx], Awaitable[T]]) -> T:
        """Runs ``work`` in a read-only transaction (a consistent snapshot)."""
        async with self._sessions() as session:
            tx = Tx(session, self.clock())
            try:
                return await work(tx)
            finally:
                await session.rollback()

    @contextlib.asynccontextmanager
    async def _writer(self) -> AsyncIterator[None]:
        if self._write_lock is None:
            yield
            return
        async with self._write_lock:
            yield

    def session(self) -> AsyncSession:
        return self._sessions()
