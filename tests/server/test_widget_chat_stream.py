"""The visitor's chat stream against the real embedded uvicorn: replies arrive live, only to
their own visitor, from the board and from the public API alike."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from halcrm.domain.stages import Source
from halcrm.server.app import ServerConfig
from halcrm.services.support.schemas import MessageCreate
from tests.conftest import TOKEN
from tests.server.live import SseEvent, live_server, next_data_event, sse_events

CONFIG = ServerConfig(account_token=TOKEN, sse_keepalive=0.2)
M = "/api/widget/chat/messages"
S = "/api/widget/chat/stream"


@pytest.fixture
async def live(runtime):
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
        await services.add_message(
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
