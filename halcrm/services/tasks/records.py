"""What the next-step rules answer: tasks, a company's next step, the agenda."""

from __future__ import annotations

from datetime import datetime

import msgspec

# Each list of the agenda answers this many by default (a founder reads the top of each),
# at most MAX_AGENDA_LIMIT with ``limit``.
AGENDA_LIMIT = 100
MAX_AGENDA_LIMIT = 500


class TaskRecord(msgspec.Struct, kw_only=True):
    id: str
    company_id: str
    # The company's name, for lists that show tasks of many companies (the agenda).
    company_name: str
    contact_id: str | None
    title: str
    kind: str
    notes: str | None
    # As given: a date (due by the end of that day, project zone) or an RFC 3339 date-time.
    due: str
    # The instant it falls due, in UTC (a date: the next midnight in the project's zone).
    due_at: datetime
    status: str
    # overdue, today, upcoming or done, in the project's zone at the time of the answer.
    state: str
    source: str
    created_at: datetime
    updated_at: datetime
    done_at: datetime | None


class NextStep(msgspec.Struct, kw_only=True):
    """A company's earliest open next step, as its record shows it."""

    id: str
    title: str
    due: str
    state: str
    due_at: datetime


class NoNextStep(msgspec.Struct, kw_only=True):
    """An open deal with nothing scheduled."""

    company_id: str
    company_name: str
    stage: str | None
    deal_value: float | None


class AgendaDay(msgspec.Struct, kw_only=True):
    """The founder's day in the project's time zone (API.md, ``GET /api/agenda``)."""

    overdue: list[TaskRecord]
    today: list[TaskRecord]
    upcoming: list[TaskRecord]
    no_next_step: list[NoNextStep]
    # The project's zone and its date today, so a client counts days as the server did.
    time_zone: str = "UTC"
    date: str = ""
