"""Momentum: how alive a deal is, 0-100, and its trend, from the activity log.

Each signal in a company's activity counts ``weight * 2^(-age / half_life)``: a fresh signal
counts in full, one a half-life old counts half. The sum ``raw`` is squashed into 0-100 with
``momentum = round(100 * (1 - e^(-raw / SATURATION)))``, so a few fresh signals give a deal a
clear pulse and no amount of them passes 100. The trend compares the signals' weights (no
decay) of the last 14 days with the 14 days before: ``rising`` when the recent ones weigh more
than ``RISING`` times the earlier ones, ``falling`` below ``FALLING`` times, else ``steady``.
docs/next-steps.md states the same formula and constants.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from halcrm.db.models import Activity
from halcrm.db.tx import Tx


@dataclass(frozen=True, slots=True)
class Signal:
    """A kind of signal: what it weighs when fresh and how fast it fades (days)."""

    weight: float
    half_life_days: float


SIGNALS = {
    # A product milestone of the company's (a widget track): the strongest sign of life.
    "milestone": Signal(15, 14),
    # The customer wrote (website chat or the public API).
    "customer_message": Signal(12, 7),
    # The founder replied.
    "founder_reply": Signal(10, 10),
    # The founder completed a next step.
    "step_done": Signal(12, 14),
    # Other widget calls about the company (identify, properties, a widget stage or deal).
    "widget": Signal(5, 7),
    # The founder's other touches: a manual move, a deal value, an edit, a step planned.
    "founder_touch": Signal(4, 10),
}
SATURATION = 30.0
WINDOW = timedelta(days=14)
RISING, FALLING = 1.25, 0.8
# Older activity is not read: a milestone 120 days old weighs 15 * 2^(-120/14) < 0.05.
HORIZON = timedelta(days=120)
FOUNDER_TOUCHES = {"stage_change", "deal_value", "company_updated", "task_created"}


@dataclass
class Pulse:
    """A company's momentum, trend, and the figures its evidence quotes."""

    momentum: int = 0
    trend: str = "steady"
    recent: int = 0
    earlier: int = 0
    last_milestone: tuple[str, datetime] | None = None
    counts: dict[str, int] = field(default_factory=dict)


def classify(kind: str, source: str, data: dict[str, Any]) -> str | None:
    """The signal kind of an activity row, or None for rows that say nothing of the deal."""
    if kind == "track":
        return "milestone"
    if kind == "message":
        return "founder_reply" if data.get("author") == "agent" else "customer_message"
    if kind == "task_done":
        return "step_done"
    if source == "widget" and kind in ("identify", "properties", "stage_change", "deal_value"):
        return "widget"
    if kind in FOUNDER_TOUCHES and source != "widget":
        return "founder_touch"
    return None


def pulse(signals: Iterable[tuple[str, datetime, str | None]], now: datetime) -> Pulse:
    """Momentum and trend of one company from ``(signal kind, when, milestone name)``."""
    raw = recent = earlier = 0.0
    out = Pulse()
    counts: dict[str, int] = defaultdict(int)
    for kind, at, name in signals:
        signal = SIGNALS[kind]
        age_days = max(0.0, (now - at).total_seconds() / 86400)
        raw += signal.weight * 2 ** (-age_days / signal.half_life_days)
        counts[kind] += 1
        if now - at <= WINDOW:
            recent += signal.weight
            out.recent += 1
        elif now - at <= 2 * WINDOW:
            earlier += signal.weight
            out.earlier += 1
        if (
            kind == "milestone"
            and name
            and (out.last_milestone is None or at > out.last_milestone[1])
        ):
            out.last_milestone = (name, at)
    out.momentum = round(100 * (1 - math.exp(-raw / SATURATION)))
    out.trend = trend(recent, earlier)
    out.counts = dict(counts)
    return out


def trend(recent: float, earlier: float) -> str:
    if recent > RISING * earlier and recent > 0:
        return "rising"
    if recent < FALLING * earlier:
        return "falling"
    return "steady"


def pulses(tx: Tx, project_pk: int, company_ids: Sequence[str]) -> dict[str, Pulse]:
    """Each company's ``Pulse`` from its activity of the last ``HORIZON`` (one query)."""
    found: dict[str, list[tuple[str, datetime, str | None]]] = defaultdict(list)
    if company_ids:
        rows = tx.session.execute(
            select(
                Activity.company_id,
                Activity.kind,
                Activity.source,
                Activity.data,
                Activity.created_at,
            ).where(
                Activity.project_pk == project_pk,
                Activity.company_id.in_(list(company_ids)),
                Activity.created_at >= tx.now - HORIZON,
            )
        )
        for company_id, kind, source, data, at in rows:
            signal = classify(kind, source, data or {})
            if signal is not None:
                name = (data or {}).get("name") if signal == "milestone" else None
                found[company_id].append((signal, at, name))
    return {cid: pulse(found.get(cid, ()), tx.now) for cid in company_ids}
