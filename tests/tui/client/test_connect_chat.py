"""The website chat on a ``halcrm board --connect`` board (Pilot, real keys) over a real
``halcrm serve`` process: a visitor's message lands live in the inbox and the activity panel,
and the reply typed on the board reaches the visitor's open stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from textual.widgets import Input

from halcrm.tui.app import HalcrmApp
from halcrm.tui.client.login import Connected, connected
from halcrm.tui.screens.conversation import ConversationScreen
from halcrm.tui.screens.inbox import InboxScreen
from tests.processes import free_port, halcrm_serve, wait_until_up
from tests.server.live import next_data_event, sse_events
from tests.tui.client.test_connect_board import SIZE, TOKEN, until
from tests.tui.helpers import ready

VISITOR = {"app_id": "local", "visitor_id": "chat-1"}


@pytest.fixture
async def base(tmp_path: Path) -> AsyncIterator[str]:
    port = free_port()
    with halcrm_serve(tmp_path / "data", port, TOKEN) as proc:
        url = f"http://127.0.0.1:{port}"
        await wait_until_up(url, proc)
        yield url


@pytest.fixture
async def link(base: str) -> AsyncIterator[Connected]:
    async with connected(base, TOKEN) as attached:
        yield attached


async def test_a_visitor_writes_and_the_connect_board_answers_live(
    base: str, link: Connected, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        app = HalcrmApp(
            link.services,
            link.services.bus,
            server_url=link.url,
            server_state=link.state,
            data_dir=tmp_path / "board",
        )
        async with (
            http.stream("GET", "/api/widget/chat/stream", params=VISITOR) as stream,
            app.run_test(size=SIZE) as pilot,
        ):
            events = sse_events(stream)
            assert (await asyncio.wait_for(next_data_event(events), 10)).event == "ready"
            screen = await ready(pilot)
            await pilot.press("i")
            await until(pilot, lambda: isinstance(app.screen, InboxScreen), "the inbox")
            inbox = app.screen
            assert isinstance(inbox, InboxScreen)

            sent = await http.post(
                "/api/widget/chat/messages", json={**VISITOR, "body": "<b>hi</b> there"}
            )
            assert sent.status_code == 201, sent.text
            await until(pilot, lambda: len(inbox.talks) == 1, "the chat, live")
            assert inbox.talks[0].last_body == "<b>hi</b> there"
            await until(
                pilot,
                lambda: any("<b>hi</b> there" in s.detail for s in screen.feed.signals),
                "the activity panel's line",
            )
            echo = (await asyncio.wait_for(next_data_event(events), 10)).json()
            assert echo["author"] == "visitor"

            await pilot.press("r")
            await until(pilot, lambda: isinstance(app.screen, ConversationScreen), "conversation")
            # The reply box takes the keys once the screen has focused it (after its first draw).
            await until(pilot, lambda: isinstance(app.focused, Input), "the reply box's focus")
            await pilot.press(*"hello from afar", "enter")
            reply = (await asyncio.wait_for(next_data_event(events), 10)).json()
            assert (reply["author"], reply["body"]) == ("agent", "hello from afar")
            assert reply["conversation_id"] == sent.json()["conversation_id"]
