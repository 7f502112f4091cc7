"""What a founder types for a date on the board, turned into the wire's due (pure, no clock).

Forms, counted in the project's time zone from ``now``:

- ``today``, ``tomorrow`` (``tod``, ``tom``);
- a weekday, ``fri`` or ``friday``: the next one, today included (Friday's "fri" is today);
- ``3d``, ``2w`` (also ``in 3d``, ``+3d``): that many days or weeks from today;
- ``2026-12-24``: that date;
- ``14:30`` (or ``9:05``): today at that time; a day form may come first (``fri 14:30``).

A date alone answers ``YYYY-MM-DD`` (due by the end of that day); with a time it answers an RFC
3339 date-time with the zone's offset at that moment (``2026-12-24T14:30:00+01:00``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from halcrm.domain.errors import InvalidRequest

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SPAN = re.compile(r"^(?:in\s*|\+)?(\d{1,3})\s*(d|w|days?|weeks?)$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}t\d{2}:\d{2}:\d{2}(\.\d+)?(z|[+-]\d{2}:\d{2})$")
_HOURS = re.compile(r"^(?:in\s*|\+)?(\d{1,3})\s*(h|hours?)$")
HINT = "today, tomorrow, fri, 3d, 2w, 2026-12-24 or 14:30"
UNTIL_HINT = "12h, tomorrow, fri, 3d, 2w, 2026-12-24 or fri 9:00"


@dataclass(frozen=True)
class When:
    """A parsed date: its day, its time if one was given, and the wire text."""

    day: date
    at: time | None
    wire: str


def _day(word: str, today: date) -> date | None:
    if word in ("today", "tod"):
        return today
    if word in ("tomorrow", "tom", "tmr"):
        return today + timedelta(days=1)
    if len(word) >= 3:
        for number, name in enumerate(WEEKDAYS):
            if name.startswith(word):
                return today + timedelta(days=(number - today.weekday()) % 7)
    span = _SPAN.match(word)
    if span:
        amount, unit = int(span.group(1)), span.group(2)
        return today + timedelta(days=amount * (7 if unit.startswith("w") else 1))
    if _ISO.match(word):
        try:
            return date.fromisoformat(word)
        except ValueError:
            return None
    return None


def _clock(word: str) -> time | None:
    found = _CLOCK.match(word)
    if not found:
        return None
    hour, minute = int(found.group(1)), int(found.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_when(
    text: str, now: datetime, tz: ZoneInfo, *, field: str = "due", hint: str = HINT
) -> When:
    """``text`` as a day and maybe a time; a 400 naming ``field`` and the forms (``hint``)
    otherwise. A wire due (an RFC 3339 date-time, as a step read back holds it) is taken as
    it is."""
    words = " ".join(text.strip().lower().split())
    if _RFC3339.match(words):
        moment = datetime.fromisoformat(words.upper()).astimezone(tz)
        return When(moment.date(), moment.time().replace(tzinfo=None), text.strip())
    today = now.astimezone(tz).date()
    at = None
    head, _, tail = words.rpartition(" ")
    if _clock(tail) is not None and head:
        words, at = head, _clock(tail)
    elif _clock(words) is not None:
        words, at = "today", _clock(words)
    day = _day(words, today) if words else None
    if day is None:
        raise InvalidRequest(f"{field}: {text.strip()!r} is not a date; try {hint}", field=field)
    if at is None:
        return When(day, None, day.isoformat())
    moment = datetime.combine(day, at, tz)
    return When(day, at, moment.isoformat(timespec="seconds"))


def parse_until(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """When a snooze ends: ``12h`` from now, or a day of ``parse_when``'s forms at the time
    given, else at its start in ``tz`` (``fri``: Friday 00:00 there); a 400 unless it is
    later than ``now``."""
    words = " ".join(text.strip().lower().split())
    hours = _HOURS.match(words)
    if hours:
        moment = now + timedelta(hours=int(hours.group(1)))
    else:
        found = parse_when(text, now, tz, field="until", hint=UNTIL_HINT)
        moment = datetime.combine(found.day, found.at or time(0, 0), tz)
    if moment <= now:
        shown = moment.astimezone(tz).strftime("%a %d %b %H:%M")
        raise InvalidRequest(f"until: {shown} is not in the future", field="until")
    return moment


def parse_day(text: str, now: datetime, tz: ZoneInfo, *, field: str) -> date:
    """A day only (an expected close): the same forms without a time."""
    found = parse_when(text, now, tz, field=field)
    if found.at is not None:
        raise InvalidRequest(f"{field} is a day, without a time", field=field)
    return found.day


def describe(found: When, today: date) -> str:
    """What the dialog shows under the box: ``Fri 11 Dec (in 5 days) 14:30``."""
    days = (found.day - today).days
    if days == 0:
        rel = "today"
    elif days == 1:
        rel = "tomorrow"
    elif days > 0:
        rel = f"in {days} days"
    else:
        rel = f"{-days} days ago"
    label = f"{found.day.strftime('%a')} {found.day.day} {found.day.strftime('%b %Y')} ({rel})"
    return f"{label} {found.at.strftime('%H:%M')}" if found.at else label


def typed(due: str, tz: ZoneInfo) -> str:
    """A wire due as a founder would type it: a date stays, a date-time becomes its local
    ``YYYY-MM-DD HH:MM`` (what the edit and reschedule dialogs start from)."""
    raw = due.strip()
    if _RFC3339.match(raw.lower()):
        moment = datetime.fromisoformat(raw.upper()).astimezone(tz)
        return moment.strftime("%Y-%m-%d %H:%M")
    return raw
