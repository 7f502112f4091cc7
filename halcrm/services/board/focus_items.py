"""The focus lane's items and actions, and what every reason's query shares.

Every candidate is ``(item, activity)``: the item as the lane shows it, and the company's last
activity (a done or dismissed answer stays away until something newer happens).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from halcrm.db.models import Company, Project
from halcrm.db.records import StageRow
from halcrm.db.tx import Tx
from halcrm.domain.stages import StageKind
from halcrm.domain.words import count
from halcrm.services.board.records import FocusAction, FocusItem, FocusReason

RECENT_SIGNAL = timedelta(hours=48)
# A milestone named in the stage hints suggests its stage for this long after it arrives.
HINT_WINDOW = timedelta(days=14)
CANDIDATES_PER_REASON = 50


Candidate = tuple[FocusItem, datetime]


class Facts(NamedTuple):
    """The columns of a company the reasons read (plain rows: no ORM objects to build)."""

    pk: int
    id: str
    name: str
    deal_value_cents: int | None
    stage_pk: int | None
    last_activity_at: datetime
    created_at: datetime
    expected_close: date | None
    last_stage_at: datetime | None


COMPANY = (
    Company.pk,
    Company.id,
    Company.name,
    Company.deal_value_cents,
    Company.stage_pk,
    Company.last_activity_at,
    Company.created_at,
    Company.expected_close,
    Company.last_stage_at,
)
N = len(COMPANY)


def split(row: Any) -> tuple[Facts, tuple[Any, ...]]:
    """A row of ``select(*COMPANY, ...)``: the company's facts, and the columns after them."""
    return Facts(*row[:N]), tuple(row[N:])


@dataclass
class Lane:
    """What every reason's query needs."""

    tx: Tx
    project: Project
    stages: dict[int, StageRow]
    tz: ZoneInfo

    @property
    def now(self) -> datetime:
        return self.tx.now

    def open_stage_pks(self) -> list[int]:
        return [s.pk for s in self.stages.values() if s.kind == StageKind.OPEN]


def ago(now: datetime, then: datetime) -> str:
    """An age in the lane's words: "12 min", "3 h", "9 d"."""
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 3600:
        return f"{max(1, seconds // 60)} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def days(n: int) -> str:
    return count(n, "day")


def item(
    company: Any,
    reason: FocusReason,
    text: str,
    since: datetime,
    action: FocusAction,
    evidence: list[str],
    stage: StageRow | None = None,
) -> FocusItem:
    return FocusItem(
        company_id=company.id,
        company_name=company.name,
        reason=reason.value,
        text=text,
        score=0,
        stage_id=stage.id if stage else None,
        deal_value_cents=company.deal_value_cents,
        since=since,
        action=action,
        evidence=evidence,
    )
