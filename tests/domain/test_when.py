"""The board's date forms (``t``'s due, the expected close), with a fixed clock and zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from halcrm.domain.due import parse_due
from halcrm.domain.errors import InvalidRequest
from halcrm.domain.when import describe, parse_day, parse_until, parse_when, typed

PARIS = ZoneInfo("Europe/Paris")
# Wednesday 9 December 2026, 23:30 in Paris: already Thursday in UTC+14, still Wednesday in UTC.
NOW = datetime(2026, 12, 9, 22, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "wire"),
    [
        ("today", "2026-12-09"),
        ("Tomorrow", "2026-12-10"),
        ("tom", "2026-12-10"),
        ("fri", "2026-12-11"),
        ("friday", "2026-12-11"),
        ("wed", "2026-12-09"),  # today is Wednesday: "wed" is today
        ("mon", "2026-12-14"),
        ("3d", "2026-12-12"),
        ("in 3d", "2026-12-12"),
        ("+3d", "2026-12-12"),
        ("2w", "2026-12-23"),
        ("2 weeks", "2026-12-23"),
        ("2026-12-24", "2026-12-24"),
        ("  2026-12-24 ", "2026-12-24"),
        ("14:30", "2026-12-09T14:30:00+01:00"),
        ("9:05", "2026-12-09T09:05:00+01:00"),
        ("fri 14:30", "2026-12-11T14:30:00+01:00"),
        ("2026-07-01 08:00", "2026-07-01T08:00:00+02:00"),  # summer time: the offset of that day
    ],
)
def test_each_form_gives_the_wire_due(text: str, wire: str) -> None:
    found = parse_when(text, NOW, PARIS)
    assert found.wire == wire
    parse_due(found.wire, PARIS)  # the rules take what the parser answers


def test_today_is_the_projects_today() -> None:
    kiritimati = ZoneInfo("Pacific/Kiritimati")  # UTC+14: already Thursday
    assert parse_when("today", NOW, kiritimati).wire == "2026-12-10"
    assert parse_when("today", NOW, ZoneInfo("Pacific/Pago_Pago")).wire == "2026-12-09"
    assert parse_when("14:30", NOW, kiritimati).wire == "2026-12-10T14:30:00+14:00"


@pytest.mark.parametrize("text", ["", "soon", "25:00", "12:60", "2026-02-30", "3x", "we", "fr"])
def test_anything_else_is_refused_with_the_forms(text: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        parse_when(text, NOW, PARIS)
    assert "today, tomorrow, fri, 3d, 2w, 2026-12-24 or 14:30" in refused.value.detail


def test_a_day_takes_no_time() -> None:
    assert parse_day("2w", NOW, PARIS, field="expected_close") == date(2026, 12, 23)
    with pytest.raises(InvalidRequest, match="expected_close is a day"):
        parse_day("fri 14:30", NOW, PARIS, field="expected_close")


def test_describe_says_the_day_and_how_far() -> None:
    today = date(2026, 12, 9)
    assert describe(parse_when("fri 14:30", NOW, PARIS), today) == (
        "Fri 11 Dec 2026 (in 2 days) 14:30"
    )
    assert describe(parse_when("today", NOW, PARIS), today) == "Wed 9 Dec 2026 (today)"
    assert parse_when("fri 14:30", NOW, PARIS).at == time(14, 30)


def test_a_wire_due_reads_back_and_types_as_local_time() -> None:
    wire = "2026-12-24T14:30:00+01:00"
    assert parse_when(wire, NOW, PARIS).wire == wire
    assert typed(wire, PARIS) == "2026-12-24 14:30"
    assert typed("2026-12-24T13:30:00Z", PARIS) == "2026-12-24 14:30"
    assert typed("2026-12-24", PARIS) == "2026-12-24"
    assert parse_when(typed(wire, PARIS), NOW, PARIS).wire == wire


@pytest.mark.parametrize(
    ("text", "until"),
    [
        ("12h", datetime(2026, 12, 10, 10, 30, tzinfo=UTC)),  # hours count from now
        ("in 2 hours", datetime(2026, 12, 10, 0, 30, tzinfo=UTC)),
        ("tomorrow", datetime(2026, 12, 10, 0, 0, tzinfo=PARIS)),  # a day: its start there
        ("fri", datetime(2026, 12, 11, 0, 0, tzinfo=PARIS)),
        ("3d", datetime(2026, 12, 12, 0, 0, tzinfo=PARIS)),
        ("fri 9:00", datetime(2026, 12, 11, 9, 0, tzinfo=PARIS)),
        ("2026-12-24", datetime(2026, 12, 24, 0, 0, tzinfo=PARIS)),
    ],
)
def test_a_snooze_ends_when_the_board_says(text: str, until: datetime) -> None:
    # The same forms as a next step's due (one reader), and hours.
    assert parse_until(text, NOW, PARIS) == until


@pytest.mark.parametrize("text", ["today", "0h", "wed", "2026-12-01", "14:00"])
def test_a_snooze_ends_later_than_now(text: str) -> None:
    with pytest.raises(InvalidRequest, match="is not in the future"):
        parse_until(text, NOW, PARIS)


def test_a_snooze_names_its_forms() -> None:
    with pytest.raises(InvalidRequest) as refused:
        parse_until("soon", NOW, PARIS)
    assert refused.value.detail == (
        "until: 'soon' is not a date; try 12h, tomorrow, fri, 3d, 2w, 2026-12-24 or fri 9:00"
    )
