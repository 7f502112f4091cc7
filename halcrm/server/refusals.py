"""Refused widget calls: logged at INFO and published live on the bus, never stored.

A refused call writes nothing, so its trace is an event with id 0 (not in the activity log,
not resumable). Under a flood, refusals of one route with one code are coalesced: the first
goes out at once, the ones that follow within ``window`` seconds go out as one event whose
``data.count`` says how many it stands for.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from litestar import Request
from litestar.utils.empty import value_or_default

from halcrm.bus import EventBus
from halcrm.domain.events import DomainEvent, EventKind
from halcrm.domain.wire import WIDGET

log = logging.getLogger("halcrm.server.refusals")
WIDGET_PREFIX = WIDGET + "/"
# At most one event per (project, route, code) this often, however fast refusals come.
WINDOW_SECONDS = 0.25


@dataclass
class Refusal:
    project_id: str
    route: str
    visitor_id: str | None
    code: str
    detail: str
    status: int


@dataclass
class _Window:
    held: int = 0
    last: Refusal | None = None


class RefusalReporter:
    """Logs and publishes refusals, coalesced per (project, route, code)."""

    def __init__(
        self,
        bus: EventBus,
        window: float = WINDOW_SECONDS,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._bus = bus
        self._window = window
        self._now = now
        self._open: dict[tuple[str, str, str], _Window] = {}

    def report(self, refusal: Refusal) -> None:
        """Publishes ``refusal`` now, or counts it into the window already open for its kind."""
        key = (refusal.project_id, refusal.route, refusal.code)
        window = self._open.get(key)
        if window is not None:
            window.held += 1
            window.last = refusal
            return
        self._emit(refusal, 1)
        self._open[key] = _Window()
        self._schedule(key)

    def _schedule(self, key: tuple[str, str, str]) -> None:
        try:
            asyncio.get_running_loop().call_later(self._window, self._close, key)
        except RuntimeError:  # no loop (a sync caller): nothing to coalesce with
            self._open.pop(key, None)

    def _close(self, key: tuple[str, str, str]) -> None:
        window = self._open.get(key)
        if window is None or window.last is None:
            self._open.pop(key, None)
            return
        self._emit(window.last, window.held)
        # Still flooding: keep coalescing for another window.
        self._open[key] = _Window()
        self._schedule(key)

    def _emit(self, refusal: Refusal, count: int) -> None:
        visitor = refusal.visitor_id or "-"
        log.info(
            "widget call refused: route=%s visitor=%s status=%d code=%s detail=%s%s",
            refusal.route,
            visitor,
            refusal.status,
            refusal.code,
            refusal.detail,
            f" (x{count} in {self._window:g} s)" if count > 1 else "",
        )
        summary = f"{refusal.route} refused: {refusal.code}"
        event = DomainEvent(
            id=0,
            project_id=refusal.project_id,
            kind=EventKind.REFUSED,
            at=self._now(),
            source="widget",
            summary=summary if count == 1 else f"{summary} (x{count})",
            data={
                "route": refusal.route,
                "visitor_id": refusal.visitor_id,
                "code": refusal.code,
                "detail": refusal.detail,
                "status": refusal.status,
                "count": count,
            },
        )
        self._bus.publish((event,))


def parsed_body(request: Request[Any, Any, Any]) -> dict[str, Any] | None:
    """The JSON object the route decoded from the body, or None (not JSON, not read yet).

    Read from the connection state Litestar keeps in the scope, which every ``Request`` made
    for this call (an exception handler's included) shares.
    """
    decoded = value_or_default(request._connection_state.json, None)
    return decoded if isinstance(decoded, dict) else None
