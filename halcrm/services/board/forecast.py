"""The forecast: open deals by the month they are expected to close (API.md, "Expected close
and forecast"), counted in the project's time zone, exact to the cent.

Buckets, with today the project's local date: ``overdue`` holds the deals whose expected close
is before today (the focus lane asks to update them); ``months[0]`` the current month from
today to its end; each later month its whole days; ``undated`` the deals without one. A deal
expected after the last month asked for is in none. ``weighted`` is the sum of each deal's value
times its stage's probability, rounded half up to the cent once, at the end.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from halcrm.db.models import Company
from halcrm.db.tx import Tx
from halcrm.domain.due import local_today, zone
from halcrm.domain.errors import InvalidRequest
from halcrm.domain.money import from_cents
from halcrm.domain.stages import StageKind
from halcrm.services.area import Area, reads
from halcrm.services.board.records import MAX_MONTHS, ForecastBucket, ForecastMonth, ForecastRecord


class _Sums:
    """Exact sums: cents, and cents x percent (weighted, rounded once at the end)."""

    def __init__(self) -> None:
        self.count = 0
        self.cents = 0
        self.weighted = 0  # cents x probability (hundredths of a cent)

    def add(self, n: int, cents: int, probability: int) -> None:
        self.count += n
        self.cents += cents
        self.weighted += cents * probability

    def weighted_cents(self) -> int:
        return int((Decimal(self.weighted) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def values(self) -> tuple[int, float, float]:
        return self.count, from_cents(self.cents) or 0, from_cents(self.weighted_cents()) or 0


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def next_months(today: date, n: int) -> list[str]:
    out, year, month = [], today.year, today.month
    for _ in range(n):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def expected_sums(
    tx: Tx, project_pk: int, stages: dict[int, int]
) -> list[tuple[date | None, int, int, int]]:
    """``(expected close, count, cents, probability)`` of the open deals, one row per stage
    and date (the database sums; Python only buckets the dates)."""
    if not stages:
        return []
    rows = tx.session.execute(
        select(
            Company.stage_pk,
            Company.expected_close,
            func.count(),
            func.coalesce(func.sum(func.coalesce(Company.deal_value_cents, 0)), 0),
        )
        .where(Company.project_pk == project_pk, Company.stage_pk.in_(list(stages)))
        .group_by(Company.stage_pk, Company.expected_close)
    )
    return [(when, int(n), int(cents), stages[pk or 0]) for pk, when, n, cents in rows]


class Forecast(Area):
    """What the open pipeline is expected to bring, month by month."""

    @reads
    def months(self, tx: Tx, months: int = 3) -> ForecastRecord:
        if not 1 <= months <= MAX_MONTHS:
            raise InvalidRequest(f"months must be between 1 and {MAX_MONTHS}", field="months")
        project = self.project(tx)
        today = local_today(tx.now, zone(project.time_zone))
        keys = next_months(today, months)
        stages = {s.pk: s.probability for s in tx.stage_rows(project) if s.kind == StageKind.OPEN}
        by_month: dict[str, _Sums] = defaultdict(_Sums)
        overdue, undated = _Sums(), _Sums()
        for when, n, cents, probability in expected_sums(tx, project.pk, stages):
            if when is None:
                undated.add(n, cents, probability)
            elif when < today:
                overdue.add(n, cents, probability)
            elif month_key(when) in keys:
                by_month[month_key(when)].add(n, cents, probability)
        out = []
        for key in keys:
            count, total, weighted = by_month[key].values()
            out.append(ForecastMonth(month=key, count=count, total=total, weighted=weighted))
        return ForecastRecord(
            months=out,
            overdue=_bucket(overdue),
            undated=_bucket(undated),
            time_zone=project.time_zone,
            today=today.isoformat(),
        )


def _bucket(sums: _Sums) -> ForecastBucket:
    count, total, weighted = sums.values()
    return ForecastBucket(count=count, total=total, weighted=weighted)


def expected_this_month(
    tx: Tx, project_pk: int, tz_name: str, stages: dict[int, int]
) -> tuple[int, int]:
    """The count and total cents of the open deals expected to close from today to the end of
    this month (the forecast's first month), for the summary line."""
    today = local_today(tx.now, zone(tz_name))
    key = month_key(today)
    count = cents = 0
    for when, n, value, _ in expected_sums(tx, project_pk, stages):
        if when is not None and when >= today and month_key(when) == key:
            count, cents = count + n, cents + value
    return count, cents
