"""The delivery loop: one per process that holds the database (server, board).

Woken when events are committed (the bus carries every process's; the outbox flags this
process's own that name deliveries) and by a timer for the next retry; never polls busily.
Each pass first makes the deliveries committed events named (``fanout.py``), then claims.
Each claimed delivery is sent in a task of its own with httpx (10 s, no redirects), at most
``PER_ENDPOINT`` at a time per endpoint, so a slow endpoint holds up nobody else.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select

from halcrm.db.tx import Tx
from halcrm.db.writer import Database
from halcrm.services.tasks.overdue import record_overdue
from halcrm.services.webhooks import claims, fanout, notices, signing, slack, ssrf
from halcrm.services.webhooks.claims import Claimed, Outcome
from halcrm.services.webhooks.outbox import installed
from halcrm.services.webhooks.schedule import TIMEOUT_SECONDS, retry_after

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)
T = TypeVar("T")

IN_FLIGHT = 64
# Deliveries yield to the process's own calls: while other writes come faster than BUSY_RATE a
# second the process is busy serving, and the loop sends at most BUSY_BATCH every BUSY_PAUSE
# (a trickle, so a load that never ends still lets them out). What a burst of calls queued
# is sent at full speed once it is over; nothing is dropped.
BUSY_RATE = 50.0
# The rate is judged over at least this long (one commit is no burst).
BUSY_WINDOW = 0.25
# Busy stays busy this long after the last sign of it (calls come in bursts).
BUSY_FOR = 1.0
BUSY_BATCH = 4
BUSY_PAUSE = 1.0
PER_ENDPOINT = 4
# The periodic check for deals that stalled.
CHECK_EVERY = 60.0
# The longest sleep without a wake-up: what another process queued without a domain event
# (``halcrm webhooks test`` and ``retry`` write the database directly) is sent within it. Its
# look is the only traffic of an idle process (three round trips on PostgreSQL, issue 25).
IDLE_SECONDS = 10.0
# A wake-up by another process's events is taken at most this often.
OTHERS_EVERY = 0.25


# One statement, so an idle process's periodic look costs one round trip on PostgreSQL.
_LOOK: dict[bool, Any] = {
    is_sqlite: select(
        fanout.waiting_clause(is_sqlite).label("waiting"),
        claims.NEXT_DUE.scalar_subquery().label("due"),
    )
    for is_sqlite in (True, False)
}


def _look(tx: Tx) -> tuple[bool, datetime | None]:
    """Whether events name deliveries still to make, and when the next made one is due."""
    # On the call's connection, not its Session: no SAVEPOINT's two extra round trips.
    waiting, due = tx.conn.execute(_LOOK[tx.is_sqlite]).one()
    return bool(waiting), due


def encode(claimed: Claimed) -> bytes:
    if claimed.format != "slack":
        return claimed.payload.encode()
    text = slack.body(json.loads(claimed.payload))
    return json.dumps(text, separators=(",", ":"), ensure_ascii=False).encode()


async def _target(claimed: Claimed) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The URL to call, extra headers and httpx extensions: a checked public address in
    place of the name (the name kept for Host and TLS), unless the endpoint allows private."""
    if claimed.allow_private:
        return claimed.url, {}, {}
    import httpx  # loaded with the client (Deliverer.http)

    _, host, port = ssrf.parse(claimed.url)
    address = await ssrf.public_address(host, port)
    url = httpx.URL(claimed.url)
    if ssrf.literal(host) is not None:
        return claimed.url, {}, {}
    pinned = url.copy_with(host=str(address))
    return str(pinned), {"host": url.netloc.decode("ascii")}, {"sni_hostname": host}


async def attempt(client: httpx.AsyncClient, claimed: Claimed) -> Outcome:
    """One POST; every way it can go, as an outcome (never an exception)."""
    import httpx  # loaded with the client (Deliverer.http)

    body = encode(claimed)
    headers = signing.headers(claimed.secret, claimed.id, int(time.time()), body)
    try:
        url, extra, extensions = await _target(claimed)
        answer = await client.post(
            url, content=body, headers={**headers, **extra}, extensions=extensions
        )
    except ssrf.Refused as exc:
        return Outcome(claimed.pk, False, None, f"not sent: {exc}")
    except httpx.TimeoutException:
        return Outcome(claimed.pk, False, None, f"no answer within {TIMEOUT_SECONDS:g} s")
    except httpx.HTTPError as exc:
        return Outcome(claimed.pk, False, None, f"{type(exc).__name__}: {exc}")
    status = answer.status_code
    if 200 <= status < 300:
        return Outcome(claimed.pk, True, status, None)
    if answer.is_redirect:
        where = answer.headers.get("location", "")
        return Outcome(claimed.pk, False, status, f"redirect to {where} (not followed)")
    return Outcome(claimed.pk, False, status, f"HTTP {status}")


class Deliverer:
    """Sends the database's pending deliveries until closed."""

    def __init__(self, db: Database, client: httpx.AsyncClient | None = None) -> None:
        self.db = db
        self.outbox = installed(db)
        self.schedule = retry_after()
        # Made on the first delivery: most servers never send one, and httpx is a tenth of
        # what ``halcrm serve`` would import before its first answer.
        self.client = client
        self._wake = asyncio.Event()
        self._sending: set[asyncio.Task[None]] = set()
        self._gates: dict[int, asyncio.Semaphore] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._last_pass = 0.0
        self._last_check = 0.0
        self._waker: Callable[[], Any] | None = None
        self._outcomes: list[Outcome] = []
        self.busy = False
        self._busy_until = 0.0
        self._writes = 0  # the loop's own, counted apart from the calls'
        self._mark = (0.0, 0, 0)
        self._recording: asyncio.Task[None] | None = None
        self._closed = False

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._waker = partial(loop.call_soon_threadsafe, self._wake.set)
        self.outbox.on_commit(self._waker)
        sub = self.db.bus.subscribe()
        self._tasks = [
            asyncio.create_task(self._watch(sub), name="halcrm-webhooks-watch"),
            asyncio.create_task(self._run(), name="halcrm-webhooks"),
        ]

    def wake(self) -> None:
        self._wake.set()

    async def close(self) -> None:
        self._closed = True
        if self._waker is not None:
            self.outbox.forget(self._waker)
        running = [*self._tasks, *self._sending]
        for task in running:
            task.cancel()
        if self._recording is not None:
            running.append(self._recording)  # what was sent is still recorded
        for task in running:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.client is not None:
            await self.client.aclose()

    def http(self) -> httpx.AsyncClient:
        """The client every delivery is sent with (10 s, no redirects, no proxy settings)."""
        if self.client is None:
            import httpx

            self.client = httpx.AsyncClient(
                timeout=TIMEOUT_SECONDS, follow_redirects=False, trust_env=False
            )
        return self.client

    async def _watch(self, sub: Any) -> None:
        """Every committed batch of events may have queued deliveries (here or elsewhere)."""
        try:
            while await sub.get() is not None:
                while sub.pending():
                    sub.get_nowait()
                if not self.outbox.queued.is_set():
                    wait = self._last_pass + OTHERS_EVERY - asyncio.get_running_loop().time()
                    if wait > 0:
                        await asyncio.sleep(wait)
                self._wake.set()
        finally:
            sub.close()

    async def _run(self) -> None:
        # Stops on ``_closed`` too, not only on cancellation: Python 3.11's ``wait_for`` can
        # swallow a cancel that arrives as the wake-up does, and ``close`` would wait forever.
        while not self._closed:
            try:
                wait = await self._pass()
            except Exception:
                log.exception("the webhook delivery loop failed a pass; trying again")
                wait = 5.0
            if self.busy:
                await asyncio.sleep(BUSY_PAUSE)  # wake-ups wait too: the calls come first
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wake.wait()
            self._wake.clear()

    def _judge_busy(self, now: float) -> bool:
        """Whether the process's calls keep it busy: other writes than the loop's own came
        faster than ``BUSY_RATE`` since the last judgement (at least ``BUSY_WINDOW`` ago)."""
        since, writes, own = self._mark
        if now - since >= BUSY_WINDOW:
            others = (self.db.writes - writes) - (self._writes - own)
            if others > BUSY_RATE * (now - since):
                self._busy_until = now + BUSY_FOR
            self._mark = (now, self.db.writes, self._writes)
        return now < self._busy_until

    async def _pass(self) -> float:
        """Makes and claims what is due; answers how long to sleep until the next is.

        A worker, not a rule of an area: a pass is several short transactions on purpose (the
        checks, the look-up of what is due, the fan-out, the claim), so no row stays locked
        while the deliveries are sent, and the calls' writes go between them.
        """
        loop = asyncio.get_running_loop()
        self._last_pass = loop.time()
        self.outbox.queued.clear()
        if loop.time() - self._last_check >= CHECK_EVERY:
            self._last_check = loop.time()
            await self._write(notices.check_stalled)
            await self._write(record_overdue)
        self.busy = self._judge_busy(loop.time())
        waiting, due = await self.db.read(_look)
        more = False
        if waiting:
            # While busy only a few events' deliveries are made (the trickle sends them): the
            # rest wait in their events, the calls' writes first.
            limit = BUSY_BATCH if self.busy else fanout.BATCH
            made = await self._write(partial(fanout.fan_out, limit=limit))
            more = made.events >= limit
            if made.deliveries:
                due = self.db.clock()  # made due now
        free = (BUSY_BATCH if self.busy else IN_FLIGHT) - len(self._sending)
        if free <= 0:
            return 0.0 if more else IDLE_SECONDS  # a finished send wakes the loop
        now = self.db.clock()
        if due is not None and due <= now:
            for claimed in await self._write(partial(claims.claim, limit=free)):
                task = asyncio.create_task(self._send(claimed))
                self._sending.add(task)
                task.add_done_callback(self._sending.discard)
            if self.busy:
                return BUSY_PAUSE  # what is due next is looked up after the pause
            due = await self.db.read(claims.next_due)
        if more:
            return 0.0
        if due is None or len(self._sending) >= IN_FLIGHT:
            return IDLE_SECONDS  # a finished send wakes the loop
        # A floor: a due row another process holds locked right now is not spun on.
        return max(0.01, min(IDLE_SECONDS, (due - self.db.clock()).total_seconds()))

    async def _write(self, work: Callable[[Tx], T]) -> T:
        """A write of the loop's own, counted apart (``_judge_busy`` tells them apart)."""
        self._writes += 1
        return await self.db.write(work)

    async def _send(self, claimed: Claimed) -> None:
        gate = self._gates.setdefault(claimed.endpoint_pk, asyncio.Semaphore(PER_ENDPOINT))
        async with gate:
            outcome = await attempt(self.http(), claimed)
        if not outcome.ok:
            log.info(
                "webhook %s to endpoint %d failed: %s",
                claimed.id,
                claimed.endpoint_pk,
                outcome.error,
            )
        self._outcomes.append(outcome)
        if self._recording is None or self._recording.done():
            self._recording = asyncio.create_task(self._record())

    async def _record(self) -> None:
        """Writes the attempts' outcomes, those that finished meanwhile in the same write."""
        while self._outcomes:
            outcomes, self._outcomes = self._outcomes, []
            await self._write(partial(claims.settle, outcomes=outcomes, schedule=self.schedule))
            self._wake.set()
