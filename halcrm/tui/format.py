"""Small text formatters the board's widgets share (ages, times, money, stage outcomes)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from halcrm.domain.money import format_money, to_cents


def ago(then: datetime | None, now: datetime) -> str:
    """A short age such as ``now``, ``5m``, ``2h`` or ``3d``."""
    if then is None:
        return ""
    delta = now - then
    if delta < timedelta(minutes=1):
        return "now"
    if delta < timedelta(hours=1):
        return f"{int(delta.total_seconds() // 60)}m"
    if delta < timedelta(days=1):
        return f"{int(delta.total_seconds() // 3600)}h"
    return f"{delta.days}d"


def when(at: datetime | None) -> str:
    """A timestamp for people, in UTC: ``2026-11-27 12:00``."""
    return at.strftime("%Y-%m-%d %H:%M") if at else "—"


def money(value: Any) -> str:
    """Formats a deal value as it travels in records and events (a JSON number or None)."""
    if value is None:
        return ""
    return format_money(to_cents(value))


def outcome(applied: bool | None, reason: str | None) -> str:
    """``applied`` or ``skipped (already_later)``."""
    if applied is None:
        return ""
    return "applied" if applied else f"skipped ({reason or 'no change'})"
