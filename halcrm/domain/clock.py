"""The time source; tests and screenshots pass a fixed one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def fixed_clock(at: datetime) -> Clock:
    """A clock that always answers ``at`` (made timezone-aware in UTC)."""
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return lambda: at


class MutableClock:
    """A clock that answers ``now`` until moved: tests, screenshots and benches make days pass
    (stalling, overdue next steps) without waiting."""

    def __init__(self, now: datetime) -> None:
        self.now = now if now.tzinfo else now.replace(tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Moves the clock forward by ``timedelta(**delta)`` (``days=3``, ``hours=1``…)."""
        self.now += timedelta(**delta)

    def set(self, at: datetime) -> None:
        self.now = at if at.tzinfo else at.replace(tzinfo=UTC)
