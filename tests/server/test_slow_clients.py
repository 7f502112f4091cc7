"""Slow clients against a real uvicorn on 127.0.0.1: trickled headers and bodies are cut."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest

from halcrm.runtime import Runtime
from halcrm.server.app import ServerConfig
from halcrm.settings import Settings
from tests.conftest import TOKEN
from tests.server.live import LiveServer, live_server

CONFIG = ServerConfig(account_token=TOKEN, header_timeout=0.5, body_timeout=0.5)
# Far above the timeouts: the test fails, rather than hangs, if a connection is never cut.
GIVE_UP = 20.0


@pytest.fixture
async def live(runtime: Runtime) -> AsyncIterator[LiveServer]:
    async with live_server(runtime, CONFIG) as server:
        yield server


async def _connect(base_url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    parts = urlsplit(base_url)
    return await asyncio.open_connection(parts.hostname, parts.port)


async def _trickle(writer: asyncio.StreamWriter, data: bytes) -> None:
    """Sends ``data`` a byte every 50 ms, for as long as the server lets it."""
    with contextlib.suppress(ConnectionError, OSError):
        for n in range(len(data)):
            writer.write(data[n : n + 1])
            await writer.drain()
            await asyncio.sleep(0.05)


async def _read_until_closed(reader: asyncio.StreamReader) -> bytes:
    received = b""
    with contextlib.suppress(ConnectionError):
        while chunk := await reader.read(65536):
            received += chunk
    return received


async def test_trickled_headers_are_cut(live):
    reader, writer = await _connect(live.base_url)
    request = b"POST /api/widget/identify HTTP/1.1\r\nHost: t\r\n" + b"X-Slow: " + b"a" * 2000
    trickle = asyncio.create_task(_trickle(writer, request))
    try:
        received = await asyncio.wait_for(_read_until_closed(reader), GIVE_UP)
        assert received == b""  # closed without an answer: nothing reached the app
        assert not trickle.done()  # the client still had bytes to send
    finally:
        trickle.cancel()
        writer.close()


async def test_a_silent_connection_is_cut(live):
    reader, writer = await _connect(live.base_url)
    try:
        assert await asyncio.wait_for(_read_until_closed(reader), GIVE_UP) == b""
    finally:
        writer.close()


async def test_a_trickled_body_gets_408_and_writes_nothing(live, services):
    reader, writer = await _connect(live.base_url)
    body = b'{"app_id":"local","visitor_id":"slow","email":"slow@corp.io"}' + b" " * 500
    head = (
        b"POST /api/widget/identify HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
    )
    writer.write(head + body[:20])
    await writer.drain()
    trickle = asyncio.create_task(_trickle(writer, body[20:]))
    try:
        received = await asyncio.wait_for(_read_until_closed(reader), GIVE_UP)
    finally:
        trickle.cancel()
        writer.close()
    assert received.startswith(b"HTTP/1.1 408 "), received[:200]
    assert b'"error":"request_timeout"' in received
    assert (await services.activity.recent()).items == []


async def test_a_prompt_client_keeps_its_connection_across_requests(live):
    reader, writer = await _connect(live.base_url)
    try:
        for _ in range(2):
            writer.write(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
            await writer.drain()
            status = await asyncio.wait_for(reader.readline(), GIVE_UP)
            assert status.startswith(b"HTTP/1.1 200"), status
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            # Idle for longer than the header deadline: the keep-alive timeout (5 s) governs
            # an idle connection, the header deadline only a started request.
            await asyncio.sleep(0.8)
    finally:
        writer.close()


def test_the_timeouts_come_from_the_environment(tmp_path):
    env = {
        "HALCRM_DATA_DIR": str(tmp_path),
        "HALCRM_HEADER_TIMEOUT": "3",
        "HALCRM_BODY_TIMEOUT": "7",
    }
    settings = Settings.from_env(env)
    assert (settings.header_timeout, settings.body_timeout) == (3.0, 7.0)
    defaults = Settings.from_env({"HALCRM_DATA_DIR": str(tmp_path)})
    assert (defaults.header_timeout, defaults.body_timeout) == (10.0, 30.0)
