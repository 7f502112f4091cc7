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


def short_money(cents: int | None) -> str:
    """Money in few characters for narrow places: ``$950``, ``$12.5k``, ``$125k``, ``$1.2M``."""
    dollars = (cents or 0) / 100
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if dollars >= size:
            amount = dollars / size
            text = f"{amount:.1f}" if amount < 100 else f"{amount:.0f}"
            return f"${text.removesuffix('.0')}{suffix}"
    return f"${dollars:.0f}"


def money_cents(cents: int | None) -> str:
    """A deal value in cents for people (empty for none)."""
    return format_money(cents) if cents else ""
