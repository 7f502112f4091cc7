"""Slow clients: a connection must send its request headers, then its body, within a time.

uvicorn closes a kept-alive connection that stays idle (``timeout_keep_alive``) and bounds the
header size (h11), but a new connection that trickles its headers a byte at a time is never
timed out, and neither is a body that trickles. So: a header deadline in the HTTP protocol
(from the connection, or from the first byte of the next request on a kept-alive one), and a
body deadline in the ASGI app (from the moment the request reached it).
"""

from __future__ import annotations

import asyncio
from typing import Any

from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

DEFAULT_HEADER_TIMEOUT = 10.0


def _base_protocol() -> type[asyncio.Protocol]:
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

        return HttpToolsProtocol
    except ImportError:  # uvicorn without httptools: its pure-Python h11 protocol
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return H11Protocol


def header_deadline_protocol(seconds: float) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol that closes a connection whose request headers are not all in
    ``seconds`` after it opened (or after the first byte of a later request on it)."""
    base: Any = _base_protocol()

    class HeaderDeadline(base):  # type: ignore[misc, valid-type]
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._headers_in():
                self._disarm()
            elif self._deadline is None and not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _headers_in(self) -> bool:
            cycle = self.cycle
            return cycle is not None and not cycle.response_complete

        def _arm(self) -> None:
            self._deadline = self.loop.call_later(seconds, self._expired)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self) -> None:
            self._deadline = None
            if not self._headers_in() and not self.transport.is_closing():
                self.transport.close()

    HeaderDeadline.__name__ = f"HeaderDeadline{base.__name__}"
    return HeaderDeadline


class BodyTimeout(HTTPException):
    status_code = 408


def body_deadline(seconds: float) -> Any:
    """A middleware factory: the request body must be in within ``seconds`` of the request
    reaching the app, else 408 and the connection is closed. After the body, ``receive`` is
    left alone (an event stream waits on it for the client to go)."""

    def middleware_factory(app: ASGIApp) -> ASGIApp:
        if seconds <= 0:
            return app

        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            loop = asyncio.get_running_loop()
            deadline = loop.time() + seconds
            body_done = False

            async def timed_receive() -> ReceiveMessage:
                nonlocal body_done
                if body_done:
                    return await receive()
                try:
                    async with asyncio.timeout_at(deadline):
                        message = await receive()
                except TimeoutError:
                    body_done = True
                    raise BodyTimeout(
                        detail=f"the request body did not arrive within {seconds:g} seconds",
                        headers={"Connection": "close"},
                    ) from None
                if message["type"] != "http.request" or not message.get("more_body", False):
                    body_done = True
                return message

            await app(scope, timed_receive, send)

        return middleware

    return middleware_factory
