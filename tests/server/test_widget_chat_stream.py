"""The visitor's chat stream against the real embedded uvicorn: replies arrive live, only to
their own visitor, from the board and from the public API alike."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import httpx
import pytest

from halcrm.domain.stages import Source
from halcrm.runtime import Runtime
from halcrm.server.app import ServerConfig, create_app
from halcrm.services.support.schemas import MessageCreate
from tests.conftest import TOKEN
from tests.live import serving
from tests.server.live import LiveServer, SseEvent, live_server, next_data_event, sse_events
from tests.server.test_rate_limits import REDIS_URL, _redis_answers

CONFIG = ServerConfig(account_token=TOKEN, sse_keepalive=0.2)
M = "/api/widget/chat/messages"
S = "/api/widget/chat/stream"


@pytest.fixture
async def live(runtime: Runtime) -> AsyncIterator[LiveServer]:
    async with live_server(runtime, CONFIG) as server:
        yield server


async def ready(stream: httpx.Response) -> AsyncIterator[SseEvent]:
    events = sse_events(stream)
    first = await asyncio.wait_for(next_data_event(events), 10)
    assert first.event == "ready"
    return events


async def test_a_board_reply_reaches_the_visitors_open_stream_only(live, services, api_key):
    params = {"app_id": "local", "visitor_id": "v1"}
    async with (
        httpx.AsyncClient(base_url=live.base_url, timeout=10) as http,
        http.stream("GET", S, params=params) as mine,
        http.stream("GET", S, params={**params, "visitor_id": "v2"}) as other,
    ):
        assert mine.status_code == 200
        assert mine.headers["access-control-allow-origin"] == "*"
        events = await ready(mine)
        others = await ready(other)
        sent = (await http.post(M, json={**params, "body": "hi <img src=x>"})).json()
        echo = (await asyncio.wait_for(next_data_event(events), 10)).json()
        assert (echo["author"], echo["body"]) == ("visitor", "hi <img src=x>")
        await services.support.add_message(
            sent["conversation_id"], MessageCreate(author="agent", body="hello!"), Source.BOARD
        )
        reply = (await asyncio.wait_for(next_data_event(events), 10)).json()
        assert (reply["author"], reply["body"]) == ("agent", "hello!")
        assert reply["conversation_id"] == sent["conversation_id"]
        answer = await http.post(
            f"/api/v1/conversations/{sent['conversation_id']}/messages",
            json={"author": "agent", "body": "via the API"},
            headers=api_key,
        )
        assert answer.status_code == 201
        again = (await asyncio.wait_for(next_data_event(events), 10)).json()
        assert again["body"] == "via the API"
        # v2's stream saw none of it: only keep-alive comments came.
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(next_data_event(others), 0.5)


async def test_a_visitor_has_a_limited_number_of_open_streams(live):
    params = {"app_id": "local", "visitor_id": "v1"}
    async with httpx.AsyncClient(base_url=live.base_url, timeout=10) as http:
        opened: list[httpx.Response] = []
        readers: list[AsyncIterator[SseEvent]] = []
        try:
            for _ in range(10):
                stream = await http.send(http.build_request("GET", S, params=params), stream=True)
                opened.append(stream)
                assert stream.status_code == 200
                # Kept: a reader that is dropped closes its response (and so the stream).
                readers.append(await ready(stream))
            refused = await asyncio.wait_for(http.get(S, params=params), 10)
            assert (refused.status_code, refused.json()["error"]) == (429, "rate_limited")
        finally:
            for stream in opened:
                await stream.aclose()


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
async def test_the_stream_cap_holds_across_processes_sharing_redis(services):
    """Two apps (as two worker processes) with one Redis: 10 streams in all, not 10 each;
    a closed stream gives its place back at once."""
    config = ServerConfig(account_token=TOKEN, sse_keepalive=0.2, redis_url=REDIS_URL)
    params = {"app_id": "local", "visitor_id": f"v-{secrets.token_hex(4)}"}
    async with (
        serving(create_app(services, config)) as one,
        serving(create_app(services, config)) as two,
        httpx.AsyncClient(timeout=10) as http,
    ):
        opened: list[httpx.Response] = []
        readers: list[AsyncIterator[SseEvent]] = []
        try:
            for n in range(10):
                base = one if n % 2 else two
                request = http.build_request("GET", base + S, params=params)
                stream = await http.send(request, stream=True)
                opened.append(stream)
                assert stream.status_code == 200, n
                readers.append(await ready(stream))
            for base in (one, two):
                refused = await asyncio.wait_for(http.get(base + S, params=params), 10)
                assert (refused.status_code, refused.json()["limit"]) == (429, "chat streams")
            await opened.pop().aclose()
            again = None
            for _ in range(50):  # the server notices the closed connection on its next write
                again = await http.send(
                    http.build_request("GET", one + S, params=params), stream=True
                )
                if again.status_code == 200:
                    break
                await again.aclose()
                await asyncio.sleep(0.1)
            assert again is not None
            assert again.status_code == 200
            opened.append(again)
        finally:
            for stream in opened:
                await stream.aclose()
