"""The time source; tests and screenshots pass a fixed one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def fixed_clock(at: datetime) -> Clock:
    """A clock that always answers ``at`` (made timezone-aware in UTC)."""
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return lambda: at
