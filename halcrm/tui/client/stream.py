"""The server's ``/api/events`` fed into a local ``EventBus`` the board subscribes to, as it
does in-process: reconnects with backoff and resumes after the last event id received."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx

from halcrm.bus import EventBus
from halcrm.domain.events import DomainEvent, EventKind
from halcrm.domain.wire import ACTIVITY, EVENTS, LAST_EVENT_ID, PROJECT_HEADER
from halcrm.tui.client.http import Connection, error_from

log = logging.getLogger("halcrm.tui")

# Seconds before reconnecting: doubled after each failure up to the ceiling, reset once a
# stream is open. A refused token is asked again slowly.
FIRST_DELAY = 0.5
MAX_DELAY = 5.0
REFUSED_DELAY = 30.0
# The server sends a keep-alive comment every 15 s: a stream silent for longer is dead.
READ_TIMEOUT = 45.0


def decode_event(data: str) -> DomainEvent | None:
    """A ``data:`` line as the event it carries (None for a kind this board does not know)."""
    raw: dict[str, Any] = json.loads(data)
    try:
        kind = EventKind(raw["kind"])
    except ValueError:
        return None
    return DomainEvent.of_data(
        # Live-only refusals carry no id: 0, as in-process (never a resume point).
        id=int(raw.get("id") or 0),
        project_id=str(raw["project_id"]),
        kind=kind,
        at=datetime.fromisoformat(str(raw["at"]).replace("Z", "+00:00")),
        source=str(raw.get("source") or ""),
        summary=str(raw.get("summary") or ""),
        company_id=raw.get("company_id"),
        company_name=raw.get("company_name"),
        data=raw.get("data"),
    )


async def messages(lines: AsyncIterator[str]) -> AsyncIterator[tuple[str | None, str]]:
    """``(id, data)`` per Server-Sent Events message; comments and ``retry:`` are skipped,
    an empty ``("", "")`` marks a comment (the stream is alive)."""
    event_id: str | None = None
    data: list[str] = []
    async for line in lines:
        if not line:
            if data:
                yield event_id, "\n".join(data)
            event_id, data = None, []
        elif line.startswith(":"):
            yield "", ""
        else:
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "id":
                event_id = value
            elif name == "data":
                data.append(value)


class EventFollower:
    """One task reading the server's event stream into ``bus``."""

    def __init__(self, connection: Connection, project_id: str, bus: EventBus | None = None):
        self.connection = connection
        self.project_id = project_id
        self.bus = bus or EventBus()
        # The last event id received: a reconnect resumes strictly after it.
        self.last_id: int | None = None
        self.state = "connecting"
        self.retry_at: float | None = None
        self.connected = asyncio.Event()
        # The project whose stream is open now (None while none is).
        self.streaming: str | None = None
        self._switched = False
        self._opened = asyncio.Event()  # set each time a stream opens
        self._task: asyncio.Task[None] | None = None
        self._response: httpx.Response | None = None

    def status(self) -> str:
        """For the header: ``connected``, ``reconnecting in 3s``, ``refused: …``."""
        if self.state == "reconnecting" and self.retry_at is not None:
            left = max(0, round(self.retry_at - asyncio.get_running_loop().time()))
            return f"reconnecting in {left}s"
        return self.state

    async def start(self, limit: float = 10.0) -> None:
        """Starts following and waits (bounded) until the stream is open, so that no event
        committed from now on is missed by a board that loads after this."""
        self._task = asyncio.create_task(self._run(), name="halcrm-events")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.connected.wait(), limit)

    def follow(self, project_id: str) -> None:
        """Streams another project's events from now on (the board switched project); that
        board loads once ``ready(project_id)`` says its stream is open."""
        self.project_id = project_id
        self.last_id = None
        self.streaming = None
        self._switched = True
        response = self._response
        if response is not None:
            # Closing the stream makes the reading loop raise: it then reconnects.
            asyncio.get_running_loop().create_task(response.aclose())

    async def ready(self, project_id: str, limit: float = 10.0) -> None:
        """Waits (bounded) until ``project_id``'s stream is open: a board loaded after this
        misses no event (one loaded without a stream shows its state, and says so above)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(limit):
                while self.streaming != project_id:
                    self._opened.clear()
                    await self._opened.wait()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.bus.close()

    async def _run(self) -> None:
        delay = FIRST_DELAY
        while True:
            wait = delay
            try:
                await self._follow()
            except _Refused as exc:
                self.state = f"refused: {exc}"
                wait = REFUSED_DELAY
            except Exception as exc:  # whatever ends a stream, the follower goes on
                log.info("event stream from %s ended: %r", self.connection.url, exc)
            else:
                log.info("event stream from %s closed", self.connection.url)
            if self.connected.is_set():  # it was open: the next failure starts the backoff
                delay = wait = FIRST_DELAY
            if self._switched:  # another project: at once
                self._switched, wait = False, 0.0
            self.connected.clear()
            self.streaming = None
            if not self.state.startswith("refused"):
                self.state = "reconnecting"
            self.retry_at = asyncio.get_running_loop().time() + wait
            await asyncio.sleep(wait)
            delay = min(MAX_DELAY, delay * 2)

    async def _follow(self) -> None:
        """One stream, until it ends."""
        project = self.project_id
        if self.last_id is None:
            await self._mark(project)
        headers = {PROJECT_HEADER: project, "Accept": "text/event-stream"}
        if self.last_id is not None:
            headers[LAST_EVENT_ID] = str(self.last_id)
        timeout = httpx.Timeout(10.0, read=READ_TIMEOUT)
        async with self.connection.http.stream(
            "GET", EVENTS, headers=headers, timeout=timeout
        ) as response:
            if response.status_code != 200:
                error = error_from(response.status_code, await response.aread())
                if response.status_code in (401, 403):
                    raise _Refused(error.detail)
                raise ValueError(f"{response.status_code} {error.code}: {error.detail}")
            self._response = response
            try:
                await self._read(response, project)
            finally:
                self._response = None

    async def _read(self, response: httpx.Response, project: str) -> None:
        async for event_id, data in messages(response.aiter_lines()):
            if not self.connected.is_set():
                self.state, self.retry_at = "connected", None
                self.connected.set()
                self.streaming = project
                self._opened.set()
            if not data:
                continue
            event = decode_event(data)
            if event is None or project != self.project_id:
                continue
            if event_id:
                number = int(event_id)
                # Ids increase: one at or below the last received was already published.
                if self.last_id is not None and number <= self.last_id:
                    continue
                self.last_id = number
            self.bus.publish([event])

    async def _mark(self, project: str) -> None:
        """The first resume point: the project's newest event, read before the first stream
        opens. That stream asks for what came after it, so an event committed between this
        read and the server's subscription is replayed, not lost (the board reloads a card
        it may already show, which changes nothing)."""
        answer = await self.connection.http.get(
            ACTIVITY, params={"limit": 1}, headers={PROJECT_HEADER: project}
        )
        if answer.status_code in (401, 403):
            raise _Refused(error_from(answer.status_code, answer.content).detail)
        answer.raise_for_status()
        items = answer.json().get("items") or []
        self.last_id = int(items[0]["id"]) if items else 0


class _Refused(Exception):
    """The server refuses the token (401/403): retried slowly, shown in the header."""
