"""Events cross processes: the stream of one ``halcrm serve`` carries every event committed
through another on the same database, exactly once and in commit order, and a client that
resumes on the other process with ``Last-Event-ID`` misses nothing (SQLite file, PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path

import httpx

from tests.processes import free_port, halcrm_serve, wait_until_up
from tests.server.live import SseEvent, next_data_event, sse_events

TOKEN = "across-token-" + "z" * 20
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CALLS = 40


@asynccontextmanager
async def two_servers(tmp_path: Path, db_url: str) -> AsyncIterator[list[str]]:
    ports = [free_port(), free_port()]
    with ExitStack() as stack:
        procs = [
            stack.enter_context(halcrm_serve(tmp_path / f"data{n}", port, TOKEN, db_url))
            for n, port in enumerate(ports)
        ]
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base, proc in zip(bases, procs, strict=True):
            await wait_until_up(base, proc)
        yield bases


async def _burst(bases: list[str], tag: str) -> None:
    """``CALLS`` track calls, half through each process, all in flight at once."""
    async with (
        httpx.AsyncClient(base_url=bases[0], timeout=20) as a,
        httpx.AsyncClient(base_url=bases[1], timeout=20) as b,
    ):

        async def track(n: int) -> None:
            http = (a, b)[n % 2]
            body = {"app_id": "local", "visitor_id": f"v{n % 7}", "name": f"{tag}-{n}"}
            answer = await http.post("/api/widget/track", json=body)
            assert answer.is_success, answer.text

        await asyncio.gather(*(track(n) for n in range(CALLS)))


async def _tracks(events: AsyncIterator[SseEvent], tag: str, count: int) -> list[SseEvent]:
    """The next ``count`` track events named ``tag-…`` (other kinds pass by)."""
    seen: list[SseEvent] = []
    while len(seen) < count:
        event = await asyncio.wait_for(next_data_event(events), 20)
        if event.event == "track" and event.json()["data"]["name"].startswith(f"{tag}-"):
            seen.append(event)
    return seen


def _assert_in_order_once(events: list[SseEvent], tag: str) -> None:
    ids = [int(e.id or 0) for e in events]
    assert ids == sorted(set(ids)), "ids repeat or go backwards"
    names = sorted(e.json()["data"]["name"] for e in events)
    assert names == sorted(f"{tag}-{n}" for n in range(CALLS))


async def test_one_stream_carries_both_processes_writes_once_in_order(
    tmp_path: Path, db_url: str
) -> None:
    async with (
        two_servers(tmp_path, db_url) as bases,
        httpx.AsyncClient(base_url=bases[0], headers=AUTH, timeout=30) as a,
        a.stream("GET", "/api/events") as stream,
    ):
        events = sse_events(stream)
        assert (await anext(events)).comments  # subscribed
        burst = asyncio.create_task(_burst(bases, "live"))
        live = await _tracks(events, "live", CALLS)
        await burst
        _assert_in_order_once(live, "live")
        # Replayed from the start by the other process: the same events in the same order.
        async with (
            httpx.AsyncClient(base_url=bases[1], headers=AUTH, timeout=30) as b,
            b.stream("GET", "/api/events", headers={"Last-Event-ID": "0"}) as again,
        ):
            replayed = await _tracks(sse_events(again), "live", CALLS)
        assert [(e.id, e.data) for e in replayed] == [(e.id, e.data) for e in live]


async def test_a_client_resuming_on_the_other_process_misses_nothing(
    tmp_path: Path, db_url: str
) -> None:
    async with two_servers(tmp_path, db_url) as bases:
        burst = asyncio.create_task(_burst(bases, "resume"))
        async with (
            httpx.AsyncClient(base_url=bases[0], headers=AUTH, timeout=30) as a,
            a.stream("GET", "/api/events", headers={"Last-Event-ID": "0"}) as stream,
        ):
            first = await _tracks(sse_events(stream), "resume", 5)
        # Dropped mid-burst; resumed on the other process from the last id received.
        async with (
            httpx.AsyncClient(base_url=bases[1], headers=AUTH, timeout=30) as b,
            b.stream("GET", "/api/events", headers={"Last-Event-ID": first[-1].id or ""}) as s,
        ):
            rest = await _tracks(sse_events(s), "resume", CALLS - 5)
        await burst
        _assert_in_order_once(first + rest, "resume")
