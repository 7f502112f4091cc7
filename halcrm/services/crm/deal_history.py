"""A company's deal value changes: written once, as ``deal_value`` events of the activity log
(whoever made the change: the board, the account API, the widget, an import, a merge), and read
back from there as the company's history entries (API notes: ``type: "deal_value"``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from halcrm.db.event_log import to_domain_event
from halcrm.db.models import Activity
from halcrm.db.tx import CompanyKeys, ProjectKeys, Tx
from halcrm.domain.events import EventKind
from halcrm.domain.money import from_cents
from halcrm.services.crm.records import HistoryItem


def record_deal_value(
    tx: Tx,
    project: ProjectKeys,
    company: CompanyKeys,
    previous_cents: int | None,
    cents: int | None,
    source: str,
    *,
    unchanged_too: bool = False,
) -> None:
    """Records that the company's deal value went from ``previous_cents`` to ``cents`` (the
    caller writes the value). Nothing is recorded when it did not change, but for a widget
    signal (``unchanged_too``): its event is the signal, whatever it changed."""
    if previous_cents == cents and not unchanged_too:
        return
    tx.record(
        project,
        EventKind.DEAL_VALUE,
        source,
        f"{company.name} deal value {from_cents(cents)}",
        company,
        data={"previous": from_cents(previous_cents), "deal_value": from_cents(cents)},
    )


def deal_value_items(
    tx: Tx, project: ProjectKeys, company: CompanyKeys, since: datetime, limit: int
) -> list[HistoryItem]:
    """The company's deal value changes, newest first, from its ``deal_value`` events since
    ``since`` (its creation: an earlier company of the same id, deleted, is not this one)."""
    rows = tx.session.scalars(
        select(Activity)
        .where(
            Activity.project_pk == project.pk,
            Activity.company_id == company.id,
            Activity.kind == EventKind.DEAL_VALUE.value,
            Activity.created_at >= since,
        )
        .order_by(Activity.pk.desc())
        .limit(limit)
    )
    items = []
    for row in rows:
        event = to_domain_event(row, project.id)
        previous, value = event.data.get("previous"), event.data.get("deal_value")
        if previous == value:
            continue  # a widget signal that changed nothing: not a change of the value
        items.append(
            HistoryItem(
                type="deal_value",
                id=str(event.id),
                at=event.at,
                source=event.source,
                previous_deal_value=previous,
                deal_value=value,
            )
        )
    return items
