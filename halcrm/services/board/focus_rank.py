"""The focus lane's order (API.md): a waiting visitor and an overdue next step first, longest
waiting first, then by value at risk, ``weighted value x (100 - momentum) / 100``.

Momentum is the costly part (each company's activity log), so only the companies that can reach
the lane's first places are measured: a value at risk is never above the weighted value, so once
the places are held by values at risk above every unmeasured weighted value, the rest cannot
enter. The places and their order are those of ranking every candidate.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from halcrm.db.models import Company, Project
from halcrm.db.records import StageRow
from halcrm.db.tx import Tx
from halcrm.domain.money import from_cents
from halcrm.domain.words import count
from halcrm.services.board.focus_items import ago
from halcrm.services.board.momentum import Pulse, pulses
from halcrm.services.board.records import PRIORITY, URGENT, FocusItem

# Companies measured a query: enough for a lane's places in one go, most of the time.
BATCH = 32


def first_places(
    tx: Tx,
    project: Project,
    stages: dict[int, StageRow],
    items: Sequence[FocusItem],
    limit: int,
    more: dict[str, list[str]],
) -> list[FocusItem]:
    """The first ``limit`` of ``items`` (one a company, in candidate order) in the lane's
    order, with their momentum, trend, value at risk and evidence."""
    weights = _weigh(tx, project, stages, items)
    urgent = [n for n, item in enumerate(items) if item.reason in URGENT]
    # An unvalued item's value at risk is 0 whatever its momentum.
    known = urgent + [n for n, w in enumerate(weights) if w == 0 and items[n].reason not in URGENT]
    valued = sorted(
        (n for n, w in enumerate(weights) if w > 0 and items[n].reason not in URGENT),
        key=lambda n: -weights[n],
    )
    measured: dict[str, Pulse] = {}
    places = limit - len(urgent)
    done = 0
    while done < len(valued) and places > 0:
        risks = sorted(
            (items[n].value_at_risk_cents for n in known if items[n].reason not in URGENT),
            reverse=True,
        )
        if len(risks) >= places and weights[valued[done]] < risks[places - 1]:
            break  # no unmeasured value at risk can pass the last place's
        batch = valued[done : done + BATCH]
        done += len(batch)
        found = pulses(tx, project.pk, [_company(items[n]) for n in batch])
        for n in batch:
            beat = found[_company(items[n])]
            items[n].value_at_risk_cents = weights[n] * (100 - beat.momentum) // 100
            measured[_company(items[n])] = beat
        known += batch
    order = sorted(sorted(known), key=lambda n: _rank(items[n]))[:limit]
    chosen = [items[n] for n in order]
    unmeasured = [i.company_id for i in chosen if i.company_id and i.company_id not in measured]
    measured.update(pulses(tx, project.pk, unmeasured))
    for place, n in enumerate(order):
        item = items[n]
        item.score = float(len(items) - place)
        if item.company_id is not None:
            _describe(tx, item, measured[item.company_id], weights[n], more)
    return chosen


def _company(item: FocusItem) -> str:
    assert item.company_id is not None  # only a visitor's chat has none, and it is urgent
    return item.company_id


def _weigh(
    tx: Tx, project: Project, stages: dict[int, StageRow], items: Sequence[FocusItem]
) -> list[int]:
    """Each item's weighted value (cents), its stage and deal value set on the way."""
    ids = [i.company_id for i in items if i.company_id is not None]
    stage_of: dict[str, int | None] = {}
    if ids:
        rows = tx.session.execute(
            select(Company.id, Company.stage_pk).where(
                Company.project_pk == project.pk, Company.id.in_(ids)
            )
        )
        stage_of = {cid: pk for cid, pk in rows}
    weights = []
    for item in items:
        if item.company_id is None:
            weights.append(0)
            continue
        stage = stages.get(stage_of.get(item.company_id) or 0)
        item.stage_id = item.stage_id or (stage.id if stage else None)
        item.deal_value = from_cents(item.deal_value_cents)
        weights.append((item.deal_value_cents or 0) * (stage.probability if stage else 0) // 100)
    return weights


def _rank(item: FocusItem) -> tuple[int, float, int, float]:
    if item.reason in URGENT:
        return (0, item.since.timestamp(), PRIORITY[item.reason], 0)
    return (1, -item.value_at_risk_cents, PRIORITY[item.reason], item.since.timestamp())


def _describe(
    tx: Tx, item: FocusItem, beat: Pulse, weighted: int, more: dict[str, list[str]]
) -> None:
    """A placed item's momentum, trend, value at risk, and its evidence with their figures."""
    assert item.company_id is not None
    item.momentum, item.trend = beat.momentum, beat.trend
    item.value_at_risk_cents = weighted * (100 - beat.momentum) // 100
    evidence = [*item.evidence, *more.get(item.company_id, [])]
    evidence.append(
        f"momentum {beat.momentum} of 100, {beat.trend}: "
        f"{count(beat.recent, 'signal')} in the last 14 days, {beat.earlier} in the 14 before"
    )
    if beat.last_milestone is not None:
        name, at = beat.last_milestone
        evidence.append(f"last milestone {name} {ago(tx.now, at)} ago")
    item.evidence = list(dict.fromkeys(evidence))
