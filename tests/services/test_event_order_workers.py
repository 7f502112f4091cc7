"""Four workers (four runtimes on one database, each with its own connections, writer threads
and event follower, as ``halcrm serve --workers 4`` has) write at once. Every worker's live
stream, every client that keeps resuming from its last id on any worker while the writes go on,
and a resume from any position afterwards, all see the same events: none skipped, none twice,
in one order (SQLite file and PostgreSQL)."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from pathlib import Path

from halcrm.domain.events import DomainEvent
from halcrm.runtime import Runtime, open_runtime
from halcrm.services.container import Services
from halcrm.services.widget.inputs import Track
from halcrm.settings import Settings
from tests.conftest import TOKEN

WORKERS = 4
EACH = 30


async def _write(services: Services, worker: int) -> None:
    async def one(n: int) -> None:
        body = Track(app_id="local", visitor_id=f"v{worker}-{n % 3}", name=f"w{worker}-{n}")
        await services.widget.track(body)

    await asyncio.gather(*(one(n) for n in range(EACH)))


async def _resume(services: Services, done: asyncio.Event, want: list[int]) -> list[DomainEvent]:
    """A client that reconnects again and again, each time from the last id it received."""
    seen: list[DomainEvent] = []
    after = 0
    while not (done.is_set() and want and len(seen) >= want[0]):
        batch = await services.activity.events_after(after)
        seen += batch
        if batch:
            after = batch[-1].id
        await asyncio.sleep(0.003)
    return seen


async def _every_track(services: Services) -> list[DomainEvent]:
    """Every event once all the writes are settled (see ``_resumed_from``)."""
    events: list[DomainEvent] = []
    for _ in range(100):
        events = await services.activity.events_after(0)
        if sum(e.kind.value == "track" for e in events) >= WORKERS * EACH:
            break
        await asyncio.sleep(0.02)
    return events


async def _resumed_from(services: Services, after: int, wanted: list[int]) -> list[int]:
    """A resume from ``after``, read again until it has ``wanted``. A read stops below the
    oldest transaction still running on the server, another database's included for the
    instant its end races the read (the suite's other workers write there): what it returns
    is then the start of what is wanted, never a gap, and a later read has the rest."""
    got: list[int] = []
    for _ in range(100):
        got = _ids(await services.activity.events_after(after))
        assert got == wanted[: len(got)], "a resume skipped or reordered events"
        if got == wanted:
            break
        await asyncio.sleep(0.02)
    return got


async def _live(runtime: Runtime, events: list[DomainEvent], stop: asyncio.Event) -> None:
    sub = runtime.services.bus.subscribe()
    try:
        while not stop.is_set():
            try:
                async with asyncio.timeout(0.05):
                    event = await sub.get()
            except TimeoutError:
                continue
            if event is None:
                return
            if event.id:
                events.append(event)
    finally:
        sub.close()


def _ids(events: list[DomainEvent]) -> list[int]:
    return [e.id for e in events]


async def test_four_workers_stream_every_event_once_in_one_order(
    tmp_path: Path, db_url: str
) -> None:
    async with AsyncExitStack() as stack:
        runtimes: list[Runtime] = []
        for n in range(WORKERS):
            data = tmp_path / f"w{n}"
            runtime = await open_runtime(
                Settings(data_dir=data, db=db_url, account_token_override=TOKEN)
            )
            stack.push_async_callback(runtime.close)
            runtimes.append(runtime)
        services = [r.services for r in runtimes]
        stop, done = asyncio.Event(), asyncio.Event()
        live: list[list[DomainEvent]] = [[] for _ in runtimes]
        watchers = [asyncio.create_task(_live(r, live[n], stop)) for n, r in enumerate(runtimes)]
        want: list[int] = []
        resumers = [asyncio.create_task(_resume(s, done, want)) for s in services]
        await asyncio.gather(*(_write(s, n) for n, s in enumerate(services)))

        final = await services[0].activity.events_after(0)
        want.append(len(final))
        done.set()
        resumed = await asyncio.wait_for(asyncio.gather(*resumers), 30)
        for _ in range(600):
            if all(len(events) >= len(final) for events in live):
                break
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.gather(*watchers)

        names = sorted(e.data["name"] for e in final if e.kind.value == "track")
        assert names == sorted(f"w{w}-{n}" for w in range(WORKERS) for n in range(EACH))
        assert _ids(final) == sorted(set(_ids(final))), "ids repeat or go backwards"
        for seen in resumed:
            assert _ids(seen) == _ids(final)
        for events in live:
            assert _ids(events) == _ids(final)
        for k, event in enumerate(final):
            wanted = _ids(final[k + 1 :])
            assert await _resumed_from(services[k % WORKERS], event.id, wanted) == wanted
