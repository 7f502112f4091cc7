"""Due dates of next steps, counted in the project's time zone (pure rules, no database).

A due given as a date (``2026-12-24``) falls due at the end of that day in the project's zone:
its instant is the next local midnight. A due given as an RFC 3339 date-time falls due at that
moment. With ``due_at`` that instant, at ``now``:

- ``overdue``: ``due_at <= now`` (a date whose day has ended, a moment that has passed);
- ``today``: ``now < due_at <= `` the end of today (local);
- ``upcoming``: later than that.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from halcrm.domain.errors import InvalidRequest

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# RFC 3339: a full date, "T" (or a space), a time with seconds, and an offset or "Z".
_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)


class DueState(StrEnum):
    OVERDUE = "overdue"
    TODAY = "today"
    UPCOMING = "upcoming"
    DONE = "done"
    NONE = "none"


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``, or a 400 naming the field."""
    try:
        if not name or name != name.strip() or ".." in name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidRequest(
            f"unknown time zone {name!r}: give an IANA name such as 'Europe/Paris' or 'UTC'",
            field="time_zone",
        ) from None


def day_end(day: date, tz: ZoneInfo) -> datetime:
    """The instant a date-only due falls due: the next local midnight, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)


def day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tz).astimezone(UTC)


def local_today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


def parse_due(text: str, tz: ZoneInfo, *, field: str = "due") -> tuple[datetime, bool]:
    """``(due_at, all_day)`` of a due as sent: a date or an RFC 3339 date-time with offset."""
    raw = text.strip()
    try:
        if _DATE.match(raw):
            return day_end(date.fromisoformat(raw), tz), True
        if _DATETIME.match(raw):
            moment = datetime.fromisoformat(raw.replace("z", "Z").replace("t", "T"))
            return moment.astimezone(UTC), False
    except ValueError:
        pass
    raise InvalidRequest(
        f"{field} must be a date (YYYY-MM-DD) or an RFC 3339 date-time with its offset "
        f"(2026-12-24T14:30:00+01:00), not {text!r}",
        field=field,
    )


def parse_date(text: str, *, field: str) -> date:
    """A ``YYYY-MM-DD`` date, or a 400 naming the field."""
    raw = text.strip()
    try:
        if _DATE.match(raw):
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise InvalidRequest(f"{field} must be a date (YYYY-MM-DD), not {text!r}", field=field)


@lru_cache(maxsize=8)
def _today_ends(now: datetime, tz: ZoneInfo) -> datetime:
    # A board's cards are all judged at one ``now``: the zone arithmetic is done once for them.
    return day_end(local_today(now, tz), tz)


def due_state(due_at: datetime, now: datetime, tz: ZoneInfo, *, done: bool = False) -> DueState:
    if done:
        return DueState.DONE
    if due_at <= now:
        return DueState.OVERDUE
    if due_at <= _today_ends(now, tz):
        return DueState.TODAY
    return DueState.UPCOMING
