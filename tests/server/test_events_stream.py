"""GET /api/events against the real embedded uvicorn: live events, resumption, shutdown."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from halcrm.runtime import Runtime
from halcrm.server.app import ServerConfig
from halcrm.server.embedded import stop
from tests.conftest import TOKEN
from tests.server.live import LiveServer, SseEvent, live_server, next_data_event, sse_events

AUTH = {"Authorization": f"Bearer {TOKEN}"}
CONFIG = ServerConfig(account_token=TOKEN, sse_keepalive=0.2)


def widget_body(visitor: str, **fields: object) -> dict[str, object]:
    return {"app_id": "local", "visitor_id": visitor, **fields}


@pytest.fixture
async def live(runtime: Runtime) -> AsyncIterator[LiveServer]:
    async with live_server(runtime, CONFIG) as server:
        yield server


async def test_a_widget_call_arrives_on_the_stream(live):
    async with (
        httpx.AsyncClient(base_url=live.base_url, timeout=10) as http,
        http.stream("GET", "/api/events", headers=AUTH) as stream,
    ):
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        events = sse_events(stream)
        hello = await anext(events)
        assert hello.comments  # the stream is open and subscribed
        answer = await http.post(
            "/api/widget/identify",
            json=widget_body("v1", email="jane@acme.com", company={"id": "acme"}),
        )
        assert answer.status_code == 200
        seen: list[SseEvent] = []
        while "identify" not in [e.event for e in seen]:
            seen.append(await asyncio.wait_for(next_data_event(events), 10))
        event = next(e for e in seen if e.event == "identify")
        payload = event.json()
        assert payload["id"] == event.id
        assert payload["kind"] == "identify"
        assert payload["project_id"] == "local"
        assert payload["source"] == "widget"
        assert {"at", "summary", "company_id", "company_name", "data"} <= set(payload)


async def test_keep_alive_comments_on_an_idle_stream(live):
    async with (
        httpx.AsyncClient(base_url=live.base_url, timeout=10) as http,
        http.stream("GET", "/api/events", headers=AUTH) as stream,
    ):
        events = sse_events(stream)
        await anext(events)
        idle = await asyncio.wait_for(anext(events), 10)
        # A bare comment: no "data:" line, which browsers would turn into an empty message.
        assert idle.lines == [": keep-alive"]


async def test_last_event_id_replays_what_was_missed_then_goes_live(live, services):
    async with httpx.AsyncClient(base_url=live.base_url, timeout=10) as http:
        for n in range(3):
            answer = await http.post(
                "/api/widget/set-properties", json=widget_body(f"v{n}", properties={"n": n})
            )
            assert answer.status_code == 200
        ids = sorted(int(item.id) for item in (await services.activity.recent()).items)
        assert len(ids) == 3
        headers = {**AUTH, "Last-Event-ID": str(ids[0])}
        async with http.stream("GET", "/api/events", headers=headers) as stream:
            events = sse_events(stream)
            replayed = [await asyncio.wait_for(next_data_event(events), 10) for _ in range(2)]
            assert [e.number() for e in replayed] == ids[1:]
            answer = await http.post(
                "/api/widget/set-properties", json=widget_body("v9", properties={"n": 9})
            )
            assert answer.status_code == 200
            live_event = await asyncio.wait_for(next_data_event(events), 10)
            assert live_event.number() > ids[-1]
            assert live_event.json()["data"]["visitor_id"] == "v9"


async def test_a_bad_last_event_id_is_refused(live):
    async with httpx.AsyncClient(base_url=live.base_url, timeout=10) as http:
        answer = await http.get("/api/events", headers={**AUTH, "Last-Event-ID": "x1"})
        assert answer.status_code == 400
        assert answer.json()["error"] == "invalid_request"


async def test_shutdown_with_an_open_stream_is_clean(runtime):
    async with live_server(runtime, CONFIG) as live:
        async with (
            httpx.AsyncClient(base_url=live.base_url, timeout=10) as http,
            http.stream("GET", "/api/events", headers=AUTH) as stream,
        ):
            events = sse_events(stream)
            await anext(events)
            # The order halcrm serve uses: the bus first, then the server.
            runtime.bus.close()
            rest = [e async for e in events]
            assert all(not e.data for e in rest)
            await asyncio.wait_for(stop(live.server, live.task), 10)
        assert live.task.done()
        assert not live.server.force_exit
